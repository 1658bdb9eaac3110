import type { Type } from 'avsc';
import { parseAvro } from './compatibility';

/**
 * The form two definitions are compared in: avsc's fully qualified, dereferenced schema with its
 * attributes (defaults, aliases, doc), serialised without whitespace. Definitions that differ only
 * in layout, key order or namespace spelling share it. Throws when the definition is not Avro.
 */
export function canonicalSchema(definition: string): string {
  return canonicalOf(parseAvro(definition));
}

/** {@link canonicalSchema} of an already parsed type. */
export function canonicalOf(type: Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }));
}
