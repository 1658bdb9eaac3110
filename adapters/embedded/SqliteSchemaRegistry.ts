import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { DEFAULT_COMPATIBILITY_MODE, isCompatibilityMode } from '../../core/schema/CompatibilityMode';
import type { CompatibilityMode } from '../../core/schema/CompatibilityMode';
import type { RegisteredSchema, SchemaRegistry } from '../../core/schema/SchemaRegistry';
import { admitSchemaVersion, parseSchemaDefinition } from '../../core/schema/admitSchemaVersion';
import { canonicalOf } from '../../core/schema/canonicalSchema';
import { UnknownSchemaError, UnknownSchemaVersionError } from '../../core/schema/SchemaRegistryErrors';

interface VersionRow {
  version_id: string;
  schema_name: string;
  version: number;
  definition: string;
}

const SELECT_VERSION = 'SELECT version_id, schema_name, version, definition FROM nexus_schema_versions';

/**
 * The embedded {@link SchemaRegistry}: schemas and their versions in two SQLite tables, version
 * ids are random UUIDs (as Glue's), identity of definitions is by canonical form, and every new
 * version is checked against the schema's compatibility mode before it is stored (a first
 * version is accepted in every mode, DISABLED included, as Glue's CreateSchema does). Registration
 * runs in one transaction, so concurrent writers on one database cannot create the same version
 * twice.
 *
 * @example
 * const registry = new SqliteSchemaRegistry(new Database('.nexus/nexus.db'));
 * const v1 = await registry.register('nexus.order.OrderPlaced', definition);
 */
export class SqliteSchemaRegistry implements SchemaRegistry {
  private readonly db: Database;
  private readonly statements: {
    insertSchema: Statement<[string, string]>;
    selectMode: Statement<[string], { compatibility: string }>;
    updateMode: Statement<[string, string]>;
    insertVersion: Statement<[string, string, number, string, string]>;
    byId: Statement<[string], VersionRow>;
    byNameVersion: Statement<[string, number], VersionRow>;
    byCanonical: Statement<[string, string], VersionRow>;
    latest: Statement<[string], VersionRow>;
    all: Statement<[string], VersionRow>;
    names: Statement<[], { name: string }>;
  };

  constructor(db: Database) {
    this.db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS nexus_schemas (
        name TEXT PRIMARY KEY,
        compatibility TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS nexus_schema_versions (
        version_id TEXT PRIMARY KEY,
        schema_name TEXT NOT NULL REFERENCES nexus_schemas(name),
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        canonical TEXT NOT NULL,
        registered_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (schema_name, version)
      );
      CREATE INDEX IF NOT EXISTS nexus_schema_versions_canonical ON nexus_schema_versions (schema_name, canonical);
    `);
    this.statements = {
      insertSchema: db.prepare('INSERT OR IGNORE INTO nexus_schemas (name, compatibility) VALUES (?, ?)'),
      selectMode: db.prepare('SELECT compatibility FROM nexus_schemas WHERE name = ?'),
      updateMode: db.prepare('UPDATE nexus_schemas SET compatibility = ? WHERE name = ?'),
      insertVersion: db.prepare(
        'INSERT INTO nexus_schema_versions (version_id, schema_name, version, definition, canonical) VALUES (?, ?, ?, ?, ?)',
      ),
      byId: db.prepare(`${SELECT_VERSION} WHERE version_id = ?`),
      byNameVersion: db.prepare(`${SELECT_VERSION} WHERE schema_name = ? AND version = ?`),
      byCanonical: db.prepare(`${SELECT_VERSION} WHERE schema_name = ? AND canonical = ? ORDER BY version LIMIT 1`),
      latest: db.prepare(`${SELECT_VERSION} WHERE schema_name = ? ORDER BY version DESC LIMIT 1`),
      all: db.prepare(`${SELECT_VERSION} WHERE schema_name = ? ORDER BY version`),
      names: db.prepare('SELECT name FROM nexus_schemas ORDER BY name'),
    };
  }

  register(schemaName: string, definition: string, options: { compatibility?: CompatibilityMode } = {}): Promise<RegisteredSchema> {
    return settle(() => {
      const canonical = canonicalOf(parseSchemaDefinition(schemaName, definition));
      return this.db.transaction(() => this.registerInTransaction(schemaName, definition, canonical, options.compatibility))();
    });
  }

  findByDefinition(schemaName: string, definition: string): Promise<RegisteredSchema | undefined> {
    return settle(() => {
      const row = this.statements.byCanonical.get(schemaName, canonicalOf(parseSchemaDefinition(schemaName, definition)));
      return row === undefined ? undefined : toRegistered(row);
    });
  }

  getByVersionId(schemaVersionId: string): Promise<RegisteredSchema> {
    return settle(() => {
      const row = this.statements.byId.get(schemaVersionId.toLowerCase());
      if (row === undefined) throw new UnknownSchemaVersionError(schemaVersionId);
      return toRegistered(row);
    });
  }

  getVersion(schemaName: string, version: number): Promise<RegisteredSchema> {
    return settle(() => {
      const row = this.statements.byNameVersion.get(schemaName, version);
      if (row === undefined) throw new UnknownSchemaError(schemaName, version);
      return toRegistered(row);
    });
  }

  getLatest(schemaName: string): Promise<RegisteredSchema> {
    return settle(() => {
      const row = this.statements.latest.get(schemaName);
      if (row === undefined) throw new UnknownSchemaError(schemaName);
      return toRegistered(row);
    });
  }

  listVersions(schemaName: string): Promise<RegisteredSchema[]> {
    return settle(() => this.statements.all.all(schemaName).map(toRegistered));
  }

  listSchemaNames(): Promise<string[]> {
    return settle(() => this.statements.names.all().map((row) => row.name));
  }

  getCompatibility(schemaName: string): Promise<CompatibilityMode> {
    return settle(() => this.modeOf(schemaName));
  }

  setCompatibility(schemaName: string, mode: CompatibilityMode): Promise<void> {
    return settle(() => {
      if (this.statements.updateMode.run(mode, schemaName).changes === 0) throw new UnknownSchemaError(schemaName);
    });
  }

  private registerInTransaction(schemaName: string, definition: string, canonical: string, mode: CompatibilityMode | undefined): RegisteredSchema {
    this.statements.insertSchema.run(schemaName, mode ?? DEFAULT_COMPATIBILITY_MODE);
    const existing = this.statements.byCanonical.get(schemaName, canonical);
    if (existing !== undefined) return toRegistered(existing);
    const previous = this.statements.all.all(schemaName);
    const currentMode = this.modeOf(schemaName);
    admitSchemaVersion(schemaName, currentMode, definition, previous.map((row) => row.definition));
    const row: VersionRow = { version_id: randomUUID(), schema_name: schemaName, version: previous.length + 1, definition };
    this.statements.insertVersion.run(row.version_id, schemaName, row.version, definition, canonical);
    return toRegistered(row);
  }

  private modeOf(schemaName: string): CompatibilityMode {
    const row = this.statements.selectMode.get(schemaName);
    if (row === undefined) throw new UnknownSchemaError(schemaName);
    return isCompatibilityMode(row.compatibility) ? row.compatibility : DEFAULT_COMPATIBILITY_MODE;
  }
}

function toRegistered(row: VersionRow): RegisteredSchema {
  return { schemaVersionId: row.version_id, schemaName: row.schema_name, version: row.version, definition: row.definition };
}

/** Runs synchronous SQLite work behind the async port: results and errors become settled promises. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}
