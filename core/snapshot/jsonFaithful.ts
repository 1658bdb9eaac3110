/**
 * True when `JSON.parse(JSON.stringify(value))` has the same data as `value`: only null,
 * booleans, finite numbers, strings, arrays and objects whose own enumerable values are such (an
 * object's prototype does not matter, so Avro-decoded records pass). False for what JSON would
 * drop or change: undefined, functions, symbols, bigints, NaN and infinities, objects with a
 * `toJSON` (Date) and collections that serialize as `{}` (Map, Set, typed arrays).
 */
export function isJsonFaithful(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every((item, index) => index in value && isJsonFaithful(item));
      if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      return Object.values(value).every(isJsonFaithful);
    default:
      return false;
  }
}
