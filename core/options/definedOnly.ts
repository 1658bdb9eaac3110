/**
 * `value` without its undefined properties, so that `{ ...DEFAULTS, ...definedOnly(options) }`
 * keeps a default where an option is present but undefined (as optional properties often are
 * under `exactOptionalPropertyTypes: false`, and as spread options from callers are).
 */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
