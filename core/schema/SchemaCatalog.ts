import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from 'avsc';
import { NexusError } from '../errors/NexusError';
import { DEFAULT_COMPATIBILITY_MODE, isCompatibilityMode } from './CompatibilityMode';
import type { CompatibilityMode } from './CompatibilityMode';

/** Error code of {@link SchemaCatalogError}. */
export const INVALID_SCHEMA_CATALOG = 'INVALID_SCHEMA_CATALOG';

/** A schemas/ directory that breaks a catalog rule; the message names the file. */
export class SchemaCatalogError extends NexusError {
  constructor(message: string, details: Record<string, unknown>, cause?: unknown) {
    super(INVALID_SCHEMA_CATALOG, message, { cause, details });
  }
}

/** One schema version file. */
export interface SchemaCatalogEntry {
  /** Full Avro name, e.g. `nexus.order.OrderPlaced`. */
  schemaName: string;
  /** Last segment of the name, e.g. `OrderPlaced`. */
  eventType: string;
  version: number;
  /** The file's JSON text, as written. */
  definition: string;
  /** Absolute path of the file. */
  file: string;
}

/** Every schema version of a schemas/ directory, validated. */
export interface SchemaCatalog {
  directory: string;
  /** Sorted by schema name, then version. */
  entries: SchemaCatalogEntry[];
  schemaNames(): string[];
  /** Versions of one schema, oldest first; empty when unknown. */
  versionsOf(schemaName: string): SchemaCatalogEntry[];
  /** The mode from `registry.json`, or BACKWARD. */
  compatibilityOf(schemaName: string): CompatibilityMode;
}

/** Name of the optional per-directory settings file. */
export const REGISTRY_SETTINGS_FILE = 'registry.json';

const FILE_PATTERN = /^(.+)\.v(\d+)\.avsc$/;

/**
 * Reads `<Namespace>.<Name>.v<N>.avsc` files from `directory` and the optional `registry.json`
 * (`{ "compatibility": { "<schemaName>": "<MODE>" } }`). Throws {@link SchemaCatalogError}
 * naming the file when a file is not JSON (with the line), not valid Avro, declares another
 * full name than its file name, or when a schema's versions are not contiguous from 1.
 *
 * @example loadSchemaCatalog('schemas').versionsOf('nexus.order.OrderPlaced').length // 2
 */
export function loadSchemaCatalog(directory: string): SchemaCatalog {
  const entries: SchemaCatalogEntry[] = [];
  for (const fileName of readdirSync(directory).sort()) {
    if (!fileName.endsWith('.avsc')) continue;
    entries.push(readEntry(join(directory, fileName), fileName));
  }
  entries.sort((a, b) => (a.schemaName === b.schemaName ? a.version - b.version : a.schemaName < b.schemaName ? -1 : 1));
  const byName = new Map<string, SchemaCatalogEntry[]>();
  for (const entry of entries) byName.set(entry.schemaName, [...(byName.get(entry.schemaName) ?? []), entry]);
  for (const [schemaName, versions] of byName) checkContiguous(schemaName, versions);
  const compatibility = readSettings(directory, [...byName.keys()]);
  return {
    directory,
    entries,
    schemaNames: () => [...byName.keys()],
    versionsOf: (schemaName) => [...(byName.get(schemaName) ?? [])],
    compatibilityOf: (schemaName) => compatibility.get(schemaName) ?? DEFAULT_COMPATIBILITY_MODE,
  };
}

function readEntry(file: string, fileName: string): SchemaCatalogEntry {
  const match = FILE_PATTERN.exec(fileName);
  if (match === null || match[1] === undefined || match[2] === undefined) {
    throw new SchemaCatalogError(`${file}: file name must be <Namespace>.<Name>.v<N>.avsc`, { file });
  }
  const fileSchemaName = match[1];
  const version = Number(match[2]);
  if (version < 1) throw new SchemaCatalogError(`${file}: versions start at 1`, { file, version });
  const definition = readFileSync(file, 'utf8');
  const schema = parseJson(file, definition);
  let type: Type;
  try {
    type = Type.forSchema(schema as Parameters<typeof Type.forSchema>[0]);
  } catch (cause) {
    throw new SchemaCatalogError(`${file}: not a valid Avro schema: ${(cause as Error).message}`, { file }, cause);
  }
  if (type.name !== fileSchemaName) {
    const inside = type.name ?? `an unnamed ${type.typeName}`;
    throw new SchemaCatalogError(`${file}: the schema inside is ${inside}, but the file name says ${fileSchemaName}`, { file, schemaName: inside });
  }
  const eventType = fileSchemaName.slice(fileSchemaName.lastIndexOf('.') + 1);
  return { schemaName: fileSchemaName, eventType, version, definition, file };
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const line = lineOfJsonError(text, (cause as Error).message);
    const where = line === undefined ? '' : ` (line ${line})`;
    throw new SchemaCatalogError(`${file}${where}: invalid JSON: ${(cause as Error).message}`, { file, line }, cause);
  }
}

/** V8's messages carry either "line N column M" (Node 22+) or only "at position N" (Node 20). */
function lineOfJsonError(text: string, message: string): number | undefined {
  const lineMatch = /line (\d+)/.exec(message);
  if (lineMatch?.[1] !== undefined) return Number(lineMatch[1]);
  const positionMatch = /position (\d+)/.exec(message);
  if (positionMatch?.[1] !== undefined) return text.slice(0, Number(positionMatch[1])).split('\n').length;
  if (/end of JSON input/.test(message)) return text.split('\n').length;
  return undefined;
}

function checkContiguous(schemaName: string, versions: SchemaCatalogEntry[]): void {
  versions.forEach((entry, index) => {
    if (entry.version !== index + 1) {
      throw new SchemaCatalogError(
        `${entry.file}: versions of ${schemaName} must be contiguous from 1; expected v${index + 1}, found v${entry.version}`,
        { file: entry.file, schemaName, version: entry.version },
      );
    }
  });
}

function readSettings(directory: string, schemaNames: string[]): Map<string, CompatibilityMode> {
  const file = join(directory, REGISTRY_SETTINGS_FILE);
  const modes = new Map<string, CompatibilityMode>();
  if (!existsSync(file)) return modes;
  const settings = parseJson(file, readFileSync(file, 'utf8'));
  const compatibility = (settings as { compatibility?: unknown } | null)?.compatibility ?? {};
  if (typeof compatibility !== 'object' || compatibility === null) {
    throw new SchemaCatalogError(`${file}: "compatibility" must be an object of schema name -> mode`, { file });
  }
  for (const [schemaName, mode] of Object.entries(compatibility)) {
    if (!isCompatibilityMode(mode)) {
      throw new SchemaCatalogError(`${file}: ${String(mode)} is not a compatibility mode (for ${schemaName})`, { file, schemaName });
    }
    if (!schemaNames.includes(schemaName)) {
      throw new SchemaCatalogError(`${file}: names ${schemaName}, which has no schema file`, { file, schemaName });
    }
    modes.set(schemaName, mode);
  }
  return modes;
}
