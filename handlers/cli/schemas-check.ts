/**
 * `npm run schemas:check`: fails (exit 1) on a breaking schema change, naming schema, version,
 * field and rule; exit 0 with a one-line summary otherwise; exit 2 on a usage error or when the
 * registry cannot be read.
 *
 * Usage: schemas-check [--dir schemas] [--db .nexus/nexus.db] [--base HEAD] [--help] [--version]
 *        schemas-check --registry glue --registry-name <name> [--region <region>] [--endpoint <url>] [--dir] [--base]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSchemaRegistry } from '../../adapters/embedded/SqliteSchemaRegistry';
import { errorCodeOf } from '../../core/errors/NexusError';
import { checkSchemaChanges, formatSchemaChangeProblem } from '../../core/schema/checkSchemaChanges';
import type { CheckSchemaChangesOptions } from '../../core/schema/checkSchemaChanges';
import { openGlueCheckRegistry } from './glueSchemaCheckRegistry';
import type { GlueCheckTarget } from './glueSchemaCheckRegistry';
import { answerStandardOptions } from './standardOptions';

const USAGE = `Usage: schemas-check [options]

Fails on breaking changes to the Avro schemas: edited or deleted version files, and new versions
that break their compatibility mode (against the git base and the registered versions).

Options:
  --dir <path>             schemas directory (default: schemas)
  --base <ref>             git revision to compare with (default: HEAD)
  --registry <kind>        embedded (default) or glue: where the registered versions are read
  --db <path>              embedded registry database, opened read-only (default: .nexus/nexus.db when present)
  --registry-name <name>   glue: the Glue Schema Registry to compare with (required with --registry glue)
  --region <region>        glue: AWS region (default: the SDK's, e.g. AWS_REGION)
  --endpoint <url>         glue: endpoint override (moto, a VPC endpoint)
  -h, --help               show this help
  -V, --version            show the version

With --registry glue the check also lists the versions in the directory that Glue does not hold
yet (notes, exit 0); credentials come from the AWS SDK's usual chain.`;

interface CliArguments {
  dir: string;
  db?: string;
  base: string;
  help: boolean;
  registry: 'embedded' | 'glue';
  glue: Partial<GlueCheckTarget>;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): CliArguments {
  const parsed: CliArguments = { dir: 'schemas', base: 'HEAD', help: false, registry: 'embedded', glue: {} };
  for (let index = 0; index < argv.length; index++) {
    const raw = argv[index] ?? '';
    const [flag, inline] = raw.includes('=') ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)] : [raw, undefined];
    const value = (): string => {
      const next = inline ?? argv[++index];
      if (next === undefined || next === '') throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--help':
      case '-h':
        parsed.help = true;
        break;
      case '--dir':
        parsed.dir = value();
        break;
      case '--db':
        parsed.db = value();
        break;
      case '--base':
        parsed.base = value();
        break;
      case '--registry': {
        const kind = value();
        if (kind !== 'embedded' && kind !== 'glue') throw new UsageError(`--registry must be embedded or glue, not ${kind}`);
        parsed.registry = kind;
        break;
      }
      case '--registry-name':
        parsed.glue.registryName = value();
        break;
      case '--region':
        parsed.glue.region = value();
        break;
      case '--endpoint':
        parsed.glue.endpoint = value();
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  return checkRegistryFlags(parsed);
}

function checkRegistryFlags(parsed: CliArguments): CliArguments {
  const glueFlags = Object.keys(parsed.glue).map((key) => `--${key === 'registryName' ? 'registry-name' : key}`);
  if (parsed.registry === 'embedded' && glueFlags.length > 0) throw new UsageError(`${glueFlags.join(', ')} need(s) --registry glue`);
  if (parsed.registry === 'glue' && parsed.db !== undefined) throw new UsageError('--db reads the embedded registry; it does not go with --registry glue');
  if (parsed.registry === 'glue' && parsed.glue.registryName === undefined) throw new UsageError('--registry glue needs --registry-name');
  return parsed;
}

function openRegistry(path: string | undefined, notes: string[]): { registry?: CheckSchemaChangesOptions['registry']; close(): void } {
  const dbPath = path ?? resolve('.nexus', 'nexus.db');
  if (!existsSync(dbPath)) {
    if (path !== undefined) throw new UsageError(`--db ${path}: no such file`);
    return { close: () => undefined };
  }
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return { registry: new SqliteSchemaRegistry(db), close: () => db.close() };
  } catch {
    // Read-only: the registry's CREATE TABLE fails when the database has no registry tables.
    notes.push(`${dbPath} holds no schema registry: registered versions not compared`);
    db.close();
    return { close: () => undefined };
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (answerStandardOptions(argv, USAGE)) return 0;
  let args: CliArguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`schemas-check: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const notes: string[] = [];
  let opened: { registry?: CheckSchemaChangesOptions['registry']; close(): void };
  try {
    opened = args.registry === 'glue' ? await openGlueCheckRegistry(args.glue as GlueCheckTarget, args.dir, notes) : openRegistry(args.db, notes);
  } catch (error) {
    console.error(`schemas-check: ${(error as Error).message}`);
    return 2;
  }
  try {
    let report: Awaited<ReturnType<typeof checkSchemaChanges>>;
    try {
      report = await checkSchemaChanges({ schemasDir: args.dir, baseRef: args.base, registry: opened.registry });
    } catch (error) {
      // Glue failures (unreachable, access denied) carry a code: a message, not a stack trace.
      const readFailure = args.registry === 'glue' && errorCodeOf(error) !== undefined;
      if (errorCodeOf(error) !== 'UNKNOWN_GIT_REF' && !readFailure) throw error;
      console.error(`schemas-check: ${(error as Error).message}`);
      return 2;
    }
    if (args.registry === 'glue') notes.push(...report.unregistered.map((v) => `${v.schemaName} v${v.version} is not registered in Glue registry ${args.glue.registryName ?? ''} yet`));
    for (const note of [...notes, ...report.notes]) console.log(`note: ${note}`);
    for (const problem of report.problems) console.error(formatSchemaChangeProblem(problem));
    if (report.problems.length > 0) {
      console.error(`schemas-check: ${report.problems.length} breaking change(s) in ${args.dir}`);
      return 1;
    }
    console.log(`schemas-check: ${report.versionCount} schema version(s) in ${args.dir}, no breaking changes`);
    return 0;
  } finally {
    opened.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
