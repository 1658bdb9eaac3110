import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { SqliteSchemaRegistry } from '../../adapters/embedded/SqliteSchemaRegistry';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import type { AvroEventCodecOptions } from '../../core/schema/AvroEventCodec';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import type { SchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';

/** The repository's schemas/ directory. */
export const REPOSITORY_SCHEMAS_DIR = resolve(__dirname, '..', '..', 'schemas');

/** Options of {@link createSchemaEnvironment}. */
export interface SchemaEnvironmentOptions {
  /** Database to hold the registry tables. @defaultValue a new in-memory database */
  db?: SqliteDatabase;
  /** Directory of `.avsc` files to register. @defaultValue the repository's schemas/ */
  schemasDir?: string;
  /** Options for the codec. @defaultValue the codec's defaults */
  codec?: AvroEventCodecOptions;
}

/** A registry loaded with every schema version, and a codec on top of it. */
export interface SchemaEnvironment {
  db: SqliteDatabase;
  registry: SqliteSchemaRegistry;
  codec: AvroEventCodec;
  catalog: SchemaCatalog;
}

/**
 * Test fixture: a real SQLite schema registry (in memory unless `db` is given) with every
 * schema of the repository (or `schemasDir`) registered, and an AvroEventCodec on it.
 *
 * @example
 * const { codec } = await createSchemaEnvironment();
 * const { bytes } = await codec.encode('OrderPlaced', orderPlacedPayload);
 */
export async function createSchemaEnvironment(options: SchemaEnvironmentOptions = {}): Promise<SchemaEnvironment> {
  const db = options.db ?? new Database(':memory:');
  const registry = new SqliteSchemaRegistry(db);
  const catalog = loadSchemaCatalog(options.schemasDir ?? REPOSITORY_SCHEMAS_DIR);
  await syncSchemas(registry, catalog);
  const codec = new AvroEventCodec(registry, options.codec);
  return { db, registry, codec, catalog };
}
