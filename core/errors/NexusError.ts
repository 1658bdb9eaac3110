/** Options shared by every Nexus error. */
export interface NexusErrorOptions {
  /** The underlying failure, kept for logs and debugging. */
  cause?: unknown;
  /** Structured context (field, version, ...) that the HTTP layer may surface. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every error Nexus raises. Callers branch on `code`, never on `instanceof`,
 * so errors stay recognisable across package copies and process boundaries.
 */
export class NexusError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: NexusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `error` is a Nexus error (or looks like one) carrying `code`. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** The `code` of a Nexus-like error, or undefined. */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
