import type { Message, MessageSystemAttributeName } from '@aws-sdk/client-sqs';
import type { MessageAttributes, ReceivedMessage } from '../../core/messaging/QueueMessage';
import { SQS_KEY_ATTRIBUTE } from '../../core/pipeline/lambda/sqsRecords';

/** The system attributes every receive asks for. */
export const RECEIVE_SYSTEM_ATTRIBUTES: MessageSystemAttributeName[] = ['ApproximateReceiveCount', 'SentTimestamp', 'MessageGroupId', 'ApproximateFirstReceiveTimestamp'];

/** Base64 as Buffer.from(text, 'base64') reads it without dropping anything (the Lambda SQS runner's test too). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A message as SQS delivered it, in the port's shape. Body: the base64 text the publisher sent
 * (raw delivery keeps SNS's text as the body); a body that is not base64 is kept as its UTF-8
 * bytes, so decoding fails on exactly what arrived. Key: the message group (FIFO), else the
 * `aggregateId` attribute, else the message itself: the same rule as the Lambda SQS runner.
 * Sequence: the send time in ms (SQS keeps no per-queue counter a number can hold: FIFO sequence
 * numbers have 20 digits), so increasing only as far as sends are ms apart.
 */
export function receivedMessage(message: Message): ReceivedMessage {
  const attributes = stringAttributes(message);
  const system = message.Attributes ?? {};
  const messageId = message.MessageId ?? '';
  const sentAtMs = Number(system.SentTimestamp ?? 0);
  return {
    messageId,
    receiptHandle: message.ReceiptHandle ?? '',
    body: bodyBytes(message.Body ?? ''),
    groupKey: system.MessageGroupId ?? attributes[SQS_KEY_ATTRIBUTE] ?? messageId,
    attributes,
    receiveCount: Number(system.ApproximateReceiveCount ?? 1),
    sequence: sentAtMs,
    sentAtMs,
  };
}

/** The String and Number message attributes (binary ones are not Nexus's). */
export function stringAttributes(message: Message): MessageAttributes {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  return attributes;
}

function bodyBytes(body: string): Buffer {
  return body.length > 0 && BASE64.test(body) ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}
