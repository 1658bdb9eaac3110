/**
 * `npm run schemas:check`: fails (exit 1) on a breaking schema change, naming schema, version,
 * field and rule; exit 0 with a one-line summary otherwise; exit 2 on a usage error.
 *
 * Usage: schemas-check [--dir schemas] [--db .nexus/nexus.db] [--base HEAD] [--help] [--version]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSchemaRegistry } from '../../adapters/embedded/SqliteSchemaRegistry';
import { errorCodeOf } from '../../core/errors/NexusError';
import { checkSchemaChanges, formatSchemaChangeProblem } from '../../core/schema/checkSchemaChanges';
import type { CheckSchemaChangesOptions } from '../../core/schema/checkSchemaChanges';
import { answerStandardOptions } from './standardOptions';

const USAGE = `Usage: schemas-check [options]

Fails on breaking changes to the Avro schemas: edited or deleted version files, and new versions
that break their compatibility mode (against the git base and the embedded registry).

Options:
  --dir <path>     schemas directory (default: schemas)
  --db <path>      embedded registry database, opened read-only (default: .nexus/nexus.db when present)
  --base <ref>     git revision to compare with (default: HEAD)
  -h, --help       show this help
  -V, --version    show the version`;

interface CliArguments {
  dir: string;
  db?: string;
  base: string;
  help: boolean;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): CliArguments {
  const parsed: CliArguments = { dir: 'schemas', base: 'HEAD', help: false };
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
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
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
  let opened: ReturnType<typeof openRegistry>;
  try {
    opened = openRegistry(args.db, notes);
  } catch (error) {
    console.error(`schemas-check: ${(error as Error).message}`);
    return 2;
  }
  try {
    let report: Awaited<ReturnType<typeof checkSchemaChanges>>;
    try {
      report = await checkSchemaChanges({ schemasDir: args.dir, baseRef: args.base, registry: opened.registry });
    } catch (error) {
      if (errorCodeOf(error) !== 'UNKNOWN_GIT_REF') throw error;
      console.error(`schemas-check: ${(error as Error).message}`);
      return 2;
    }
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
