import type { BatchResultErrorEntry } from '@aws-sdk/client-sqs';
import { NexusError } from '../../core/errors/NexusError';
import { backoffDelayMs } from '../../core/pipeline/retryWithBackoff';
import { AWS_RETRY_DEFAULTS, callWithRetry, describeAwsError } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';

/** Entries SQS takes in one batch call. */
export const SQS_MAX_BATCH_ENTRIES = 10;

export const SQS_QUEUE_ERRORS = {
  /** An SQS call failed for good: a non-transient error, or transient ones on every attempt. */
  CALL_FAILED: 'SQS_CALL_FAILED',
} as const;

/** An SQS call that failed for good; `cause` holds the service's answer. */
export class SqsCallFailedError extends NexusError {
  constructor(operation: string, queueName: string, cause: unknown) {
    super(SQS_QUEUE_ERRORS.CALL_FAILED, `${operation} on queue ${queueName} failed: ${describeAwsError(cause)}`, { cause, details: { operation, queue: queueName } });
  }
}

/** What a batch call (DeleteMessageBatch, ChangeMessageVisibilityBatch, SendMessageBatch) answers. */
export interface SqsBatchAnswer {
  Successful?: readonly { Id?: string | undefined }[] | undefined;
  Failed?: readonly BatchResultErrorEntry[] | undefined;
}

/** An entry of a batch call, with the `Id` SQS wants. */
export type WithId<E> = E & { Id: string };

/**
 * Runs `entries` through a batch call, at most 10 per call, in order. Whole calls are retried by
 * `callWithRetry`; entries failing as the service's fault are retried by themselves with
 * full-jitter backoff, at most `maxAttempts` tries, then {@link SqsCallFailedError}. Entries
 * refused as the sender's fault (a stale receipt handle, say) are not retried: they are returned
 * with SQS's answer, for the caller to decide.
 */
export async function callInBatches<E extends object>(
  operation: string,
  queueName: string,
  entries: readonly E[],
  call: (batch: WithId<E>[]) => Promise<SqsBatchAnswer>,
  retry: AwsRetryOptions = {},
): Promise<Map<E, BatchResultErrorEntry>> {
  const settings = { ...AWS_RETRY_DEFAULTS, ...retry };
  const refused = new Map<E, BatchResultErrorEntry>();
  for (let start = 0; start < entries.length; start += SQS_MAX_BATCH_ENTRIES) {
    let pending = entries.slice(start, start + SQS_MAX_BATCH_ENTRIES).map((entry, index) => ({ entry, id: String(index) }));
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const batch = pending.map(({ entry, id }) => ({ ...entry, Id: id }));
      const answer = await callWithRetry(`${operation} ${queueName}`, () => call(batch), settings).catch((error: unknown) => {
        throw new SqsCallFailedError(operation, queueName, error);
      });
      const succeeded = new Set((answer.Successful ?? []).map((entry) => entry.Id));
      const failures = new Map((answer.Failed ?? []).map((entry) => [entry.Id, entry]));
      const again: typeof pending = [];
      for (const item of pending) {
        if (succeeded.has(item.id)) continue;
        const failure = failures.get(item.id) ?? { Id: item.id, Code: 'NoAnswer', SenderFault: false, Message: `${operation} answered nothing for this entry` };
        if (failure.SenderFault) refused.set(item.entry, failure);
        else again.push(item);
      }
      if (again.length > 0 && attempt >= settings.maxAttempts) {
        const [first] = again.map((item) => failures.get(item.id));
        throw new SqsCallFailedError(operation, queueName, new Error(`${again.length} entries failed ${attempt} time(s): ${first?.Code ?? 'NoAnswer'} ${first?.Message ?? ''}`.trim()));
      }
      if (again.length > 0) {
        const delayMs = backoffDelayMs(attempt, settings.initialBackoffMs, settings.maxBackoffMs, settings.random);
        settings.onRetry?.(new Error(`${again.length} ${operation} entries failed`), attempt, delayMs);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      pending = again;
    }
  }
  return refused;
}
