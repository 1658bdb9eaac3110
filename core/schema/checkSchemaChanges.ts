import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { NexusError } from '../errors/NexusError';
import { canonicalSchema } from './canonicalSchema';
import { checkCompatibility } from './compatibility';
import { loadSchemaCatalog } from './SchemaCatalog';
import type { SchemaCatalog, SchemaCatalogEntry } from './SchemaCatalog';
import type { SchemaRegistry } from './SchemaRegistry';

/** One breaking change found by {@link checkSchemaChanges}. */
export interface SchemaChangeProblem {
  schemaName: string;
  version: number;
  /** Dotted path of the field at fault, or `(root)`. */
  field: string;
  /** VERSION_MODIFIED, VERSION_DELETED, INVALID_CATALOG, or a compatibility rule. */
  rule: string;
  /** What the version was compared with, e.g. `BACKWARD against v2` or `registered v1`. */
  against: string;
}

/** The outcome of {@link checkSchemaChanges}. */
export interface SchemaChangeReport {
  problems: SchemaChangeProblem[];
  /** Comparisons skipped and why (no git, no registry, ...). */
  notes: string[];
  /** Version files in the working tree. */
  versionCount: number;
  /** Versions in the working tree that the registry does not hold yet (empty without a registry). */
  unregistered: { schemaName: string; version: number }[];
}

/** Inputs of {@link checkSchemaChanges}. */
export interface CheckSchemaChangesOptions {
  /** The schemas/ directory of the working tree. */
  schemasDir: string;
  /** Git revision to compare with; `null` skips the git comparison. @defaultValue 'HEAD' */
  baseRef?: string | null;
  /** Versions already registered (e.g. an embedded registry opened read-only). @defaultValue none */
  registry?: Pick<SchemaRegistry, 'listSchemaNames' | 'listVersions'>;
}

type VersionMap = Map<string, Map<number, string>>;

const FILE_PATTERN = /^(.+)\.v(\d+)\.avsc$/;

/**
 * Finds breaking schema changes in `schemasDir`: against the git base (an existing version file
 * changed: VERSION_MODIFIED; deleted: VERSION_DELETED; a new version that breaks its
 * compatibility mode against the earlier versions: the rule and field of each violation; under
 * DISABLED, a version beyond those the base holds: REGISTRATION_DISABLED), and against the
 * versions already registered in `registry`, by the same rules. Never throws for an unreadable catalog:
 * that is reported as INVALID_CATALOG. Throws UNKNOWN_GIT_REF when `baseRef` (other than HEAD) does not exist.
 *
 * @example formatSchemaChangeProblem((await checkSchemaChanges({ schemasDir: 'schemas' })).problems[0])
 */
export async function checkSchemaChanges(options: CheckSchemaChangesOptions): Promise<SchemaChangeReport> {
  const schemasDir = resolve(options.schemasDir);
  const report: SchemaChangeReport = { problems: [], notes: [], versionCount: 0, unregistered: [] };
  let catalog: SchemaCatalog;
  try {
    catalog = loadSchemaCatalog(schemasDir);
  } catch (error) {
    const details = (error as { details?: { schemaName?: string; version?: number } }).details ?? {};
    report.problems.push({ schemaName: details.schemaName ?? schemasDir, version: details.version ?? 0, field: '(root)', rule: 'INVALID_CATALOG', against: (error as Error).message });
    return report;
  }
  report.versionCount = catalog.entries.length;
  const baseRef = options.baseRef === undefined ? 'HEAD' : options.baseRef;
  if (baseRef !== null) {
    const base = readGitBase(schemasDir, baseRef, report.notes);
    if (base !== undefined) compareWith(catalog, base, baseRef, report.problems);
  }
  if (options.registry !== undefined) {
    const registered = await readRegistry(options.registry);
    compareWith(catalog, registered, 'registry', report.problems);
    report.unregistered = catalog.entries
      .filter((entry) => registered.get(entry.schemaName)?.has(entry.version) !== true)
      .map(({ schemaName, version }) => ({ schemaName, version }));
  } else {
    report.notes.push('no registry database: registered versions not compared');
  }
  return report;
}

/** `nexus.order.OrderPlaced v3: field total.currency: FIELD_ADDED_WITHOUT_DEFAULT (BACKWARD against v2)` */
export function formatSchemaChangeProblem(problem: SchemaChangeProblem): string {
  if (problem.rule === 'INVALID_CATALOG') return `INVALID_CATALOG: ${problem.against}`;
  return `${problem.schemaName} v${problem.version}: field ${problem.field}: ${problem.rule} (${problem.against})`;
}

