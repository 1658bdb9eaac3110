import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { LambdaSourceRecord } from './LambdaSourceRecord';

/** Attribute names of an event item in the events table's stream images. */
export interface EventItemAttributes {
  /** String attribute: the aggregate id, the ordering key. @defaultValue 'aggregateId' */
  key: string;
  /** Binary attribute: the Glue-framed envelope bytes. @defaultValue 'record' */
  record: string;
}

export const EVENT_ITEM_ATTRIBUTES: EventItemAttributes = { key: 'aggregateId', record: 'record' };

/**
 * The records of a DynamoDB Streams batch event: INSERTs only (the event store is append-only;
 * other changes carry no new event and count as done). The envelope is the new image's binary
 * `record` attribute (base64 in the event), the key its `aggregateId`. An INSERT without the
 * binary attribute is kept as the JSON of its stream record, so that it is parked as it arrived.
 * Lambda delivers one shard per batch and the event does not name it: the shard is the stream ARN.
 */
export function dynamoDbStreamRecords(event: DynamoDBStreamEvent, attributes: EventItemAttributes = EVENT_ITEM_ATTRIBUTES): LambdaSourceRecord[] {
  const records: LambdaSourceRecord[] = [];
  event.Records.forEach((entry, index) => {
    if (entry.eventName !== 'INSERT') return;
    const change = entry.dynamodb ?? {};
    const sequenceNumber = change.SequenceNumber ?? '0';
    const bytes = change.NewImage?.[attributes.record]?.B;
    records.push({
      position: index + 1,
      key: change.NewImage?.[attributes.key]?.S ?? entry.eventID ?? sequenceNumber,
      record: bytes === undefined ? Buffer.from(JSON.stringify(change), 'utf8') : Buffer.from(bytes, 'base64'),
      itemIdentifier: sequenceNumber,
      shard: entry.eventSourceARN ?? 'stream',
      sequenceNumber,
      origin: `dynamodb stream sequence ${sequenceNumber}`,
      ...(change.ApproximateCreationDateTime === undefined ? {} : { arrivedAtMs: change.ApproximateCreationDateTime * 1000 }),
    });
  });
  return records;
}
