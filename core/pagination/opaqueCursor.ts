/**
 * Opaque pagination cursors: a JSON value in base64url. Callers never look inside; every store
 * (SQLite, DynamoDB, OpenSearch) checks the shape it gets back with `decodeCursor`.
 */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The JSON value inside `cursor`, or undefined when it is not a cursor we could have written. */
export function decodeCursor(cursor: string): unknown {
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
