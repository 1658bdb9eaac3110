import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbStreamsShardReader, dynamoDbStreamsShardLister } from '../../adapters/aws/DynamoDbStreamsShardReader';
import type { StreamImageReader } from '../../adapters/aws/DynamoDbStreamsShardReader';
import { TRIM_HORIZON } from '../../core/leases/LeaseStore';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';

describe('DynamoDbStreamsShardReader on moto', () => {
  const dynamo = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  const streams = new DynamoDBStreamsClient({ ...motoClientConfig(), maxAttempts: 1 });
  afterAll(() => {
    dynamo.destroy();
    streams.destroy();
  });

  const readImage: StreamImageReader = (image) => (image.record?.B ? { key: image.aggregateId?.S ?? '', data: Buffer.from(image.record.B) } : undefined);

  async function tableWithStream(): Promise<{ table: string; streamArn: string }> {
    const table = uniqueName('events');
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'aggregateId', AttributeType: 'S' },
          { AttributeName: 'version', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'aggregateId', KeyType: 'HASH' },
          { AttributeName: 'version', KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const described = await dynamo.send(new DescribeTableCommand({ TableName: table }));
    return { table, streamArn: described.Table?.LatestStreamArn as string };
  }

  const put = (table: string, aggregateId: string, version: number) =>
    dynamo.send(new PutItemCommand({ TableName: table, Item: { aggregateId: { S: aggregateId }, version: { N: String(version) }, record: { B: Buffer.from(`${aggregateId}@${version}`) } } }));

  it('reads the inserted items of a table stream in pages after a checkpoint, keyed by aggregate', async () => {
    // given four events of two aggregates written to a table with a NEW_IMAGE stream
    const { table, streamArn } = await tableWithStream();
    for (const [id, version] of [['order-1', 1], ['order-2', 1], ['order-1', 2], ['order-2', 2]] as const) await put(table, id, version);
    const [shard] = await dynamoDbStreamsShardLister({ client: streams, streamArn })();
    const reader = new DynamoDbStreamsShardReader({ client: streams, streamArn, readImage });
    // when reading three, then the rest after the third
    const first = await reader.read(shard?.shardId as string, TRIM_HORIZON, 3);
    const rest = await reader.read(shard?.shardId as string, first.records[2]?.sequenceNumber as string, 10);
    // then
    expect([...first.records, ...rest.records].map((record) => record.data.toString())).toEqual(['order-1@1', 'order-2@1', 'order-1@2', 'order-2@2']);
    expect(first.records.map((record) => record.key)).toEqual(['order-1', 'order-2', 'order-1']);
    expect(first.ended).toBe(false);
  });

  it('skips modifications: only inserts are events', async () => {
    // given an insert then an update of the same item
    const { table, streamArn } = await tableWithStream();
    await put(table, 'order-1', 1);
    await dynamo.send(new UpdateItemCommand({ TableName: table, Key: { aggregateId: { S: 'order-1' }, version: { N: '1' } }, UpdateExpression: 'SET note = :n', ExpressionAttributeValues: { ':n': { S: 'x' } } }));
    const [shard] = await dynamoDbStreamsShardLister({ client: streams, streamArn })();
    // when
    const read = await new DynamoDbStreamsShardReader({ client: streams, streamArn, readImage }).read(shard?.shardId as string, TRIM_HORIZON, 10);
    // then
    expect(read.records.map((record) => record.data.toString())).toEqual(['order-1@1']);
  });
});
