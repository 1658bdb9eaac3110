import type { SQSEvent } from 'aws-lambda';
import type { LambdaSourceRecord } from './LambdaSourceRecord';

/** Message attribute that carries the ordering key on standard queues. */
export const SQS_KEY_ATTRIBUTE = 'aggregateId';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The records of an SQS batch event. The body is the base64 text of the Glue-framed envelope
 * (SQS and SNS carry text; with SNS raw message delivery the SNS message is the SQS body). A body
 * that is not base64 is kept as its UTF-8 bytes: decoding fails and the record is parked with
 * exactly what arrived. Key: the message group id on FIFO queues, else the `aggregateId` string
 * attribute, else the message itself (no order to keep).
 */
export function sqsRecords(event: SQSEvent): LambdaSourceRecord[] {
  return event.Records.map((message, index) => {
    const body = message.body;
    const key = message.attributes.MessageGroupId ?? message.messageAttributes[SQS_KEY_ATTRIBUTE]?.stringValue ?? message.messageId;
    const sentAt = Number(message.attributes.SentTimestamp);
    return {
      position: index + 1,
      key,
      record: body.length > 0 && BASE64.test(body) ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
      itemIdentifier: message.messageId,
      shard: message.eventSourceARN,
      origin: `sqs message ${message.messageId}`,
      ...(Number.isFinite(sentAt) ? { arrivedAtMs: sentAt } : {}),
    };
  });
}
