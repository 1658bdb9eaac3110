import Database from 'better-sqlite3';
import { defer, finalize, tap } from 'rxjs';
import { SqliteCheckpointStore, SqliteDeadLetterStore, SqliteReadModelStore, SqliteStreamLog } from '../../../adapters/embedded';
import { silentLogger } from '../../../core/logging/Logger';
import { EmbeddedPipelineRunner } from '../../../core/pipeline/EmbeddedPipelineRunner';
import type { RunnerOptions } from '../../../core/pipeline/EmbeddedPipelineRunner';
import { definePipeline } from '../../../core/pipeline/PipelineDefinition';
import type { PipelineContext, PipelineDefinition } from '../../../core/pipeline/PipelineDefinition';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import type { EventCodec } from '../../../core/schema/EventCodec';
import type { CheckpointStore } from '../../../core/checkpoint/CheckpointStore';
import type { RecordSource } from '../../../core/streams/RecordSource';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { decode, ofType, project } from '../../../operators';
import type { ProjectionReducer } from '../../../operators';
import { orderRecord } from '../operators/pipelineFixtures';
import type { OrderEventFixture } from '../operators/pipelineFixtures';
import { asyncOnly } from '../../support/asyncOnlyCollection';

export interface OrderSummary {
  status: string;
  lines: number;
}

export const ORDERS = 'order-summaries';

const summarise: ProjectionReducer<OrderSummary> = (current, event) => {
  if (event.eventType === 'OrderCancelled') return { status: 'CANCELLED', lines: current?.lines ?? 0 };
  if (event.eventType === 'OrderItemAdded') return { status: current?.status ?? 'PLACED', lines: (current?.lines ?? 0) + 1 };
  return { status: 'PLACED', lines: 1 };
};

/** What the test pipeline saw and did; its bug is switched on per aggregate id. */
export interface Observations {
  /** aggregateId -> versions the projection applied, in order. */
  applied: Map<string, number[]>;
  /** eventId -> how many times the pipeline was run on it. */
  runs: Map<string, number>;
  /** Aggregate ids whose events throw inside the pipeline (a bug until deleted). */
  broken: Set<string>;
  /** Aggregate ids whose events throw until their gate is opened. */
  gates: Map<string, Gate>;
  /** `id@version` of every applied event, in the order the projection applied them. */
  appliedOrder: string[];
  inFlight: number;
  maxInFlight: number;
}

/**
 * Holds a key failing until `open()`: every run of one of its events throws meanwhile, and
 * counts as an attempt. Tests wait for attempts, never for time.
 */
export class Gate {
  attempts = 0;
  private opened = false;
  private readonly waiters: { attempts: number; resolve: () => void }[] = [];

  get isOpen(): boolean {
    return this.opened;
  }

  open(): void {
    this.opened = true;
  }

  /** Counts an attempt; throws while the gate is closed. */
  pass(aggregateId: string): void {
    this.attempts += 1;
    for (const waiter of this.waiters.filter((entry) => entry.attempts <= this.attempts)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (!this.opened) throw new Error(`${aggregateId} is held by its gate`);
  }

  /** Resolves once `attempts` attempts have been made in all. */
  attempted(attempts: number): Promise<void> {
    if (this.attempts >= attempts) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ attempts, resolve }));
  }
}

/**
 * Resolves once `condition` holds, checking every few milliseconds; rejects after `timeoutMs`, so
 * that a test that fails stops polling instead of keeping the process alive after its timeout.
 */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString().slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * A projection pipeline over the `core` stream that records what it does. `asyncSink` hides the
 * store's synchronous side, so each write awaits as with a remote store and lanes overlap.
 */
export function summaryPipeline(seen: Observations, options: PipelineDefinition['options'] = {}, asyncSink = false): PipelineDefinition {
  return definePipeline({
    name: 'order-summary',
    source: 'core',
    options: { initialBackoffMs: 1, maxBackoffMs: 2, ...options },
    pipe: (records$, context) =>
      defer(() => {
        seen.inFlight += 1;
        seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
        return records$.pipe(
          decode(context.codec),
          tap((event) => observeRun(seen, event)),
          ofType('OrderPlaced', 'OrderItemAdded', 'OrderCancelled'),
          project(asyncSink ? asyncOnly(context.readModels.collection<OrderSummary>(ORDERS)) : context.readModels.collection<OrderSummary>(ORDERS), summarise),
          tap((outcome) => outcome.applied && observeApplied(seen, outcome.id, outcome.version)),
          finalize(() => (seen.inFlight -= 1)),
        );
      }),
  });
}


