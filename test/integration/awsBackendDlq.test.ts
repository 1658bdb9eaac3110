import { awsResourceNames } from '../../handlers/aws/awsConfig';
import { readAwsBackendConfig, takeAwsFlags } from '../../handlers/aws/awsConfig';
import { openAwsSystem } from '../../handlers/aws/awsSystem';
import type { AwsSystem } from '../../handlers/aws/awsSystem';
import { silentLogger } from '../../core/logging/Logger';
import { createAwsResources, ENGINE_CREDENTIALS } from '../engines/awsResources';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { motoClientConfig, motoEndpoint } from '../engines/awsTestClients';
import { MOTO_ACCOUNT } from '../engines/snsSqsMessaging';
import { runCli } from '../unit/cli/runCli';

jest.setTimeout(120_000);

// A region of its own: moto keeps at most 10 Glue registries per region.
const REGION = 'ap-southeast-1';

describe('npx nexus --backend aws dlq, against moto and OpenSearch', () => {
  let flags: string[];
  let stage: string;
  let system: AwsSystem;
  let deleteRegistry: () => Promise<void>;
  const env = { AWS_ACCESS_KEY_ID: ENGINE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENGINE_CREDENTIALS.secretAccessKey, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

  beforeAll(async () => {
    stage = `dlq-${process.pid}-${Date.now().toString(36)}`;
    ({ deleteRegistry } = await createAwsResources({ endpoint: motoEndpoint(), region: REGION }, stage, awsResourceNames(stage)));
    const openSearch = process.env.NEXUS_TEST_OPENSEARCH_ENDPOINT ?? '';
    flags = ['--stage', stage, '--region', REGION, '--aws-account-id', MOTO_ACCOUNT, '--aws-endpoint', motoEndpoint(), '--opensearch-endpoint', openSearch, '--opensearch-replicas', '0'];
    Object.assign(process.env, env);
    // The same configuration the CLI reads, opened in-process to place an order and park its event.
    system = await openAwsSystem({ config: readAwsBackendConfig(takeAwsFlags(flags).aws, {}), logger: silentLogger });
  });

  afterAll(async () => {
    await system?.close();
    await deleteRegistry?.().catch(() => undefined);
  });

  const nexus = (...args: string[]) => runCli('handlers/cli/nexus.ts', ['--backend', 'aws', ...flags, ...args], env);

  it('lists a parked order-list record, redrives it into OpenSearch, and skips another', async () => {
    // given two orders whose OrderPlaced events were parked by order-list
    const parked = [];
    for (const customerId of ['cust-dlq-1', 'cust-dlq-2']) {
      const placed = await system.commands.handle('PlaceOrder', { customerId, items: [{ sku: 'A', quantity: 1, unitPrice: 3 }], currency: 'EUR' }, { correlationId: `dlq-${customerId}` });
      const [event] = (await system.eventStore.readStream(placed.aggregateId)).items;
      parked.push(await system.deadLetters.park({ pipelineName: 'order-list', key: placed.aggregateId, sourcePosition: 1, record: event?.record ?? Buffer.alloc(0), errorCode: 'READ_MODEL_UNAVAILABLE', errorMessage: 'OpenSearch was down', attempts: 5, parkedBehindId: null }));
    }
    const [first, second] = parked as [(typeof parked)[0], (typeof parked)[0]];

    // when listing, redriving the first and skipping the second
    const listed = nexus('dlq', 'list', '--pipeline', 'order-list');
    const redriven = nexus('dlq', 'redrive', '--pipeline', 'order-list', '--key', first.key);
    const skipped = nexus('dlq', 'skip', String(second.id));

    // then
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(first.key);
    expect(listed.stdout).toContain(second.key);
    expect(redriven).toMatchObject({ status: 0, stdout: '1 redriven, 0 failed\n' });
    expect(skipped.status).toBe(0);
    expect(await system.readModels.collection('orders').get(first.key)).toMatchObject({ data: { customerId: 'cust-dlq-1', status: 'PLACED' } });
    expect((await system.deadLetters.get(first.id)).status).toBe('redriven');
    expect((await system.deadLetters.get(second.id)).status).toBe('skipped');
  });

  it("lists and redrives the messages of a subscriber queue's own dead-letter queue on SQS", async () => {
    // given a message sent to the order-notices queue and received 5 times without an ack (SQS then moves it to the DLQ)
    const sqs = new SQSClient({ ...motoClientConfig(), region: REGION });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `nexus-${stage}-order-notices.fifo` }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: Buffer.from([3, 0, 9]).toString('base64'), MessageGroupId: 'order-dlq-q', MessageDeduplicationId: 'event-dlq-q', MessageAttributes: { aggregateId: { DataType: 'String', StringValue: 'order-dlq-q' }, eventType: { DataType: 'String', StringValue: 'OrderConfirmed' } } }));
    const queue = system.queueFor('order-notices');
    for (let receive = 1; receive <= 5; receive += 1) {
      const received = await queue.receive(10);
      await queue.changeVisibility(received.map((message) => message.receiptHandle), 0);
    }
    expect(await queue.receive(10)).toEqual([]);
    sqs.destroy();
    // when
    const listed = nexus('dlq', 'queue', 'list', 'order-notices');
    const redriven = nexus('dlq', 'queue', 'redrive', 'order-notices');
    // then
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toMatch(/order-dlq-q\s+OrderConfirmed\s+5\s/);
    expect(redriven).toMatchObject({ status: 0, stdout: '1 message(s) moved back to order-notices\n' });
    expect((await queue.receive(10)).map((message) => message.groupKey)).toEqual(['order-dlq-q']);
  });

  it('refuses a bad AWS setting as a usage error, exit code 2', () => {
    // given a region that is no region
    // when
    const run = runCli('handlers/cli/nexus.ts', ['--backend', 'aws', '--region', 'mars', 'dlq', 'list'], env);
    // then
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('nexus: configuration error: --region must be an AWS region such as eu-west-1; got "mars"\n');
  });
});
