import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { DeadLetteredMessage, MessageAttributes, ReceivedMessage } from '../../core/messaging/QueueMessage';
import { QUEUE_DEFAULTS } from '../../core/messaging/SubscriberQueue';
import type { QueueDepth, QueueSettings, SubscriberQueue } from '../../core/messaging/SubscriberQueue';
import { SqliteMessageTable } from './SqliteMessageTable';
import type { MessageClock } from './SqliteMessageTable';
import { definedOnly } from '../../core/options/definedOnly';

/** Options of {@link SqliteSubscriberQueue}. */
export interface SqliteSubscriberQueueOptions {
  /** @defaultValue Date.now */
  clock?: MessageClock;
}

const DEFAULTS: Required<SqliteSubscriberQueueOptions> = {
  clock: Date.now,
};

interface MessageRow {
  seq: number;
  group_key: string;
  body: Buffer;
  attributes: string;
  sent_at: number;
  receive_count: number;
  dead_lettered_at: number | null;
}

/** In-flight: hidden now, whether by a receive or by a changed visibility. Dead letters are neither. */
const READY = 'queue = @queue AND dead_lettered_at IS NULL AND visible_at <= @now';
const NO_KEY_IN_FLIGHT = `NOT EXISTS (SELECT 1 FROM queue_messages b
  WHERE b.queue = m.queue AND b.group_key = m.group_key AND b.dead_lettered_at IS NULL AND b.visible_at > @now)`;

/**
 * One subscriber queue in `queue_messages` (see {@link SqliteMessageTable}), fed by
 * SqliteTopicPublisher. Visibility is a `visible_at` timestamp from the injected clock.
 *
 * A receive is one transaction: it first moves every ready message already received
 * `maxReceiveCount` times to the dead-letter queue (so the receive that would exceed the count
 * moves it instead of delivering it), then takes the oldest ready messages (on a per-key queue,
 * only of keys with nothing in flight: a key's messages come as a prefix, in publish order),
 * counts the receive and hides them. Receipt handles are `seq.receiveCount`: an ack or visibility
 * change from an earlier receive of a message that was received again does nothing.
 *
 * @example
 * const queue = new SqliteSubscriberQueue(db, 'order-notices', { visibilityTimeoutMs: 30_000 });
 * const [message] = await queue.receive(10);
 * await queue.ack([message.receiptHandle]);
 */
export class SqliteSubscriberQueue implements SubscriberQueue {
  readonly settings: Readonly<Required<QueueSettings>>;
  private readonly table: SqliteMessageTable;
  private readonly clock: MessageClock;
  private readonly receiveAll: Transaction<(maxMessages: number, visibilityTimeoutMs: number, now: number) => MessageRow[]>;
  private readonly deleteOne: Statement<[string, number, number]>;
  private readonly hideOne: Statement<[number, string, number, number]>;
  private readonly countDepth: Statement<{ queue: string; now: number }, { visible: number | null; inFlight: number | null; deadLettered: number | null }>;
  private readonly selectDead: Statement<[string, number], MessageRow>;
  private readonly redriveOldest: Statement<[number, string, number]>;

  constructor(db: Database, readonly name: string, settings: QueueSettings = {}, options: SqliteSubscriberQueueOptions = {}) {
    this.settings = { ...QUEUE_DEFAULTS, ...definedOnly(settings) };
    this.table = SqliteMessageTable.of(db);
    this.clock = options.clock ?? DEFAULTS.clock;
    const deadLetter = db.prepare<{ queue: string; now: number; max: number }>(`UPDATE queue_messages SET dead_lettered_at = @now WHERE ${READY} AND receive_count >= @max`);
    const ready = db.prepare<{ queue: string; now: number; limit: number }, { seq: number }>(
      `SELECT seq FROM queue_messages m WHERE ${READY}${this.settings.ordering === 'per-key' ? ` AND ${NO_KEY_IN_FLIGHT}` : ''} ORDER BY seq LIMIT @limit`,
    );
    const take = db.prepare<[number, number], MessageRow>(
      `UPDATE queue_messages SET receive_count = receive_count + 1, visible_at = ? WHERE seq = ?
       RETURNING seq, group_key, body, attributes, sent_at, receive_count, dead_lettered_at`,
    );
    this.receiveAll = db.transaction((maxMessages, visibilityTimeoutMs, now) => {
      deadLetter.run({ queue: name, now, max: this.settings.maxReceiveCount });
      const seqs = ready.all({ queue: name, now, limit: maxMessages });
      return seqs.map(({ seq }) => take.get(now + visibilityTimeoutMs, seq) as MessageRow);
    });
    this.deleteOne = db.prepare('DELETE FROM queue_messages WHERE queue = ? AND seq = ? AND receive_count = ? AND dead_lettered_at IS NULL');
    this.hideOne = db.prepare('UPDATE queue_messages SET visible_at = ? WHERE queue = ? AND seq = ? AND receive_count = ? AND dead_lettered_at IS NULL');
    this.countDepth = db.prepare(`
      SELECT SUM(dead_lettered_at IS NULL AND visible_at <= @now) AS visible,
             SUM(dead_lettered_at IS NULL AND visible_at > @now) AS inFlight,
             SUM(dead_lettered_at IS NOT NULL) AS deadLettered
      FROM queue_messages WHERE queue = @queue`);
    this.selectDead = db.prepare(
      'SELECT seq, group_key, body, attributes, sent_at, receive_count, dead_lettered_at FROM queue_messages WHERE queue = ? AND dead_lettered_at IS NOT NULL ORDER BY seq LIMIT ?',
    );
    this.redriveOldest = db.prepare(`
      UPDATE queue_messages SET dead_lettered_at = NULL, receive_count = 0, visible_at = ?
      WHERE seq IN (SELECT seq FROM queue_messages WHERE queue = ? AND dead_lettered_at IS NOT NULL ORDER BY seq LIMIT ?)`);
  }

