import { randomUUID } from 'node:crypto';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetteredMessage } from '../../core/messaging/QueueMessage';
import type { QueueSettings } from '../../core/messaging/SubscriberQueue';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { callInBatches, SQS_MAX_BATCH_ENTRIES, SqsCallFailedError } from './SqsBatchEntries';
import { RECEIVE_SYSTEM_ATTRIBUTES, receivedMessage } from './SqsReceivedMessages';

/** What {@link SqsDeadLetterQueue} works on. */
export interface SqsDeadLetterQueueOptions {
  client: SQSClient;
  /** The Nexus queue name, for errors and logs. */
  name: string;
  /** The source queue, where redriven messages go back. */
  queueUrl: string;
  deadLetterQueueUrl: string;
  settings: Readonly<Required<QueueSettings>>;
  /** How long a peek or redrive hides what it read. */
  holdSeconds: number;
  retry: AwsRetryOptions;
}

/**
 * The dead-letter side of an SQS subscriber queue. SQS itself moves a message here, on the
 * receive after the source queue's `maxReceiveCount` (its RedrivePolicy); this class only reads
 * and moves back.
 *
 * peek: ReceiveMessage on the dead-letter queue hiding what it read for `holdSeconds`, until
 * `limit` or an empty answer, then every message is made visible again (visibility 0); so a peek
 * of more than 10 sees each message once. A peek counts as a receive in SQS's books (the
 * dead-letter queue has no redrive policy, so nothing moves); the receive count reported is the
 * source queue's `maxReceiveCount`, the count SQS moved it at. SQS records no move time:
 * `deadLetteredAtMs` is the first receive SQS recorded for the message, a lower bound.
 *
 * redrive: receive up to 10, oldest first by send time, SendMessageBatch them to the source
 * queue (same body, attributes and message group; a fresh deduplication id, since SQS still
 * remembers the original for 5 minutes and would drop the copy), then delete them from the
 * dead-letter queue. Moved messages are new to the source queue: receive count 0. A crash between
 * send and delete leaves a copy in both (at-least-once; consumers are idempotent). moto 5.2.5
 * does not serve StartMessageMoveTask, and that API moves everything (no `limit`) asynchronously
 * (no count to answer with), so the move is done here.
 */
export class SqsDeadLetterQueue {
  constructor(private readonly options: SqsDeadLetterQueueOptions) {}

  async peek(limit: number): Promise<DeadLetteredMessage[]> {
    const held: Message[] = [];
    try {
      while (held.length < limit) {
        const messages = await this.receive(Math.min(SQS_MAX_BATCH_ENTRIES, limit - held.length));
        if (messages.length === 0) break;
        held.push(...messages);
      }
    } finally {
      await this.giveBack(held);
    }
    return oldestFirst(held).map((message) => this.deadLettered(message));
  }

  async redrive(limit = Number.POSITIVE_INFINITY): Promise<number> {
    const { client, name, queueUrl, deadLetterQueueUrl, retry } = this.options;
    let moved = 0;
    while (moved < limit) {
      const messages = oldestFirst(await this.receive(Math.min(SQS_MAX_BATCH_ENTRIES, limit - moved)));
      if (messages.length === 0) break;
      const entries = messages.map((message) => ({ message, entry: this.sendEntry(message) }));
      const refused = await callInBatches(
        'SendMessageBatch',
        name,
        entries.map(({ entry }) => entry),
        (batch) => client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch })),
        retry,
      );
      const sent = entries.filter(({ entry }) => !refused.has(entry)).map(({ message }) => ({ ReceiptHandle: message.ReceiptHandle ?? '' }));
      await callInBatches('DeleteMessageBatch', name, sent, (batch) => client.send(new DeleteMessageBatchCommand({ QueueUrl: deadLetterQueueUrl, Entries: batch })), retry);
      moved += sent.length;
      if (refused.size > 0) {
        await this.giveBack(entries.filter(({ entry }) => refused.has(entry)).map(({ message }) => message));
        const [failure] = refused.values();
        throw new SqsCallFailedError('SendMessageBatch', name, new Error(`${refused.size} message(s) refused after ${moved} moved: ${failure?.Code ?? ''} ${failure?.Message ?? ''}`.trim()));
      }
    }
    return moved;
  }

  private async receive(maxMessages: number): Promise<Message[]> {
    const { client, name, deadLetterQueueUrl, holdSeconds, retry } = this.options;
    const command = new ReceiveMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MaxNumberOfMessages: maxMessages,
      VisibilityTimeout: holdSeconds,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: RECEIVE_SYSTEM_ATTRIBUTES,
      MessageAttributeNames: ['All'],
    });
    const { Messages } = await callWithRetry(`ReceiveMessage ${name} dead letters`, () => client.send(command), retry).catch((error: unknown) => {
      throw new SqsCallFailedError('ReceiveMessage', `${name} (dead letters)`, error);
    });
    return Messages ?? [];
  }

  private async giveBack(messages: readonly Message[]): Promise<void> {
    const { client, name, deadLetterQueueUrl, retry } = this.options;
    const entries = messages.map((message) => ({ ReceiptHandle: message.ReceiptHandle ?? '', VisibilityTimeout: 0 }));
    await callInBatches('ChangeMessageVisibilityBatch', `${name} (dead letters)`, entries, (batch) =>
      client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: deadLetterQueueUrl, Entries: batch })), retry);
  }

  private sendEntry(message: Message): Omit<SendMessageBatchRequestEntry, 'Id'> {
    const group = message.Attributes?.MessageGroupId;
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [attribute, value] of Object.entries(message.MessageAttributes ?? {})) {
      attributes[attribute] = { DataType: value.DataType ?? 'String', ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }), ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }) };
    }
    return {
      MessageBody: message.Body ?? '',
      MessageAttributes: attributes,
      ...(this.options.settings.ordering === 'per-key' ? { MessageGroupId: group ?? message.MessageId ?? '', MessageDeduplicationId: randomUUID() } : {}),
    };
  }

  private deadLettered(message: Message): DeadLetteredMessage {
    const { messageId, body, groupKey, attributes, sequence, sentAtMs } = receivedMessage(message);
    const firstReceive = Number(message.Attributes?.ApproximateFirstReceiveTimestamp ?? sentAtMs);
    return { messageId, body, groupKey, attributes, receiveCount: this.options.settings.maxReceiveCount, sequence, sentAtMs, deadLetteredAtMs: firstReceive };
  }
}

/** By send time; a stable sort keeps SQS's order (a FIFO group's) among equal times. */
function oldestFirst(messages: readonly Message[]): Message[] {
  return [...messages].sort((a, b) => Number(a.Attributes?.SentTimestamp ?? 0) - Number(b.Attributes?.SentTimestamp ?? 0));
}
