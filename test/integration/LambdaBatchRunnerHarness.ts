import type { DeadLetter } from '../../core/deadletter/DeadLetterStore';
import { LambdaBatchRunner } from '../../core/pipeline/lambda/LambdaBatchRunner';
import type { LambdaRunnerOptions } from '../../core/pipeline/lambda/LambdaBatchRunner';
import type { PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { EventCodec } from '../../core/schema/EventCodec';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import { orderRecord } from '../unit/operators/pipelineFixtures';
import { observations, RunnerHarness, summaryPipeline } from '../unit/pipeline/runnerHarness';
import type { Observations } from '../unit/pipeline/runnerHarness';

/** One order event as a writer would put it on a stream or queue. */
export interface OrderEvent {
  key: string;
  version: number;
  eventId: string;
  record: Buffer;
}

/**
 * What the Lambda runner tests share: a real codec, real SQLite stores (read models, dead
 * letters) and the observed order-summary pipeline of the embedded runner's tests (its bug and
 * its gates switched on per aggregate id).
 */
export class LambdaRunnerHarness {
  readonly seen: Observations = observations();
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly codec: EventCodec,
    readonly stores: RunnerHarness,
  ) {}

  static async create(): Promise<LambdaRunnerHarness> {
    const { codec } = await createSchemaEnvironment();
    return new LambdaRunnerHarness(codec, new RunnerHarness(codec));
  }

  /** The next event of each aggregate id (OrderPlaced first, then items added), in the order given. */
  async events(...aggregateIds: string[]): Promise<OrderEvent[]> {
    const events: OrderEvent[] = [];
    for (const key of aggregateIds) {
      const version = (this.versions.get(key) ?? 0) + 1;
      this.versions.set(key, version);
      const { record } = await orderRecord(this.codec, { aggregateId: key, aggregateVersion: version, eventType: version === 1 ? 'OrderPlaced' : 'OrderItemAdded' });
      const { eventId } = await this.codec.decodeEnvelope(record);
      events.push({ key, version, eventId, record });
    }
    return events;
  }

  /** A runner of `definition` (default: the observed order-summary pipeline with 1-2 ms backoffs). */
  runner(options: LambdaRunnerOptions = {}, definition: PipelineDefinition = summaryPipeline(this.seen)): LambdaBatchRunner {
    const context = { ...this.stores.context, pipelineName: definition.name };
    return new LambdaBatchRunner(definition, { deadLetters: this.stores.deadLetters, context }, options);
  }

  /** From now on the dead-letter store refuses every park (a real SQLite failure, raised by a trigger); reads still work. */
  refuseParks(): void {
    this.stores.db.exec(`CREATE TRIGGER refuse_parks BEFORE INSERT ON dead_letters BEGIN SELECT RAISE(ABORT, 'dead-letter store unavailable'); END`);
  }

  acceptParks(): void {
    this.stores.db.exec('DROP TRIGGER refuse_parks');
  }

  /** Parked entries of the order-summary pipeline, oldest first. */
  parked(): Promise<DeadLetter[]> {
    return this.stores.deadLetters.list({ pipelineName: 'order-summary', limit: 1000 });
  }

  /** Versions the projection applied per aggregate id, in order. */
  applied(): Record<string, number[]> {
    return Object.fromEntries(this.seen.applied);
  }

  async close(): Promise<void> {
    await this.stores.close();
  }
}
