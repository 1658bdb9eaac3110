import type { EventEnvelope } from '../events/EventEnvelope';
import { MessagingError, MESSAGING_ERRORS } from './MessagingErrors';

/**
 * String attributes a message carries beside its body, read without decoding it: what routers,
 * filter policies and consumers know from the envelope alone. SNS/SQS message attributes on AWS.
 */
export type MessageAttributes = Readonly<Record<string, string>>;

/** A message to publish to a topic. */
export interface TopicMessage {
  /** Glue-framed `nexus.EventEnvelope` bytes, untouched. */
  body: Buffer;
  /** Ordering key (the aggregate id): per-key queues deliver one key's messages in publish order. */
  groupKey: string;
  /** Publishing the same id again while the message is still in a per-key queue stores it once (the event id). */
  deduplicationId: string;
  attributes: MessageAttributes;
}

/** A message as a subscriber queue delivers it. */
export interface ReceivedMessage {
  messageId: string;
  /** Proves this receive: ack and change visibility with it. A later receive of the same message gets a new one. */
  receiptHandle: string;
  body: Buffer;
  groupKey: string;
  attributes: MessageAttributes;
  /** Receives of this message so far, this one included (SQS `ApproximateReceiveCount`). */
  receiveCount: number;
  /** Publish order within the queue: increasing, not contiguous. */
  sequence: number;
  /** When it was published, ms since the epoch. */
  sentAtMs: number;
}

/** A message in a queue's dead-letter queue. */
export interface DeadLetteredMessage {
  messageId: string;
  body: Buffer;
  groupKey: string;
  attributes: MessageAttributes;
  /** Receives before it was moved (the queue's maxReceiveCount). */
  receiveCount: number;
  sequence: number;
  sentAtMs: number;
  deadLetteredAtMs: number;
}

/**
 * Largest body accepted, so that both backends refuse the same messages: SNS takes 256 KiB of
 * message text plus attributes, and carries a body as base64 text (4 bytes per 3), so 190 KiB of
 * body is 253 KiB of text, leaving about 2.6 KiB for the envelope's attributes.
 */
export const MAX_MESSAGE_BYTES = 190 * 1024;
/** Most attributes on one message (SNS delivers at most 10 to SQS). */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** Longest group key and deduplication id (SQS MessageGroupId / MessageDeduplicationId). */
export const MAX_MESSAGE_ID_LENGTH = 128;

/**
 * The attributes of an event's message: what its envelope says, so that filters and consumers
 * never decode a payload to know what an event is.
 */
export function eventMessageAttributes(envelope: Pick<EventEnvelope, 'eventId' | 'eventType' | 'aggregateType' | 'aggregateId' | 'schemaVersion' | 'correlationId'>): MessageAttributes {
  return {
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    aggregateType: envelope.aggregateType,
    aggregateId: envelope.aggregateId,
    schemaVersion: String(envelope.schemaVersion),
    correlationId: envelope.correlationId,
  };
}

/**
 * Refuses, before anything is sent, a batch that holds a message no backend would take: an empty
 * or oversized body, an empty or too long group key or deduplication id, too many attributes or
 * one without a value. Throws INVALID_MESSAGE naming the message index and field.
 */
export function validateTopicMessages(messages: readonly TopicMessage[]): void {
  messages.forEach((message, index) => {
    const refuse = (field: string, problem: string): never => {
      throw new MessagingError(MESSAGING_ERRORS.INVALID_MESSAGE, `message ${index}: ${field} ${problem}`, { details: { field: `messages[${index}].${field}`, index } });
    };
    if (!Buffer.isBuffer(message.body) || message.body.length === 0) refuse('body', 'must be non-empty bytes');
    if (message.body.length > MAX_MESSAGE_BYTES) refuse('body', `must be at most ${MAX_MESSAGE_BYTES} bytes; got ${message.body.length}`);
    if (!validId(message.groupKey)) refuse('groupKey', `must be 1 to ${MAX_MESSAGE_ID_LENGTH} characters`);
    if (!validId(message.deduplicationId)) refuse('deduplicationId', `must be 1 to ${MAX_MESSAGE_ID_LENGTH} characters`);
    const entries = Object.entries(message.attributes);
    if (entries.length > MAX_MESSAGE_ATTRIBUTES) refuse('attributes', `must be at most ${MAX_MESSAGE_ATTRIBUTES}; got ${entries.length}`);
    for (const [name, value] of entries) {
      if (name.length === 0 || typeof value !== 'string' || value.length === 0) refuse(`attributes.${name}`, 'must be a non-empty string');
    }
  });
}

function validId(value: string): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_MESSAGE_ID_LENGTH;
}
