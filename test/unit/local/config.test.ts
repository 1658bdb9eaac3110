import { ConfigError, LOCAL_SERVER_DEFAULTS, readLocalServerConfig } from '../../../handlers/local/config';

describe('readLocalServerConfig', () => {
  it('uses the defaults when nothing is given', () => {
    // given no flags and no variables
    // when reading the configuration
    const config = readLocalServerConfig([], {});
    // then every setting is its default
    expect(config).toEqual(LOCAL_SERVER_DEFAULTS);
  });

  it('takes a flag over its environment variable', () => {
    // given the linger as both a flag and a variable
    // when reading the configuration
    const config = readLocalServerConfig(['--pipeline-linger-ms', '5'], { NEXUS_PIPELINE_LINGER_MS: '9', PORT: '4000' });
    // then the flag wins, and other variables still apply
    expect(config).toMatchObject({ pipelineLingerMs: 5, port: 4000 });
  });

  it('reads the idempotency-key lifetime in seconds', () => {
    // given a lifetime of an hour as a variable
    // when reading the configuration
    const config = readLocalServerConfig([], { NEXUS_IDEMPOTENCY_TTL: '3600' });
    // then the server keeps responses for an hour
    expect(config.idempotencyTtlSeconds).toBe(3600);
  });

  it('reads the pipelines to run, by name, from the flag or NEXUS_PIPELINES', () => {
    // given two declared pipelines named by the flag, and the variable naming one with spaces
    // when reading the configuration
    const byFlag = readLocalServerConfig(['--pipelines', 'router,order-list'], {});
    const byVariable = readLocalServerConfig([], { NEXUS_PIPELINES: ' order-list , order-list' });
    // then the names are kept as given, once each; absent, every pipeline runs
    expect(byFlag.pipelines).toEqual(['router', 'order-list']);
    expect(byVariable.pipelines).toEqual(['order-list']);
    expect(readLocalServerConfig([], {}).pipelines).toBeUndefined();
  });

  it.each([
    [['--pipelines', 'router,shipping'], {}, /--pipelines names "shipping", not a declared pipeline; declared: router, order-list, order-notices, fulfilment/],
    [[], { NEXUS_PIPELINES: 'router,,order-list' }, /NEXUS_PIPELINES must list pipeline names separated by commas; got "router,,order-list"/],
  ])('refuses pipelines %j %j naming the flag or variable', (argv, env, message) => {
    // given an undeclared or an empty pipeline name
    // when reading the configuration
    // then a ConfigError names the setting and the declared pipelines
    expect(() => readLocalServerConfig(argv, env)).toThrow(ConfigError);
    expect(() => readLocalServerConfig(argv, env)).toThrow(message);
  });

  it.each([
    [['--pipeline-linger-ms=-1'], {}, /--pipeline-linger-ms must be an integer from 0 to 1000; got "-1"/],
    [[], { NEXUS_PIPELINE_LINGER_MS: 'soon' }, /NEXUS_PIPELINE_LINGER_MS must be an integer from 0 to 1000; got "soon"/],
    [['--port', '70000'], {}, /--port must be an integer from 0 to 65535/],
    [['--pipeline-nice', '20'], {}, /--pipeline-nice must be an integer from 0 to 19; got "20"/],
    [['--idempotency-ttl', '0'], {}, /--idempotency-ttl must be an integer from 1 to 2592000; got "0"/],
    [[], { NEXUS_IDEMPOTENCY_TTL: '1d' }, /NEXUS_IDEMPOTENCY_TTL must be an integer from 1 to 2592000; got "1d"/],
    [['--body-timeout-ms', '50'], {}, /--body-timeout-ms must be an integer from 100 to 600000; got "50"/],
    [['--nope'], {}, /nope/],
  ])('refuses %j %j, naming the flag or variable', (argv, env, message) => {
    // given a setting out of range or unknown
    // when reading the configuration
    const read = (): unknown => readLocalServerConfig(argv, env);
    // then it is refused with a message that names it
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});
