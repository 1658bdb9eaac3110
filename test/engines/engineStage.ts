/**
 * A stage as a deployed stack leaves it before any function runs, on the test engines: its tables,
 * stream, topics and registry on moto (createAwsResources), schemas/ registered in its Glue
 * registry (the stack's NexusSchemas custom resource), and a function's environment in
 * process.env. For suites that call the Lambda handlers in-process.
 */
import { GlueClient } from '@aws-sdk/client-glue';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import { silentLogger } from '../../core/logging/Logger';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';
import { awsResourceNames } from '../../handlers/aws/awsConfig';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';
import { createAwsResources } from './awsResources';
import { motoClientConfig, motoEndpoint } from './awsTestClients';
import { engineFunctionEnvironment } from './functionEnvironment';

/** What differs between suites. */
export interface EngineStageOptions {
  /** Start of the stage name; the process id and the time make it unique. */
  prefix: string;
  /** A region of the suite's own: moto keeps at most 10 Glue registries per region. */
  region: string;
  /** POWERTOOLS_SERVICE_NAME of the functions. */
  serviceName: string;
  logLevel?: string;
  /** More variables of the function (a JWT secret, an endpoint). */
  env?: Record<string, string>;
}

/** The stage, its resource names, a codec over its registry, and the undoing of it all. */
export interface EngineStage {
  stage: string;
  names: AwsResourceNames;
  codec: AvroEventCodec;
  /** Restores process.env and deletes the registry. */
  tearDown(): Promise<void>;
}

export async function openEngineStage(options: EngineStageOptions): Promise<EngineStage> {
  const stage = `${options.prefix}-${process.pid}-${Date.now().toString(36)}`;
  const names = awsResourceNames(stage);
  const { deleteRegistry } = await createAwsResources({ endpoint: motoEndpoint(), region: options.region }, stage, names);
  const glue = new GlueClient({ ...motoClientConfig(), region: options.region, maxAttempts: 1 });
  const catalog = loadSchemaCatalog('schemas');
  const registry = new GlueSchemaRegistry({ client: glue, registryName: names.glueRegistry });
  await syncSchemas(registry, catalog, silentLogger);
  const codec = new AvroEventCodec(registry, { schemaNames: catalog.schemaNames() });
  const restoreEnv = setEnv({
    ...engineFunctionEnvironment({ stage, region: options.region, serviceName: options.serviceName, ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }) }),
    ...options.env,
  });
  return {
    stage,
    names,
    codec,
    tearDown: async () => {
      restoreEnv();
      await deleteRegistry().catch(() => undefined);
      glue.destroy();
    },
  };
}

/** Sets `values` in process.env; returns the function that puts back what was there. */
export function setEnv(values: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