  async receive(maxMessages: number, options: { visibilityTimeoutMs?: number } = {}): Promise<ReceivedMessage[]> {
    if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new RangeError(`maxMessages must be a positive integer; got ${maxMessages}`);
    const visibilityTimeoutMs = options.visibilityTimeoutMs ?? this.settings.visibilityTimeoutMs;
    const rows = await this.table.write(() => this.receiveAll.immediate(maxMessages, visibilityTimeoutMs, this.clock()));
    return rows.map((row) => ({ ...common(row), receiptHandle: `${row.seq}.${row.receive_count}` }));
  }

  async ack(receiptHandles: readonly string[]): Promise<void> {
    const receipts = receiptHandles.map(parseReceipt).filter((receipt) => receipt !== undefined);
    if (receipts.length === 0) return;
    await this.table.write(() => this.inTransaction(() => receipts.forEach(({ seq, count }) => this.deleteOne.run(this.name, seq, count))));
  }

  async changeVisibility(receiptHandles: readonly string[], visibilityTimeoutMs: number): Promise<void> {
    if (!Number.isInteger(visibilityTimeoutMs) || visibilityTimeoutMs < 0) throw new RangeError(`visibilityTimeoutMs must be an integer >= 0; got ${visibilityTimeoutMs}`);
    const receipts = receiptHandles.map(parseReceipt).filter((receipt) => receipt !== undefined);
    if (receipts.length === 0) return;
    const visibleAt = this.clock() + visibilityTimeoutMs;
    await this.table.write(() => this.inTransaction(() => receipts.forEach(({ seq, count }) => this.hideOne.run(visibleAt, this.name, seq, count))));
    if (visibilityTimeoutMs === 0) this.table.notify(this.name);
  }

  async depth(): Promise<QueueDepth> {
    const counts = this.countDepth.get({ queue: this.name, now: this.clock() });
    return { visible: counts?.visible ?? 0, inFlight: counts?.inFlight ?? 0, deadLettered: counts?.deadLettered ?? 0 };
  }

  async deadLetters(limit: number): Promise<DeadLetteredMessage[]> {
    return this.selectDead.all(this.name, limit).map((row) => ({ ...common(row), deadLetteredAtMs: row.dead_lettered_at ?? 0 }));
  }

  async redrive(options: { limit?: number } = {}): Promise<number> {
    // LIMIT -1 is SQLite's "no limit".
    const moved = await this.table.write(() => this.redriveOldest.run(this.clock(), this.name, options.limit ?? -1).changes);
    if (moved > 0) this.table.notify(this.name);
    return moved;
  }

  onMessage(listener: () => void): () => void {
    return this.table.listen(this.name, listener);
  }

  private inTransaction(work: () => void): void {
    this.table.db.transaction(work).immediate();
  }
}

function common(row: MessageRow): Omit<ReceivedMessage, 'receiptHandle'> {
  return {
    messageId: String(row.seq),
    body: row.body,
    groupKey: row.group_key,
    attributes: JSON.parse(row.attributes) as MessageAttributes,
    receiveCount: row.receive_count,
    sequence: row.seq,
    sentAtMs: row.sent_at,
  };
}

function parseReceipt(handle: string): { seq: number; count: number } | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(handle);
  return match ? { seq: Number(match[1]), count: Number(match[2]) } : undefined;
}
