import type { DynamoDBStreamEvent, SQSRecord } from 'aws-lambda';
import { batchItemFailures } from '../../../core/pipeline/lambda/batchItemFailures';
import { dynamoDbStreamRecords } from '../../../core/pipeline/lambda/dynamoDbStreamRecords';
import type { LambdaSourceRecord } from '../../../core/pipeline/lambda/LambdaSourceRecord';
import { compareSequenceNumbers } from '../../../core/pipeline/lambda/sequenceNumbers';
import { sqsRecords } from '../../../core/pipeline/lambda/sqsRecords';

describe('Lambda batch records', () => {
  it('compares sequence numbers beyond 2^53 exactly, as digits', () => {
    // given two Kinesis sequence numbers that are equal as doubles
    const lower = '49590338271490256608559692538361571095921575989136588898';
    const higher = '49590338271490256608559692538361571095921575989136588899';
    // then
    expect(Number(lower)).toBe(Number(higher));
    expect(compareSequenceNumbers(lower, higher)).toBeLessThan(0);
    expect(compareSequenceNumbers(higher, lower)).toBeGreaterThan(0);
    expect(compareSequenceNumbers('0099', '99')).toBe(0);
    expect(compareSequenceNumbers('100', '99')).toBeGreaterThan(0);
  });

  it('reports the lowest unfinished sequence number of each shard, and every unfinished message', () => {
    // given unfinished records of two shards, out of order
    const unfinished = [record(3, 'shard-a', '300'), record(1, 'shard-b', '1000'), record(2, 'shard-a', '99'), record(4, 'shard-b', '999')];
    // when / then
    expect(batchItemFailures(unfinished, 'lowest-per-shard')).toEqual([{ itemIdentifier: '99' }, { itemIdentifier: '999' }]);
    expect(batchItemFailures(unfinished, 'per-message').map((failure) => failure.itemIdentifier)).toEqual(['1000', '99', '300', '999']);
  });

  it('takes an SQS message key from its FIFO group, else its aggregateId attribute, else the message itself', () => {
    // given
    const fifo = sqsMessage('m1', { attributes: { MessageGroupId: 'group-1' }, messageAttributes: { aggregateId: { dataType: 'String', stringValue: 'order-1' } } });
    const standard = sqsMessage('m2', { messageAttributes: { aggregateId: { dataType: 'String', stringValue: 'order-2' } } });
    const bare = sqsMessage('m3');
    // when
    const keys = sqsRecords({ Records: [fifo, standard, bare] }).map((entry) => entry.key);
    // then
    expect(keys).toEqual(['group-1', 'order-2', 'm3']);
  });

  it('keeps an SQS body that is not base64 as its UTF-8 bytes, so it is parked as it arrived', () => {
    // given
    const envelope = Buffer.from([3, 0, 1, 2, 3]);
    const messages = [sqsMessage('m1', { body: envelope.toString('base64') }), sqsMessage('m2', { body: '{"not":"base64"}' })];
    // when
    const [decoded, kept] = sqsRecords({ Records: messages });
    // then
    expect(decoded?.record).toEqual(envelope);
    expect(kept?.record.toString('utf8')).toBe('{"not":"base64"}');
  });

  it('takes DynamoDB Streams INSERTs only, keyed by aggregateId, and keeps an item without its record attribute as JSON', () => {
    // given
    const envelope = Buffer.from([3, 0, 9, 9]);
    const event: DynamoDBStreamEvent = {
      Records: [
        { eventID: 'e1', eventName: 'INSERT', eventSourceARN: 'arn:stream', dynamodb: { SequenceNumber: '100', NewImage: { aggregateId: { S: 'order-1' }, record: { B: envelope.toString('base64') } } } },
        { eventID: 'e2', eventName: 'REMOVE', eventSourceARN: 'arn:stream', dynamodb: { SequenceNumber: '200', Keys: { aggregateId: { S: 'order-1' } } } },
        { eventID: 'e3', eventName: 'INSERT', eventSourceARN: 'arn:stream', dynamodb: { SequenceNumber: '300', NewImage: { aggregateId: { S: 'order-2' } } } },
      ],
    };
    // when
    const records = dynamoDbStreamRecords(event);
    // then
    expect(records.map((entry) => [entry.position, entry.key, entry.itemIdentifier, entry.shard])).toEqual([
      [1, 'order-1', '100', 'arn:stream'],
      [3, 'order-2', '300', 'arn:stream'],
    ]);
    expect(records[0]?.record).toEqual(envelope);
    expect(JSON.parse(records[1]?.record.toString('utf8') ?? '')).toMatchObject({ SequenceNumber: '300' });
  });
});

function record(position: number, shard: string, sequenceNumber: string): LambdaSourceRecord {
  return { position, key: `key-${position}`, record: Buffer.alloc(0), itemIdentifier: sequenceNumber, shard, sequenceNumber, origin: `test ${sequenceNumber}` };
}

function sqsMessage(messageId: string, overrides: { body?: string; attributes?: Partial<SQSRecord['attributes']>; messageAttributes?: SQSRecord['messageAttributes'] } = {}): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: overrides.body ?? Buffer.from(messageId).toString('base64'),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1700000000000', SenderId: 'sender', ApproximateFirstReceiveTimestamp: '1700000000000', ...overrides.attributes },
    messageAttributes: overrides.messageAttributes ?? {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:queue',
    awsRegion: 'us-east-1',
  };
}
