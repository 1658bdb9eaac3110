import { errorCodeOf } from './NexusError';

/** Codes that name a failure of an engine, not of the record: waiting helps, parking does not. */
const OUTAGE_CODES = new Set(['STREAM_PUBLISH_FAILED']);

/**
 * True when `error`, or any error in its `cause` chain, says an engine was unavailable after
 * its adapter's own retries (every port's `*_UNAVAILABLE` code, a stream that refused records).
 * Runners that can wait for a source to redeliver (Lambda, the polling runners) leave such a
 * record unfinished instead of parking it: a read model down for a minute must not park every
 * key that wrote to it.
 */
export function isEngineOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 8; depth += 1) {
    const code = errorCodeOf(current);
    if (code !== undefined && (code.endsWith('_UNAVAILABLE') || OUTAGE_CODES.has(code))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
