import { PublishBatchCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { NexusError } from '../../core/errors/NexusError';
import { MessagingError, MESSAGING_ERRORS } from '../../core/messaging/MessagingErrors';
import { validateTopicMessages } from '../../core/messaging/QueueMessage';
import type { TopicMessage } from '../../core/messaging/QueueMessage';
import type { TopicPublisher } from '../../core/messaging/Topic';
import { AWS_RETRY_DEFAULTS, callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { publishInKeyRounds } from './publishInKeyRounds';
import type { EntryFailure } from './publishInKeyRounds';
import { publishEntry, validateSnsMessages } from './SnsMessageEntries';

/** Options of {@link SnsTopicPublisher}. */
export interface SnsTopicPublisherOptions {
  /** A client built with `maxAttempts: 1` (this publisher retries). */
  client: SNSClient;
  /** Nexus topic name -> SNS topic ARN (`messagingResources(...).topicArns`); an ARN ending in `.fifo` is a FIFO topic. */
  topicArns: Readonly<Record<string, string>>;
  /** Retries of whole calls and of failed entries. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/** Entries SNS takes in one PublishBatch. */
export const SNS_MAX_BATCH_ENTRIES = 10;

export const TOPIC_PUBLISH_ERRORS = {
  /** Some messages were not published: refused by SNS, or still failing after every retry. */
  PUBLISH_FAILED: 'TOPIC_PUBLISH_FAILED',
} as const;

/** Messages SNS did not take; nothing after them (per key) was published. Publish the batch again. */
export class TopicPublishFailedError extends NexusError {
  constructor(topicName: string, unpublished: number, cause: unknown) {
    super(TOPIC_PUBLISH_ERRORS.PUBLISH_FAILED, `${unpublished} message(s) could not be published to topic ${topicName}`, { cause, details: { topicName, unpublished } });
  }
}

/**
 * Publishes to SNS topics with PublishBatch; SNS fans each message out to the subscribed SQS
 * queues whose filter policy accepts its attributes (raw delivery: the SQS body is the message).
 * The body goes as base64 text (SNS carries text), the attributes as String message attributes
 * (plus `aggregateId` = group key when missing); on a FIFO topic the group key is the
 * MessageGroupId and the deduplication id the MessageDeduplicationId.
 *
 * Order per key: PublishBatch may fail single entries while later entries of the same call
 * succeed, so one call never carries two messages of one key. Messages go out in rounds (the
 * next unpublished message of each key, at most 10 per call); a failed entry is retried alone,
 * its key's later messages held back, with full-jitter backoff, at most `maxAttempts` tries.
 * Whole calls are retried by `callWithRetry`. Errors: UNKNOWN_TOPIC, INVALID_MESSAGE (the port's
 * checks and SNS's own limits, before anything is sent), {@link TopicPublishFailedError} for an
 * entry SNS refuses as the sender's fault (not retried) or that keeps failing. A batch published
 * again is stored once by FIFO topics and queues (5-minute deduplication window); standard
 * queues may then hold a duplicate, which consumers tolerate (sinks are idempotent).
 *
 * @example
 * const topics = new SnsTopicPublisher({ client: new SNSClient({ maxAttempts: 1 }), topicArns: resources.topicArns });
 * await topics.publish('order-events', [{ body, groupKey: 'order-1', deduplicationId: eventId, attributes: eventMessageAttributes(envelope) }]);
 */
export class SnsTopicPublisher implements TopicPublisher {
  private readonly client: SNSClient;
  private readonly topicArns: Readonly<Record<string, string>>;
  private readonly retry: Required<Omit<AwsRetryOptions, 'onRetry'>> & Pick<AwsRetryOptions, 'onRetry'>;

  constructor(options: SnsTopicPublisherOptions) {
    this.client = options.client;
    this.topicArns = options.topicArns;
    this.retry = { ...AWS_RETRY_DEFAULTS, ...options.retry };
  }

  async publish(topicName: string, messages: readonly TopicMessage[]): Promise<void> {
    const topicArn = this.topicArns[topicName];
    if (topicArn === undefined) throw new MessagingError(MESSAGING_ERRORS.UNKNOWN_TOPIC, `no SNS topic is configured for topic "${topicName}"`, { details: { topic: topicName } });
    const fifo = topicArn.endsWith('.fifo');
    validateTopicMessages(messages);
    validateSnsMessages(messages, fifo);
    await publishInKeyRounds(messages, {
      keyOf: (message) => message.groupKey,
      sendRound: (round, unpublished) => this.publishRound(topicName, topicArn, fifo, round, unpublished),
      giveUp: (unpublished, cause) => new TopicPublishFailedError(topicName, unpublished, cause),
      retry: this.retry,
    });
  }

  /** Publishes one message per key, at most 10 per call; returns the failed entries' answers. */
  private async publishRound(
    topicName: string,
    topicArn: string,
    fifo: boolean,
    round: readonly TopicMessage[],
    unpublished: () => number,
  ): Promise<Map<TopicMessage, EntryFailure>> {
    const failed = new Map<TopicMessage, EntryFailure>();
    for (let start = 0; start < round.length; start += SNS_MAX_BATCH_ENTRIES) {
      const chunk = round.slice(start, start + SNS_MAX_BATCH_ENTRIES);
      const entries = chunk.map((message, index) => publishEntry(message, String(index), fifo));
      const result = await callWithRetry(`PublishBatch ${topicName}`, () => this.client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries })), this.retry).catch(
        (error: unknown) => {
          throw new TopicPublishFailedError(topicName, unpublished(), error);
        },
      );
      const succeeded = new Set((result.Successful ?? []).map((entry) => entry.Id));
      const failures = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
      chunk.forEach((message, index) => {
        const id = String(index);
        if (succeeded.has(id)) return;
        const failure = failures.get(id);
        // A sender fault (an attribute SNS refuses, say) fails the same way every time: no retry.
        failed.set(message, failure ? { reason: `${failure.Code ?? 'NoCode'} ${failure.Message ?? ''}`.trim(), retryable: failure.SenderFault !== true } : { reason: 'NoAnswer: PublishBatch answered nothing for this entry', retryable: true });
      });
    }
    return failed;
  }
}
