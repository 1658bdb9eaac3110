import { CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';

// The engine itself, before any adapter: the behaviours the DynamoDB adapters rely on.
describe('moto on loopback', () => {
  const dynamo = new DynamoDBClient(motoClientConfig());
  afterAll(() => dynamo.destroy());

  it('answers a failed transaction condition with TransactionCanceledException and its reasons', async () => {
    // given
    const table = uniqueName('engines');
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const put = { Put: { TableName: table, Item: { id: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(id)' } };
    await dynamo.send(new TransactWriteItemsCommand({ TransactItems: [put] }));

    // when
    const failure = await dynamo.send(new TransactWriteItemsCommand({ TransactItems: [put] })).catch((error: unknown) => error);

    // then
    expect((failure as Error).name).toBe('TransactionCanceledException');
    expect((failure as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.map((reason) => reason.Code)).toEqual(['ConditionalCheckFailed']);
  });
});
