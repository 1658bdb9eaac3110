/**
 * `schemas-check --registry glue`: the registered versions read from a Glue Schema Registry
 * through GlueSchemaRegistry, in the shape `checkSchemaChanges` compares with.
 */
import { GlueClient } from '@aws-sdk/client-glue';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import { errorCodeOf } from '../../core/errors/NexusError';
import type { CheckSchemaChangesOptions } from '../../core/schema/checkSchemaChanges';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';

/** Where the Glue registry is. */
export interface GlueCheckTarget {
  registryName: string;
  /** @defaultValue the SDK's own resolution (AWS_REGION, the profile) */
  region?: string;
  /** An endpoint override (moto, a VPC endpoint). @defaultValue the regional Glue endpoint */
  endpoint?: string;
}

/** An opened Glue registry for the check, and how to let it go. */
export interface GlueCheckRegistry {
  registry: NonNullable<CheckSchemaChangesOptions['registry']>;
  close(): void;
}

/**
 * Opens the Glue registry (failing with GLUE_REGISTRY_NOT_FOUND when it does not exist, so a
 * misspelt name is not read as "nothing registered"). The schemas compared are those of
 * `schemasDir` plus every schema ListSchemas returns; when ListSchemas cannot be read (moto
 * 5.2.5 does not serve it; an IAM policy may not grant it) a note says that schemas registered
 * without a file are not compared, and the check goes on.
 */
export async function openGlueCheckRegistry(target: GlueCheckTarget, schemasDir: string, notes: string[]): Promise<GlueCheckRegistry> {
  const client = new GlueClient({ maxAttempts: 1, ...(target.region ? { region: target.region } : {}), ...(target.endpoint ? { endpoint: target.endpoint } : {}) });
  const glue = new GlueSchemaRegistry({ client, registryName: target.registryName });
  try {
    await glue.assertRegistryExists();
  } catch (error) {
    client.destroy();
    throw error;
  }
  const listSchemaNames = async (): Promise<string[]> => {
    const names = new Set(fileSchemaNames(schemasDir));
    try {
      for (const name of await glue.listSchemaNames()) names.add(name);
    } catch (error) {
      const reason = errorCodeOf(error) ?? (error as Error).name;
      notes.push(`Glue registry ${target.registryName} could not list its schemas (${reason}): schemas registered without a file in ${schemasDir} are not compared`);
    }
    return [...names].sort();
  };
  return { registry: { listSchemaNames, listVersions: (schemaName) => glue.listVersions(schemaName) }, close: () => client.destroy() };
}

/** The schema names of the directory's files; none when the catalog is unreadable (the check reports that itself). */
function fileSchemaNames(schemasDir: string): string[] {
  try {
    return loadSchemaCatalog(schemasDir).schemaNames();
  } catch {
    return [];
  }
}
