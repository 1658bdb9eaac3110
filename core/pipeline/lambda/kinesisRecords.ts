import type { KinesisStreamEvent } from 'aws-lambda';
import type { LambdaSourceRecord } from './LambdaSourceRecord';

/**
 * The records of a Kinesis batch event: `kinesis.data` (base64) is the Glue-framed envelope, the
 * partition key (the aggregate id, as the Kinesis publisher writes it) is the key, and the shard
 * is the stream ARN plus the shard id that prefixes `eventID` (`shardId-000000000006:4959…`).
 */
export function kinesisRecords(event: KinesisStreamEvent): LambdaSourceRecord[] {
  return event.Records.map((entry, index) => {
    const { partitionKey, sequenceNumber, data, approximateArrivalTimestamp } = entry.kinesis;
    const separator = entry.eventID.indexOf(':');
    const shardId = separator > 0 ? entry.eventID.slice(0, separator) : 'shard';
    return {
      position: index + 1,
      key: partitionKey,
      record: Buffer.from(data, 'base64'),
      itemIdentifier: sequenceNumber,
      shard: `${entry.eventSourceARN}/${shardId}`,
      sequenceNumber,
      origin: `kinesis ${shardId} sequence ${sequenceNumber}`,
      arrivedAtMs: approximateArrivalTimestamp * 1000,
    };
  });
}
