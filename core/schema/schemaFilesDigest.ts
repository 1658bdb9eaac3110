import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGISTRY_SETTINGS_FILE } from './SchemaCatalog';

/**
 * The SHA-256 (hex) of what a schemas/ directory registers: every `.avsc` file and the optional
 * `registry.json` (its compatibility modes are applied too), by name and content, in name order.
 * The deployment template carries it, so an added or changed schema re-runs the registration, and
 * the registration compares it with the files it was packaged with.
 *
 * @example schemaFilesDigest('schemas') // 'e3b0c442...'
 */
export function schemaFilesDigest(directory: string): string {
  const hash = createHash('sha256');
  const names = readdirSync(directory)
    .filter((name) => name.endsWith('.avsc') || name === REGISTRY_SETTINGS_FILE)
    .sort();
  for (const name of names) {
    const content = readFileSync(join(directory, name));
    // Name and length first: no sequence of files can hash like another.
    hash.update(`${name}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}
