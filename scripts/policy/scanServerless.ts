import { existsSync, readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';

/** One IAM policy statement, flattened for the policies. */
export interface IamStatement {
  file: string;
  /** Where it is, e.g. `provider.iam.role.statements[1]`. */
  path: string;
  line: number;
  effect: string;
  actions: string[];
  /** Each resource as a string: ARNs as written, intrinsic functions as JSON. */
  resources: string[];
}

/** A DynamoDB table declared in the template's resources. */
export interface DynamoTable {
  logicalId: string;
  tableName: string | null;
}

/** What an infrastructure file grants and declares. */
export interface InfrastructureScan {
  iamStatements: IamStatement[];
  dynamoTables: DynamoTable[];
}

/**
 * Reads `serverless.yml` (or a packaged CloudFormation template, YAML or JSON) and returns its
 * IAM statements (provider-level, per-function `iamRoleStatements`, and IAM roles and policies
 * among the resources) and its DynamoDB tables. CloudFormation short tags (`!GetAtt`, `!Sub`,
 * ...) are read as their long form. A missing file scans as empty.
 */
export function scanInfrastructure(path: string, displayName: string): InfrastructureScan {
  if (!existsSync(path)) return { iamStatements: [], dynamoTables: [] };
  const text = readFileSync(path, 'utf8');
  const document = parseDocument(text, { customTags: CLOUDFORMATION_TAGS, prettyErrors: true });
  if (document.errors.length > 0) throw new Error(`${displayName}: ${document.errors.map((error) => error.message).join('; ')}`);
  const root: unknown = document.toJS({ maxAliasCount: 100 });
  const statements: IamStatement[] = [];
  const lineAt = (keys: (string | number)[]): number => lineOf(document, text, keys);
  const collect = (value: unknown, keys: (string | number)[]): void => {
    for (const [index, statement] of asArray(value).entries()) {
      const where = [...keys, index];
      statements.push({
        file: displayName,
        path: pathText(where),
        line: lineAt(where),
        effect: String(field(statement, 'Effect') ?? 'Allow'),
        actions: asArray(field(statement, 'Action')).map(String),
        resources: asArray(field(statement, 'Resource')).map(resourceText),
      });
    }
  };
  collect(at(root, ['provider', 'iam', 'role', 'statements']), ['provider', 'iam', 'role', 'statements']);
  collect(at(root, ['provider', 'iamRoleStatements']), ['provider', 'iamRoleStatements']);
  for (const [name, fn] of entries(at(root, ['functions']))) collect(field(fn, 'iamRoleStatements'), ['functions', name, 'iamRoleStatements']);

  const tables: DynamoTable[] = [];
  for (const resourcesKey of [['resources', 'Resources'], ['Resources']]) {
    for (const [logicalId, resource] of entries(at(root, resourcesKey))) {
      const type = field(resource, 'Type');
      const properties = field(resource, 'Properties');
      if (type === 'AWS::DynamoDB::Table' || type === 'AWS::DynamoDB::GlobalTable') {
        const tableName = field(properties, 'TableName');
        tables.push({ logicalId, tableName: typeof tableName === 'string' ? tableName : tableName === undefined ? null : JSON.stringify(tableName) });
      }
      if (type === 'AWS::IAM::Role') {
        for (const [index, policy] of asArray(field(properties, 'Policies')).entries()) {
          const keys = [...resourcesKey, logicalId, 'Properties', 'Policies', index, 'PolicyDocument', 'Statement'];
          collect(field(field(policy, 'PolicyDocument'), 'Statement'), keys);
        }
      }
      if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
        collect(field(field(properties, 'PolicyDocument'), 'Statement'), [...resourcesKey, logicalId, 'Properties', 'PolicyDocument', 'Statement']);
      }
    }
  }
  return { iamStatements: statements, dynamoTables: tables };
}

const CLOUDFORMATION_TAGS = ['Ref', 'Condition', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'FindInMap', 'GetAZs', 'ImportValue', 'If', 'Equals', 'Not', 'And', 'Or', 'Base64', 'Cidr'].flatMap(
  (name) => {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const wrap = (value: unknown): Record<string, unknown> => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value });
    return [
      { tag: `!${name}`, identify: (): boolean => false, resolve: (value: string) => wrap(value) },
      { tag: `!${name}`, identify: (): boolean => false, collection: 'seq' as const, resolve: (value: YamlNode) => wrap(isSeq(value) ? value.toJSON() : value) },
      { tag: `!${name}`, identify: (): boolean => false, collection: 'map' as const, resolve: (value: YamlNode) => wrap(isMap(value) ? value.toJSON() : value) },
    ];
  },
);

function lineOf(document: Document, text: string, keys: (string | number)[]): number {
  const node = document.getIn(keys, true) as YamlNode | undefined;
  const offset = node && (isMap(node) || isSeq(node) || isScalar(node)) ? node.range?.[0] : undefined;
  return offset === undefined ? 0 : text.slice(0, offset).split('\n').length;
}

function pathText(keys: (string | number)[]): string {
  return keys.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

function resourceText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function at(value: unknown, keys: string[]): unknown {
  return keys.reduce<unknown>((current, key) => field(current, key), value);
}

function entries(value: unknown): [string, unknown][] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value as Record<string, unknown>) : [];
}
