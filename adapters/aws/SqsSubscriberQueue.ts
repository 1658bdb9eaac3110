import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { MessagingError, MESSAGING_ERRORS } from '../../core/messaging/MessagingErrors';
import type { DeadLetteredMessage, ReceivedMessage } from '../../core/messaging/QueueMessage';
import { QUEUE_DEFAULTS } from '../../core/messaging/SubscriberQueue';
import type { QueueDepth, QueueSettings, SubscriberQueue } from '../../core/messaging/SubscriberQueue';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { callInBatches, SQS_MAX_BATCH_ENTRIES, SqsCallFailedError } from './SqsBatchEntries';
import { SqsDeadLetterQueue } from './SqsDeadLetterQueue';
import { RECEIVE_SYSTEM_ATTRIBUTES, receivedMessage } from './SqsReceivedMessages';

/** Options of {@link SqsSubscriberQueue}. */
export interface SqsSubscriberQueueOptions {
  /** A client built with `maxAttempts: 1` (this queue retries). */
  client: SQSClient;
  /** The Nexus queue name (the subscription's `queue`). */
  name: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /**
   * The subscription's settings (`subscriptionOf(topics, name)`), the same the queue was created
   * with (`messagingResources`): SQS enforces visibility and the receive count, this adapter only
   * reports them. `ordering: 'per-key'` needs a FIFO queue. @defaultValue QUEUE_DEFAULTS
   */
  settings?: QueueSettings;
  /**
   * Long polling of the first ReceiveMessage of a receive: up to this long for a first message
   * (at most 20). 0 answers at once, as the port's callers expect (the runner idles between empty
   * receives and stops without waiting out a poll); more saves empty receives on idle queues. @defaultValue 0
   */
  waitTimeSeconds?: number;
  /** How long a dead-letter peek or redrive hides what it read until it gives it back or deletes it. @defaultValue 30 */
  deadLetterHoldSeconds?: number;
  /** Retries of whole calls and of failed batch entries. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/** SQS's longest visibility timeout (12 hours). */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/**
 * A subscriber queue on SQS, fed by an SNS topic with raw delivery (see `messagingResources`):
 * FIFO for `ordering: 'per-key'` (message group = group key: a group's later messages wait while
 * one is in flight), standard for `'none'`.
 *
 * receive: ReceiveMessage, at most 10 per call, repeated until `maxMessages` or an empty answer;
 * the visibility timeout rounded up to whole seconds (SQS's unit). ack: DeleteMessageBatch.
 * changeVisibility: ChangeMessageVisibilityBatch, rounded up, at most 12 hours. Receipt handles
 * SQS no longer accepts are ignored, as the port says (on standard queues SQS may also delete or
 * hide a message by a stale handle: that is SQS's rule). depth: the approximate counts of the
 * queue and its dead-letter queue. The dead-letter queue: SQS moves a message there on the
 * receive after `maxReceiveCount` (its RedrivePolicy); `deadLetters` and `redrive` are
 * {@link SqsDeadLetterQueue}'s.
 *
 * Errors: {@link SqsCallFailedError} (after `callWithRetry` for transient faults); a FIFO queue
 * declared unordered or the reverse is refused at construction (INVALID_DECLARATION).
 */
export class SqsSubscriberQueue implements SubscriberQueue {
  readonly name: string;
  readonly settings: Readonly<Required<QueueSettings>>;
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly deadLetterQueueUrl: string;
  private readonly waitTimeSeconds: number;
  private readonly retry: AwsRetryOptions;
  private readonly deadLetterQueue: SqsDeadLetterQueue;

  constructor(options: SqsSubscriberQueueOptions) {
    this.name = options.name;
    this.settings = { ...QUEUE_DEFAULTS, ...definedSettings(options.settings ?? {}) };
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.deadLetterQueueUrl = options.deadLetterQueueUrl;
    this.waitTimeSeconds = Math.min(20, options.waitTimeSeconds ?? 0);
    this.retry = options.retry ?? {};
    if (options.queueUrl.endsWith('.fifo') !== (this.settings.ordering === 'per-key')) {
      throw new MessagingError(MESSAGING_ERRORS.INVALID_DECLARATION, `queue ${this.name}: ordering '${this.settings.ordering}' needs ${this.settings.ordering === 'per-key' ? 'a FIFO' : 'a standard'} SQS queue; got ${options.queueUrl}`, {
        details: { field: 'ordering', queue: this.name },
      });
    }
    this.deadLetterQueue = new SqsDeadLetterQueue({ ...options, settings: this.settings, holdSeconds: options.deadLetterHoldSeconds ?? 30, retry: this.retry });
  }

