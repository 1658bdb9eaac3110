import { count, defer, lastValueFrom, of } from 'rxjs';
import type { PipelineContext, PipelineDefinition } from '../pipeline/PipelineDefinition';
import type { PipelineMetricsRecorder } from '../pipeline/PipelineMetrics';
import type { SourceRecord } from '../streams/RecordSource';
import type { ReceivedMessage } from './QueueMessage';

/** A message of a batch that failed, and the messages of its key in the batch behind it (not run). */
export interface FailedMessage {
  message: ReceivedMessage;
  error: unknown;
  behind: ReceivedMessage[];
}

/** What became of a received batch. */
export interface QueueBatchVerdict {
  /** Finished: ack them. */
  done: ReceivedMessage[];
  /** Failed (with the rest of their key): leave them to be received again. */
  failed: FailedMessage[];
}

/** What {@link processQueueBatch} works with. */
export interface QueueBatchDependencies {
  definition: PipelineDefinition;
  context: PipelineContext;
  stats: PipelineMetricsRecorder;
  /** Keys run at the same time. */
  concurrency: number;
}

/** A received message as the pipe sees it: the same record shape as a log source's. */
export function recordOf(message: ReceivedMessage): SourceRecord {
  return { position: message.sequence, key: message.groupKey, record: message.body };
}

/**
 * Runs a received batch through the pipeline: messages grouped by key (the pipeline's `key`,
 * default the group key), keys concurrently up to `concurrency`, the messages of one key one at a
 * time in receive order. A key stops at its first failure: that message and the rest of its key
 * are not finished (so a later delivery cannot overtake it on this consumer). Never rejects.
 */
export async function processQueueBatch(messages: readonly ReceivedMessage[], deps: QueueBatchDependencies): Promise<QueueBatchVerdict> {
  const keyOf = deps.definition.key ?? ((record: SourceRecord) => record.key);
  const byKey = new Map<string, ReceivedMessage[]>();
  for (const message of messages) {
    const key = keyOf(recordOf(message));
    const list = byKey.get(key);
    if (list) list.push(message);
    else byKey.set(key, [message]);
  }
  const verdict: QueueBatchVerdict = { done: [], failed: [] };
  const keys = [...byKey.values()];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < keys.length; index = next++) await runKey(keys[index] as ReceivedMessage[], deps, verdict);
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency, keys.length) }, lane));
  return verdict;
}

async function runKey(messages: readonly ReceivedMessage[], deps: QueueBatchDependencies, verdict: QueueBatchVerdict): Promise<void> {
  const { definition, context, stats } = deps;
  for (const [index, message] of messages.entries()) {
    const startedAt = performance.now();
    try {
      const outcomes = await lastValueFrom(defer(() => definition.pipe(of(recordOf(message)), context)).pipe(count()));
      stats.recordsIn += 1;
      stats.recordsOut += outcomes;
      stats.recordLatency(performance.now() - startedAt);
      verdict.done.push(message);
    } catch (error) {
      verdict.failed.push({ message, error, behind: messages.slice(index + 1) });
      return;
    }
  }
}