function compareWith(catalog: SchemaCatalog, base: VersionMap, baseLabel: string, problems: SchemaChangeProblem[]): void {
  for (const [schemaName, versions] of base) {
    for (const [version, definition] of versions) {
      const entry = catalog.versionsOf(schemaName)[version - 1];
      if (entry === undefined) {
        problems.push({ schemaName, version, field: '(root)', rule: 'VERSION_DELETED', against: `present in ${baseLabel}` });
      } else if (!sameDefinition(entry.definition, definition)) {
        problems.push({ schemaName, version, field: changedField(entry.definition, definition), rule: 'VERSION_MODIFIED', against: `differs from ${baseLabel}` });
      }
    }
  }
  for (const schemaName of catalog.schemaNames()) {
    const entries = catalog.versionsOf(schemaName);
    const known = base.get(schemaName) ?? new Map<number, string>();
    const mode = catalog.compatibilityOf(schemaName);
    if (mode === 'DISABLED') {
      checkFrozen(schemaName, entries, known, problems);
      continue;
    }
    // Every version is checked, not only the new ones: the registry checks the whole chain at
    // start, so a committed but incompatible version must fail here too.
    for (const entry of entries) {
      // Earlier versions as the base knows them, so a check never trusts an edited old file.
      const previous = entries.slice(0, entry.version - 1).map((earlier) => known.get(earlier.version) ?? earlier.definition);
      for (const violation of checkCompatibility(mode, entry.definition, previous).violations) {
        problems.push({ schemaName, version: entry.version, field: violation.field, rule: violation.rule, against: `${violation.direction} against v${violation.againstVersion}` });
      }
    }
  }
}

/**
 * DISABLED freezes a schema at the versions its base already holds: a version beyond them is
 * REGISTRATION_DISABLED. A schema the base does not hold yet brings its files as its history
 * (syncSchemas registers them into a registry that lacks the schema, then freezes it), so they
 * are taken as they are: the mode they evolved under is not recorded, and DISABLED says nothing
 * about evolution.
 */
function checkFrozen(schemaName: string, entries: readonly SchemaCatalogEntry[], known: ReadonlyMap<number, string>, problems: SchemaChangeProblem[]): void {
  if (known.size === 0) return;
  const frozenAt = Math.max(...known.keys());
  for (const entry of entries) {
    if (entry.version <= frozenAt) continue;
    problems.push({ schemaName, version: entry.version, field: '(root)', rule: 'REGISTRATION_DISABLED', against: `DISABLED against v${frozenAt}` });
  }
}

function sameDefinition(a: string, b: string): boolean {
  try {
    return canonicalSchema(a) === canonicalSchema(b);
  } catch {
    return a === b;
  }
}

function changedField(current: string, base: string): string {
  try {
    return checkCompatibility('FULL', current, [base]).violations[0]?.field ?? '(root)';
  } catch {
    return '(root)';
  }
}

function readGitBase(schemasDir: string, baseRef: string, notes: string[]): VersionMap | undefined {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: schemasDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  let prefix: string;
  try {
    prefix = git('rev-parse', '--show-prefix').trim();
  } catch {
    notes.push('git comparison skipped: not a git repository');
    return undefined;
  }
  try {
    git('rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`);
  } catch (cause) {
    if (baseRef !== 'HEAD') throw new NexusError('UNKNOWN_GIT_REF', `git revision ${baseRef} does not exist`, { cause, details: { baseRef } });
    notes.push('git comparison skipped: the repository has no HEAD commit yet');
    return undefined;
  }
  let names: string[];
  try {
    names = git('ls-tree', '--full-tree', '--name-only', '-z', `${baseRef}:${prefix}`).split('\0').filter((name) => name !== '');
  } catch {
    notes.push(`${baseRef} has no ${prefix || 'schemas directory'}: every version is new`);
    return new Map();
  }
  const versions: VersionMap = new Map();
  for (const name of names) {
    const match = FILE_PATTERN.exec(name);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const perSchema = versions.get(match[1]) ?? new Map<number, string>();
    perSchema.set(Number(match[2]), git('show', `${baseRef}:${prefix}${name}`));
    versions.set(match[1], perSchema);
  }
  return versions;
}

async function readRegistry(registry: Pick<SchemaRegistry, 'listSchemaNames' | 'listVersions'>): Promise<VersionMap> {
  const versions: VersionMap = new Map();
  for (const schemaName of await registry.listSchemaNames()) {
    versions.set(schemaName, new Map((await registry.listVersions(schemaName)).map((v) => [v.version, v.definition])));
  }
  return versions;
}
