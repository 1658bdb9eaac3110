import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CompatibilityMode } from '../../../core/schema/CompatibilityMode';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');
const created: string[] = [];

/**
 * Test fixture: a fresh schemas directory holding the files of `fixture` (a test/fixtures
 * folder) with a registry.json that gives each named schema its mode.
 */
export function schemasDirWithModes(fixture: string, modes: Record<string, CompatibilityMode>, into?: string): string {
  let dir = into;
  if (dir === undefined) {
    const root = mkdtempSync(join(tmpdir(), 'nexus-schemas-'));
    created.push(root);
    dir = join(root, 'schemas');
  }
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  writeFileSync(join(dir, 'registry.json'), JSON.stringify({ compatibility: modes }));
  return dir;
}

/** Writes version `version` of a one-field record schema `schemaName` into `dir`. */
export function writeSchemaVersion(dir: string, schemaName: string, version: number): void {
  const fields = [{ name: 'id', type: 'string' }, ...Array.from({ length: version - 1 }, (_, index) => ({ name: `extra${index + 2}`, type: 'string' }))];
  writeFileSync(join(dir, `${schemaName}.v${version}.avsc`), JSON.stringify({ type: 'record', name: schemaName, fields }));
}

/** Removes every directory {@link schemasDirWithModes} created. */
export function removeSchemaDirs(): void {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
}