  async receive(maxMessages: number, options: { visibilityTimeoutMs?: number } = {}): Promise<ReceivedMessage[]> {
    if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new RangeError(`maxMessages must be a positive integer; got ${maxMessages}`);
    const visibilitySeconds = toSeconds(options.visibilityTimeoutMs ?? this.settings.visibilityTimeoutMs);
    const received: ReceivedMessage[] = [];
    while (received.length < maxMessages) {
      const messages = await this.receiveOnce(Math.min(SQS_MAX_BATCH_ENTRIES, maxMessages - received.length), visibilitySeconds, received.length === 0 ? this.waitTimeSeconds : 0);
      received.push(...messages.map(receivedMessage));
      if (messages.length === 0) break;
    }
    return received;
  }

  async ack(receiptHandles: readonly string[]): Promise<void> {
    const entries = receiptHandles.map((ReceiptHandle) => ({ ReceiptHandle }));
    // Refused entries carry handles SQS no longer knows: the message was received again since, or is gone.
    await callInBatches('DeleteMessageBatch', this.name, entries, (batch) => this.client.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch })), this.retry);
  }

  async changeVisibility(receiptHandles: readonly string[], visibilityTimeoutMs: number): Promise<void> {
    if (!Number.isInteger(visibilityTimeoutMs) || visibilityTimeoutMs < 0) throw new RangeError(`visibilityTimeoutMs must be an integer >= 0; got ${visibilityTimeoutMs}`);
    const VisibilityTimeout = toSeconds(visibilityTimeoutMs);
    const entries = receiptHandles.map((ReceiptHandle) => ({ ReceiptHandle, VisibilityTimeout }));
    await callInBatches(
      'ChangeMessageVisibilityBatch',
      this.name,
      entries,
      (batch) => this.client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.queueUrl, Entries: batch })),
      this.retry,
    );
  }

  async depth(): Promise<QueueDepth> {
    const [queue, deadLetters] = await Promise.all([this.counts(this.queueUrl), this.counts(this.deadLetterQueueUrl)]);
    return { visible: queue.visible, inFlight: queue.inFlight, deadLettered: deadLetters.visible + deadLetters.inFlight };
  }

  deadLetters(limit: number): Promise<DeadLetteredMessage[]> {
    return this.deadLetterQueue.peek(limit);
  }

  redrive(options: { limit?: number } = {}): Promise<number> {
    return this.deadLetterQueue.redrive(options.limit);
  }

  private async receiveOnce(maxMessages: number, visibilitySeconds: number, waitTimeSeconds: number): Promise<Message[]> {
    const command = new ReceiveMessageCommand({
      QueueUrl: this.queueUrl,
      MaxNumberOfMessages: maxMessages,
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: RECEIVE_SYSTEM_ATTRIBUTES,
      MessageAttributeNames: ['All'],
    });
    const { Messages } = await callWithRetry(`ReceiveMessage ${this.name}`, () => this.client.send(command), this.retry).catch((error: unknown) => {
      throw new SqsCallFailedError('ReceiveMessage', this.name, error);
    });
    return Messages ?? [];
  }

  private async counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    const command = new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] });
    const { Attributes } = await callWithRetry(`GetQueueAttributes ${this.name}`, () => this.client.send(command), this.retry).catch((error: unknown) => {
      throw new SqsCallFailedError('GetQueueAttributes', this.name, error);
    });
    return { visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
  }
}

/** Whole seconds, rounded up (a message is never visible earlier than asked), at most SQS's 12 hours. */
export function toSeconds(ms: number): number {
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.ceil(ms / 1000));
}

/** The queue settings of `settings` that are set (a resolved subscription carries more fields). */
function definedSettings({ visibilityTimeoutMs, maxReceiveCount, ordering }: QueueSettings): QueueSettings {
  return Object.fromEntries(Object.entries({ visibilityTimeoutMs, maxReceiveCount, ordering }).filter(([, value]) => value !== undefined)) as QueueSettings;
}
