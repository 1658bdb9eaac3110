import { AWS_BACKEND_DEFAULTS, awsResourceNames, readAwsBackendConfig, takeAwsFlags } from '../../../handlers/aws/awsConfig';
import { readLocalServerConfig } from '../../../handlers/local/config';

const read = (argv: string[], env: NodeJS.ProcessEnv = {}) => readAwsBackendConfig(takeAwsFlags(argv).aws, env);

describe('readAwsBackendConfig', () => {
  it('names every resource after the stage when nothing else is given', () => {
    // given no flags and no variables
    // when reading the configuration
    const config = read([]);
    // then the names are the dev stage's, and the tunables their defaults
    expect(config.names).toEqual(awsResourceNames('dev'));
    expect(config.names).toMatchObject({ eventsTable: 'nexus-dev-events', coreStream: 'nexus-dev-core', glueRegistry: 'nexus-dev-schemas', indexPrefix: 'nexus-dev-read-model-' });
    expect(config).toMatchObject({ stage: 'dev', endpoints: {}, openSearchEndpoint: AWS_BACKEND_DEFAULTS.openSearchEndpoint, leaseTickMs: 3000, leaseDurationMs: 10_000, pollIdleMs: 1000 });
  });

  it('derives the names from --stage, and takes a name flag over its variable and the stage', () => {
    // given a stage and the events table both as a flag and a variable
    // when reading the configuration
    const config = read(['--stage', 'prod', '--events-table=orders-events'], { NEXUS_EVENTS_TABLE: 'ignored', NEXUS_CORE_STREAM: 'core-x' });
    // then
    expect(config.names).toMatchObject({ eventsTable: 'orders-events', coreStream: 'core-x', leasesTable: 'nexus-prod-leases' });
  });

  it('points every service at one endpoint, and a per-service endpoint wins for its service', () => {
    // given one endpoint for all and another for Kinesis
    // when reading the configuration
    const config = read(['--aws-endpoint', 'http://127.0.0.1:5000/'], { NEXUS_KINESIS_ENDPOINT: 'http://127.0.0.1:4567', AWS_REGION: 'eu-west-1' });
    // then
    expect(config.endpoints).toEqual({ dynamodb: 'http://127.0.0.1:5000', streams: 'http://127.0.0.1:5000', kinesis: 'http://127.0.0.1:4567', glue: 'http://127.0.0.1:5000', sns: 'http://127.0.0.1:5000', sqs: 'http://127.0.0.1:5000' });
    expect(config.region).toBe('eu-west-1');
  });

  it.each([
    [['--stage', 'Prod'], {}, /--stage must be a stage name/],
    [[], { NEXUS_EVENTS_TABLE: 'a b' }, /NEXUS_EVENTS_TABLE must be a DynamoDB table name/],
    [['--index-prefix', 'Nexus-'], {}, /--index-prefix must be an OpenSearch index prefix/],
    [['--aws-endpoint', 'localhost:4566'], {}, /--aws-endpoint must be an http\(s\) URL; got "localhost:4566"/],
    [[], { AWS_REGION: 'mars' }, /AWS_REGION must be an AWS region/],
    [['--lease-tick-ms', '5000'], {}, /--lease-duration-ms must be at least 3 lease ticks \(15000 ms/],
    [['--poll-idle-ms', '0'], {}, /--poll-idle-ms must be an integer from 10 to 60000; got "0"/],
    [['--core-stream'], {}, /--core-stream needs a value/],
    [[], { NEXUS_AWS_ACCOUNT_ID: '1234' }, /NEXUS_AWS_ACCOUNT_ID must be a 12-digit AWS account id; got "1234"/],
  ])('refuses %j %j with one line naming the flag or variable', (argv, env, message) => {
    // given a value the backend cannot use
    // when reading the configuration
    const reading = (): unknown => read(argv, env);
    // then
    expect(reading).toThrow(message);
    expect(reading).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('the backend switch', () => {
  it('leaves the server\'s own flags to its configuration and takes the AWS ones', () => {
    // given a command line mixing both
    const argv = ['--backend', 'aws', '--port', '0', '--stage', 'qa', '--data-dir=/tmp/x'];
    // when splitting it
    const { aws, rest } = takeAwsFlags(argv);
    // then
    expect([...aws]).toEqual([['stage', 'qa']]);
    expect(readLocalServerConfig(rest, {})).toMatchObject({ backend: 'aws', port: 0, dataDir: '/tmp/x' });
  });

  it('is embedded unless told otherwise, and refuses an unknown backend naming NEXUS_BACKEND', () => {
    // given nothing, then an unknown backend
    // when reading the configuration
    // then
    expect(readLocalServerConfig([], {}).backend).toBe('embedded');
    expect(() => readLocalServerConfig([], { NEXUS_BACKEND: 'gcp' })).toThrow(/NEXUS_BACKEND must be one of embedded, aws; got "gcp"/);
  });
});