function observeRun(seen: Observations, event: PipelineEvent): void {
  const { eventId, aggregateId } = event.envelope;
  seen.runs.set(eventId, (seen.runs.get(eventId) ?? 0) + 1);
  if (seen.broken.has(aggregateId)) throw new Error(`cannot summarise ${aggregateId}`);
  seen.gates.get(aggregateId)?.pass(aggregateId);
}

function observeApplied(seen: Observations, id: string, version: number): void {
  seen.applied.set(id, [...(seen.applied.get(id) ?? []), version]);
  seen.appliedOrder.push(`${id}@${version}`);
}

export function observations(): Observations {
  return { applied: new Map(), runs: new Map(), broken: new Set(), gates: new Map(), appliedOrder: [], inFlight: 0, maxInFlight: 0 };
}

/** Real SQLite adapters on one database (a file to test restarts, else in memory). */
export class RunnerHarness {
  readonly db: Database.Database;
  readonly streams: SqliteStreamLog;
  readonly checkpoints: SqliteCheckpointStore;
  readonly deadLetters: SqliteDeadLetterStore;
  readonly readModels: SqliteReadModelStore;
  readonly context: PipelineContext;
  private readonly runners: EmbeddedPipelineRunner[] = [];
  private nextVersion = new Map<string, number>();

  constructor(readonly codec: EventCodec, file = ':memory:') {
    this.db = new Database(file);
    this.streams = new SqliteStreamLog(this.db);
    this.checkpoints = new SqliteCheckpointStore(this.db);
    this.deadLetters = new SqliteDeadLetterStore(this.db);
    this.readModels = new SqliteReadModelStore(this.db);
    this.context = {
      pipelineName: 'order-summary',
      codec,
      upcasters: new UpcasterRegistry(),
      readModels: this.readModels,
      publisher: this.streams,
      logger: silentLogger,
    };
  }

  get source(): RecordSource {
    return this.streams.source('core');
  }

  runner(definition: PipelineDefinition, options: RunnerOptions = {}, overrides: { source?: RecordSource; checkpoints?: CheckpointStore } = {}): EmbeddedPipelineRunner {
    const runner = new EmbeddedPipelineRunner(
      definition,
      {
        source: overrides.source ?? this.source,
        checkpoints: overrides.checkpoints ?? this.checkpoints,
        deadLetters: this.deadLetters,
        context: this.context,
      },
      options,
    );
    this.runners.push(runner);
    return runner;
  }

  /** Publishes the next event of each aggregate id to `core` (OrderPlaced first, then items added). */
  async publish(...aggregateIds: string[]): Promise<Buffer[]> {
    const records: Buffer[] = [];
    for (const aggregateId of aggregateIds) {
      const aggregateVersion = (this.nextVersion.get(aggregateId) ?? 0) + 1;
      this.nextVersion.set(aggregateId, aggregateVersion);
      const eventType: OrderEventFixture['eventType'] = aggregateVersion === 1 ? 'OrderPlaced' : 'OrderItemAdded';
      const { record } = await orderRecord(this.codec, { aggregateId, aggregateVersion, eventType });
      const { eventId } = await this.codec.decodeEnvelope(record);
      await this.streams.publish('core', [{ key: aggregateId, record, deduplicationId: eventId }]);
      records.push(record);
    }
    return records;
  }

  /** Source positions of `aggregateId`'s records, oldest first. */
  async positionsOf(aggregateId: string): Promise<number[]> {
    return (await this.source.read(0, 10_000)).filter((record) => record.key === aggregateId).map((record) => record.position);
  }

  async close(): Promise<void> {
    for (const runner of this.runners) await runner.stop();
    this.db.close();
  }
}
