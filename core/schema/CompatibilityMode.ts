/**
 * Glue Schema Registry compatibility modes, honoured by every registry implementation.
 * BACKWARD: new readers read the previous version's data. FORWARD: previous readers read new data.
 * FULL: both. The `_ALL` variants check against every earlier version, not only the latest.
 * NONE: anything goes. DISABLED: a schema keeps the versions it has (its first version is always
 * accepted, as Glue's CreateSchema registers it in every mode); no version may follow them.
 */
export const COMPATIBILITY_MODES = [
  'NONE',
  'DISABLED',
  'BACKWARD',
  'BACKWARD_ALL',
  'FORWARD',
  'FORWARD_ALL',
  'FULL',
  'FULL_ALL',
] as const;

export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

/** The registry default, as in Glue. */
export const DEFAULT_COMPATIBILITY_MODE: CompatibilityMode = 'BACKWARD';

export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return typeof value === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(value);
}
