/**
 * `npm run engines [-- --stage dev --region us-east-1]`: the AWS backend on one machine. Starts
 * moto (DynamoDB, Streams, Kinesis, Glue, ...) and an OpenSearch node on free loopback ports,
 * creates every resource `npm start -- --backend aws --stage <stage>` needs (test/engines/awsResources.ts),
 * prints the command that points the server at them, and runs until Ctrl-C, which stops both
 * engines (their data goes with them). Lives under test/ because it starts the test engines;
 * handlers never import it. Exit codes: 0 stopped, 1 an engine or a resource failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { AWS_BACKEND_DEFAULTS, awsResourceNames } from '../../handlers/aws/awsConfig';
import { createAwsResources, ENGINE_CREDENTIALS } from './awsResources';
import { MOTO_ACCOUNT } from './snsSqsMessaging';
import { startMotoServer } from './motoServer';
import type { MotoServer } from './motoServer';
import { startOpenSearchNode } from './openSearchNode';
import type { OpenSearchNode } from './openSearchNode';

const USAGE = `usage: npm run engines [-- --stage <name>] [--region <region>]

Starts moto and an OpenSearch node on free ports, creates Nexus's AWS resources for the stage
(nexus-<stage>-events, ...), prints how to start the server on them, and runs until Ctrl-C.

Options:
  --stage <name>     names the resources, as npm start's --stage (default ${AWS_BACKEND_DEFAULTS.stage})
  --region <region>  the region the resources are created in (default us-east-1)
  -h, --help         show this help`;

async function main(): Promise<number> {
  // The SDK warns that its 2027 releases need Node 22; the pinned ones run on 20 (as in the tests).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let values: { stage?: string; region?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { stage: { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`engines: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stage = values.stage ?? AWS_BACKEND_DEFAULTS.stage;
  const region = values.region ?? 'us-east-1';
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(stage)) {
    process.stderr.write(`engines: --stage must be lower case a-z 0-9 -, at most 31; got "${stage}"\n`);
    return 2;
  }
  process.stdout.write('Starting moto and OpenSearch (the first run installs them; later runs take about 10 s)...\n');
  const [moto, openSearch] = await Promise.allSettled([startMotoServer(), startOpenSearchNode()]);
  const started = [moto, openSearch].flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stopAll = (): Promise<unknown> => Promise.allSettled(started.map((engine) => engine.stop()));
  if (moto.status === 'rejected' || openSearch.status === 'rejected') {
    await stopAll();
    const failed = moto.status === 'rejected' ? moto.reason : (openSearch as PromiseRejectedResult).reason;
    throw failed instanceof Error ? failed : new Error(String(failed));
  }
  try {
    await createAwsResources({ endpoint: moto.value.endpoint, region }, stage, awsResourceNames(stage));
  } catch (error) {
    await stopAll();
    throw error;
  }
  process.stdout.write(instructions(moto.value, openSearch.value, stage, region));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  process.stdout.write('Stopping the engines...\n');
  await stopAll();
  return 0;
}

function instructions(moto: MotoServer, openSearch: OpenSearchNode, stage: string, region: string): string {
  const names = awsResourceNames(stage);
  const credentials = `AWS_ACCESS_KEY_ID=${ENGINE_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${ENGINE_CREDENTIALS.secretAccessKey}`;
  return `
Engines are running (Ctrl-C stops them and drops their data):
  moto        ${moto.endpoint}   (DynamoDB ${names.eventsTable} and 5 more tables, Kinesis ${names.coreStream}, Glue registry ${names.glueRegistry}, SNS nexus-${stage}-order-events -> SQS)
  OpenSearch  ${openSearch.endpoint}

Start Nexus on them, in another terminal:
  ${credentials} npm start -- --backend aws --stage ${stage} --region ${region} --aws-account-id ${MOTO_ACCOUNT} --aws-endpoint ${moto.endpoint} --opensearch-endpoint ${openSearch.endpoint} --opensearch-replicas 0

or with variables:
  export NEXUS_BACKEND=aws NEXUS_STAGE=${stage} AWS_REGION=${region} NEXUS_AWS_ACCOUNT_ID=${MOTO_ACCOUNT} NEXUS_AWS_ENDPOINT=${moto.endpoint} NEXUS_OPENSEARCH_ENDPOINT=${openSearch.endpoint} NEXUS_OPENSEARCH_REPLICAS=0 ${credentials}
  npm start

The dead-letter CLI takes the same flags or variables: npx nexus --backend aws ... dlq list
Integration tests reuse these engines with NEXUS_TEST_MOTO_ENDPOINT=${moto.endpoint} NEXUS_TEST_OPENSEARCH_ENDPOINT=${openSearch.endpoint}
`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`engines: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
