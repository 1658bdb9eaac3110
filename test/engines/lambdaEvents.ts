import { randomUUID } from 'node:crypto';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { Message } from '@aws-sdk/client-sqs';
import type { AttributeValue as StreamAttributeValue, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LambdaInvocation } from '../../core/pipeline/lambda/LambdaSourceRecord';

const REGION = 'us-east-1';

/** Records one shard returned to GetRecords. */
export interface ShardRecords {
  shardId: string;
  records: readonly KinesisRecord[];
}

/**
 * The event Lambda delivers for Kinesis records read from moto: base64 data, `eventID`
 * `<shardId>:<sequenceNumber>`, arrival time in epoch seconds. Lambda puts one shard in a
 * batch; several shards here let a test check reporting per shard.
 */
export function kinesisEvent(streamArn: string, shards: readonly ShardRecords[]): KinesisStreamEvent {
  const Records: KinesisStreamRecord[] = shards.flatMap(({ shardId, records }) =>
    records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: required(record.PartitionKey, 'PartitionKey'),
        sequenceNumber: required(record.SequenceNumber, 'SequenceNumber'),
        data: Buffer.from(required(record.Data, 'Data')).toString('base64'),
        approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${required(record.SequenceNumber, 'SequenceNumber')}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/nexus-pipeline',
      awsRegion: REGION,
      eventSourceARN: streamArn,
    })),
  );
  return { Records };
}

/** The event Lambda delivers for messages received from moto (received with every system and message attribute). */
export function sqsEvent(queueArn: string, messages: readonly Message[]): SQSEvent {
  const Records: SQSRecord[] = messages.map((message) => {
    const attributes = message.Attributes ?? {};
    return {
      messageId: required(message.MessageId, 'MessageId'),
      receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(attributes.MessageGroupId === undefined ? {} : { MessageGroupId: attributes.MessageGroupId }),
        ...(attributes.SequenceNumber === undefined ? {} : { SequenceNumber: attributes.SequenceNumber }),
        ...(attributes.MessageDeduplicationId === undefined ? {} : { MessageDeduplicationId: attributes.MessageDeduplicationId }),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? 'String',
            stringListValues: [],
            binaryListValues: [],
            ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
            ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: REGION,
    };
  });
  return { Records };
}

/** The event Lambda delivers for DynamoDB Streams records read from moto: binary attributes in base64, times in epoch seconds. */
export function dynamoDbStreamEvent(streamArn: string, records: readonly StreamRecord[]): DynamoDBStreamEvent {
  const Records: DynamoDBRecord[] = records.map((record) => {
    const change = record.dynamodb ?? {};
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      dynamodb: {
        ...(change.ApproximateCreationDateTime === undefined ? {} : { ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000) }),
        ...(change.Keys === undefined ? {} : { Keys: image(change.Keys) }),
        ...(change.NewImage === undefined ? {} : { NewImage: image(change.NewImage) }),
        ...(change.OldImage === undefined ? {} : { OldImage: image(change.OldImage) }),
        SequenceNumber: change.SequenceNumber,
        SizeBytes: change.SizeBytes,
        StreamViewType: change.StreamViewType,
      },
      eventSourceARN: streamArn,
    };
  });
  return { Records };
}

/** A Lambda context whose remaining time counts down from `remainingMs`, as Lambda's does. */
export function lambdaInvocation(remainingMs = 60_000): LambdaInvocation {
  const endsAt = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()), awsRequestId: randomUUID() };
}

function image(item: Record<string, StreamAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, attribute(value)]));
}

function attribute(value: StreamAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString('base64')) };
  if (value.M !== undefined) return { M: image(value.M) };
  if (value.L !== undefined) return { L: value.L.map(attribute) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  throw new Error('unknown attribute value');
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`moto returned a record without ${name}`);
  return value;
}

/** What an HTTP API request carries besides method, path and body. */
export interface HttpApiRequestOptions {
  /** A bearer token for the Authorization header. */
  token?: string;
  correlationId?: string;
  accountId?: string;
}

/** An API Gateway HTTP API event, payload format 2.0, as the API function receives it. */
export function httpApiEvent(method: string, path: string, body: unknown, options: HttpApiRequestOptions = {}): Record<string, unknown> {
  const [rawPath = path, rawQueryString = ''] = path.split('?');
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: {
      host: 'api.example.com',
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.correlationId ? { 'x-correlation-id': options.correlationId } : {}),
    },
    requestContext: {
      accountId: options.accountId ?? '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: `req-${now}-${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}
