import type { Database, Statement, Transaction } from 'better-sqlite3';
import { silentLogger } from '../../core/logging/Logger';
import type { Logger } from '../../core/logging/Logger';
import type { OutgoingRecord, RecordSource, SourceRecord, StreamPublisher } from '../../core/streams/RecordSource';
import { AppendListeners } from './AppendListeners';
import { SqliteUnitOfWork } from './SqliteUnitOfWork';

/** Options of {@link SqliteStreamLog}. */
export interface SqliteStreamLogOptions {
  /** @defaultValue silentLogger */
  logger?: Logger;
}

const DEFAULTS: Required<SqliteStreamLogOptions> = {
  logger: silentLogger,
};

interface StreamRow {
  position: number;
  key: string;
  record: Buffer;
}

/**
 * Named streams (the embedded core stream and topics) in one `stream_records` table.
 *
 * Guarantees: a `publish` is atomic; publishing a `deduplicationId` already stored in the same
 * stream stores nothing (INSERT OR IGNORE), so re-publishing after a crash is harmless;
 * positions increase in commit order (shared by all streams, so not contiguous per stream);
 * each stream's listeners are called after the commit.
 *
 * @example
 * const log = new SqliteStreamLog(db);
 * await log.publish('core', [{ key: 'order-1', record, deduplicationId: eventId }]);
 * const records = await log.source('core').read(0, 100);
 */
export class SqliteStreamLog implements StreamPublisher {
  private readonly logger: Logger;
  private readonly insert: Statement<[string, string, string, Buffer]>;
  private readonly selectAfter: Statement<[string, number, number], StreamRow>;
  private readonly insertAll: Transaction<(streamName: string, records: readonly OutgoingRecord[]) => number>;
  private readonly listeners = new Map<string, AppendListeners>();
  private readonly unitOfWork: SqliteUnitOfWork;

  constructor(db: Database, options: SqliteStreamLogOptions = {}) {
    this.logger = options.logger ?? DEFAULTS.logger;
    this.unitOfWork = SqliteUnitOfWork.of(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS stream_records (
        position INTEGER PRIMARY KEY,
        stream TEXT NOT NULL,
        key TEXT NOT NULL,
        dedup_id TEXT NOT NULL,
        record BLOB NOT NULL,
        UNIQUE (stream, dedup_id)
      );
      CREATE INDEX IF NOT EXISTS stream_records_by_stream ON stream_records (stream, position)`);
    this.insert = db.prepare('INSERT OR IGNORE INTO stream_records (stream, key, dedup_id, record) VALUES (?, ?, ?, ?)');
    this.selectAfter = db.prepare(
      'SELECT position, key, record FROM stream_records WHERE stream = ? AND position > ? ORDER BY position LIMIT ?',
    );
    this.insertAll = db.transaction((streamName: string, records: readonly OutgoingRecord[]) => {
      let inserted = 0;
      for (const r of records) inserted += this.insert.run(streamName, r.key, r.deduplicationId, r.record).changes;
      return inserted;
    });
  }

  async publish(streamName: string, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const inserted = this.insertAll.immediate(streamName, records);
    if (inserted > 0) this.listenersOf(streamName).notify();
    // Inside a shared transaction of another caller, the insert is durable only at its commit.
    await this.unitOfWork.durable();
  }

  /** The stream `streamName` as a pipeline source (it need not have records yet). */
  source(streamName: string): RecordSource {
    return {
      name: streamName,
      read: async (afterPosition: number, limit: number): Promise<SourceRecord[]> =>
        this.selectAfter.all(streamName, afterPosition, limit).map((row) => ({ ...row })),
      onAppend: (listener: () => void) => this.listenersOf(streamName).add(listener),
    };
  }

  private listenersOf(streamName: string): AppendListeners {
    let listeners = this.listeners.get(streamName);
    if (!listeners) {
      listeners = new AppendListeners(this.logger, `stream:${streamName}`);
      this.listeners.set(streamName, listeners);
    }
    return listeners;
  }
}
