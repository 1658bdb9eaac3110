import { backoffDelayMs } from '../../core/pipeline/retryWithBackoff';
import type { AwsRetryOptions } from './awsCallRetry';

/** Why an entry of a batch call failed, as the service answered. */
export interface EntryFailure {
  /** The service's code and message, for the final error. */
  reason: string;
  /** False for a fault of the sender (the same entry would fail again): no retry. */
  retryable: boolean;
}

/** What {@link publishInKeyRounds} needs of a publisher. */
export interface KeyRoundsPublisher<T> {
  keyOf(item: T): string;
  /**
   * Sends `round` (at most one item per key) in as many calls as the service's limits need;
   * returns the entries that failed. `unpublished()` counts what is still to go, for an error
   * thrown from here.
   */
  sendRound(round: readonly T[], unpublished: () => number): Promise<Map<T, EntryFailure>>;
  /** The error to throw when an entry fails for good: `unpublished` items were not sent. */
  giveUp(unpublished: number, cause: Error): Error;
  retry: Required<Omit<AwsRetryOptions, 'onRetry'>> & Pick<AwsRetryOptions, 'onRetry'>;
}

/**
 * Sends `items` through a batch API that may fail single entries while later entries of the same
 * call succeed (Kinesis PutRecords, SNS PublishBatch), keeping order per key: items go out in
 * rounds, round n holding the next unsent item of each key, so one call never carries two items
 * of one key; a failed entry is sent again by itself, its key's later items held back, with
 * full-jitter backoff, at most `retry.maxAttempts` times (once for a sender fault); then
 * `giveUp`, with nothing after the failed item of its key sent.
 */
export async function publishInKeyRounds<T>(items: readonly T[], publisher: KeyRoundsPublisher<T>): Promise<void> {
  const { retry } = publisher;
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const key = publisher.keyOf(item);
    const queue = queues.get(key);
    if (queue) queue.push(item);
    else queues.set(key, [item]);
  }
  const unpublished = (): number => [...queues.values()].reduce((sum, queue) => sum + queue.length, 0);
  const attempts = new Map<string, number>();
  while (queues.size > 0) {
    const round = [...queues.values()].map((queue) => queue[0] as T);
    const failed = await publisher.sendRound(round, unpublished);
    for (const item of round) {
      if (failed.has(item)) continue;
      const key = publisher.keyOf(item);
      const queue = queues.get(key) as T[];
      queue.shift();
      attempts.delete(key);
      if (queue.length === 0) queues.delete(key);
    }
    if (failed.size === 0) continue;
    let highest = 0;
    for (const [item, failure] of failed) {
      const key = publisher.keyOf(item);
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      if (!failure.retryable || attempt >= retry.maxAttempts) {
        throw publisher.giveUp(unpublished(), new Error(`entry of key ${key} failed ${attempt} time(s): ${failure.reason}`));
      }
      highest = Math.max(highest, attempt);
    }
    const delayMs = backoffDelayMs(highest, retry.initialBackoffMs, retry.maxBackoffMs, retry.random);
    retry.onRetry?.(new Error(`${failed.size} batch entries failed`), highest, delayMs);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
