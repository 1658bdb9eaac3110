import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { scanSources } from './scanSources';
import type { ScannedModule } from './scanSources';
import { scanInfrastructure } from './scanServerless';
import type { DynamoTable, IamStatement } from './scanServerless';

/** The input document of the CI policies in `policies/ci`. */
export interface PolicyInput {
  modules: ScannedModule[];
  schemas: { file: string; namespace: string; eventType: string; version: number }[];
  iamStatements: IamStatement[];
  dynamoTables: DynamoTable[];
}

const SCHEMA_FILE = /^(?<namespace>.+)\.(?<eventType>[A-Za-z][A-Za-z0-9_]*)\.v(?<version>\d+)\.avsc$/;

/**
 * Gathers everything the CI policies judge, from a repository tree at `root`: the code's import
 * graph and calls (`scanSources`), the schema files in `schemas/`, and the IAM statements and
 * tables of `serverless.yml` and of a packaged template (`.serverless/cloudformation-template-update-stack.json`)
 * when one exists (`packageDirectory`, default `<root>/.serverless`).
 */
export function collectPolicyInput(root: string, packageDirectory = join(root, '.serverless')): PolicyInput {
  const schemasDir = join(root, 'schemas');
  const schemas = existsSync(schemasDir)
    ? readdirSync(schemasDir)
        .sort()
        .flatMap((name) => {
          const groups = SCHEMA_FILE.exec(name)?.groups;
          return groups ? [{ file: `schemas/${name}`, namespace: groups.namespace ?? '', eventType: groups.eventType ?? '', version: Number(groups.version) }] : [];
        })
    : [];
  const infrastructure = [
    scanInfrastructure(join(root, 'serverless.yml'), 'serverless.yml'),
    scanInfrastructure(join(packageDirectory, 'cloudformation-template-update-stack.json'), relative(root, join(packageDirectory, 'cloudformation-template-update-stack.json'))),
  ];
  return {
    modules: scanSources(root),
    schemas,
    iamStatements: infrastructure.flatMap((scan) => scan.iamStatements),
    dynamoTables: infrastructure.flatMap((scan) => scan.dynamoTables),
  };
}
