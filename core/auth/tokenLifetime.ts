import { NexusError, hasErrorCode } from '../errors/NexusError';

/** Error code of a token lifetime that is not a positive duration. */
export const INVALID_TOKEN_LIFETIME = 'INVALID_TOKEN_LIFETIME';

/** A token lifetime (a ttl to mint with, or a maximum to verify against) that cannot be used. */
export class InvalidTokenLifetimeError extends NexusError {
  constructor(message: string, details: { lifetime: string }) {
    super(INVALID_TOKEN_LIFETIME, message, { details });
  }
}

/** True for a token lifetime that is not a positive duration. */
export function isInvalidTokenLifetimeError(error: unknown): boolean {
  return hasErrorCode(error, INVALID_TOKEN_LIFETIME);
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A lifetime as people write it: whole seconds (`3600`) or a number and a unit (`90s`, `15m`,
 * `1h`, `7d`), possibly signed so that `-5` or `0` can be refused by name rather than as
 * unreadable. Undefined when the text is neither.
 *
 * @example
 * parseLifetimeSeconds('15m'); // 900
 */
export function parseLifetimeSeconds(text: string): number | undefined {
  const match = /^([+-]?\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
}

/**
 * A lifetime in whole seconds, from a number of seconds or text as {@link parseLifetimeSeconds}
 * reads it. Throws {@link InvalidTokenLifetimeError} unless it is a positive safe integer: a
 * token that is born expired, or never expires, is a mistake to report, not to mint.
 */
export function positiveLifetimeSeconds(lifetime: string | number, what: string): number {
  const seconds = typeof lifetime === 'number' ? lifetime : parseLifetimeSeconds(lifetime);
  if (seconds === undefined || !Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new InvalidTokenLifetimeError(`${what} must be a positive lifetime: whole seconds, or like 90s, 15m, 1h, 7d; got "${String(lifetime)}"`, {
      lifetime: String(lifetime),
    });
  }
  return seconds;
}
