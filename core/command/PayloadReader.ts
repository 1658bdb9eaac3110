import { CommandValidationError } from './CommandErrors';

/** Constraints on a string field. */
export interface StringRule {
  /** @defaultValue 1 */
  minLength?: number;
  /** @defaultValue 256 */
  maxLength?: number;
  /** A pattern the whole value must match, with a human description for the error message. */
  pattern?: { regex: RegExp; description: string };
}

/** Constraints on a numeric field. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Most digits after the decimal point (amounts); unlimited when absent. */
  maxDecimals?: number;
}

/** Constraints on an array field. */
export interface ArrayRule {
  /** @defaultValue 0 */
  minItems?: number;
  /** @defaultValue 1000 */
  maxItems?: number;
}

/** Defaults of {@link StringRule}. */
export const STRING_DEFAULTS = { minLength: 1, maxLength: 256 } as const;
/** Defaults of {@link ArrayRule}. */
export const ARRAY_DEFAULTS = { minItems: 0, maxItems: 1000 } as const;

/**
 * The key of a stand-in body whose reads are recorded instead of checked: how the OpenAPI
 * document learns a command's body schema from its parser (core/http/openapi). A symbol, so
 * that no JSON body can carry it.
 */
export const DESCRIBE_READS: unique symbol = Symbol('PayloadReader.describeReads');

/** A stand-in body: {@link PayloadReader.of} asks it for the reader of `path`. */
export interface ReadsDescriber {
  [DESCRIBE_READS](path: string): PayloadReader;
}

/**
 * Reads fields of an untrusted JSON object, one at a time, and throws a
 * {@link CommandValidationError} naming the dotted path (`items[0].quantity`) and the rule at the
 * first value that breaks one. Call {@link PayloadReader.end} last to refuse fields nobody read.
 *
 * @example
 * ```ts
 * const body = PayloadReader.of(json);
 * const data = { orderId: body.string('orderId'), reason: body.string('reason', { maxLength: 500 }) };
 * body.end();
 * ```
 */
export class PayloadReader {
  private readonly seen = new Set<string>();

  protected constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}

  /** Wraps `value`, which must be a JSON object (not null, not an array). */
  static of(value: unknown, path = ''): PayloadReader {
    if (isReadsDescriber(value)) return value[DESCRIBE_READS](path);
    if (!isPlainObject(value)) {
      throw new CommandValidationError(path === '' ? undefined : path, `${path === '' ? 'the command body' : path} must be a JSON object`);
    }
    return new PayloadReader(value, path);
  }

  /** A required string, returned as given; a whitespace-only value counts as empty. */
  string(name: string, rule: StringRule = {}): string {
    const value = this.take(name);
    if (value === undefined || value === null) throw this.fail(name, 'is required');
    return this.checkString(name, value, rule);
  }

  /** An optional string: absent or null gives undefined. */
  optionalString(name: string, rule: StringRule = {}): string | undefined {
    const value = this.take(name);
    return value === undefined || value === null ? undefined : this.checkString(name, value, rule);
  }

  /** A required integer within [min, max]. */
  integer(name: string, rule: NumberRule = {}): number {
    const value = this.number(name, rule);
    if (!Number.isInteger(value)) throw this.fail(name, `must be an integer${range(rule)}`);
    return value;
  }

  /** A required finite number within [min, max], with at most `maxDecimals` decimals. */
  number(name: string, rule: NumberRule = {}): number {
    const value = this.take(name);
    if (value === undefined || value === null) throw this.fail(name, 'is required');
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.fail(name, `must be a number${range(rule)}`);
    if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
      throw this.fail(name, `must be a number${range(rule)}`);
    }
    if (rule.maxDecimals !== undefined && !hasAtMostDecimals(value, rule.maxDecimals)) {
      throw this.fail(name, `must have at most ${rule.maxDecimals} decimal places`);
    }
    return value;
  }

  /** A required array; `each` reads one element given its reader path (`items[2]`). */
  array<T>(name: string, rule: ArrayRule, each: (item: unknown, path: string) => T): T[] {
    const value = this.take(name);
    if (value === undefined || value === null) throw this.fail(name, 'is required');
    const { minItems, maxItems } = { ...ARRAY_DEFAULTS, ...rule };
    if (!Array.isArray(value)) throw this.fail(name, 'must be an array');
    if (value.length < minItems || value.length > maxItems) {
      throw this.fail(name, `must have between ${minItems} and ${maxItems} elements`);
    }
    return value.map((item: unknown, index) => each(item, `${this.pathOf(name)}[${index}]`));
  }

  /** Refuses any field that no accessor read, so typos are not silently ignored. */
  end(): void {
    const unknown = Object.keys(this.value).find((name) => !this.seen.has(name));
    if (unknown !== undefined) throw this.fail(unknown, 'is not a known field');
  }

  private checkString(name: string, value: unknown, rule: StringRule): string {
    const { minLength, maxLength, pattern } = { ...STRING_DEFAULTS, ...rule };
    if (typeof value !== 'string') throw this.fail(name, 'must be a string');
    if (value.trim().length < minLength || value.length > maxLength) {
      throw this.fail(name, minLength > 0 && value.trim().length === 0 ? 'must not be empty' : `must be ${minLength} to ${maxLength} characters long`);
    }
    if (pattern && !pattern.regex.test(value)) throw this.fail(name, `must be ${pattern.description}`);
    return value;
  }

  private take(name: string): unknown {
    this.seen.add(name);
    return Object.prototype.hasOwnProperty.call(this.value, name) ? this.value[name] : undefined;
  }

  private pathOf(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  private fail(name: string, rule: string): CommandValidationError {
    const field = this.pathOf(name);
    return new CommandValidationError(field, `${field} ${rule}`);
  }
}

function isReadsDescriber(value: unknown): value is ReadsDescriber {
  return typeof value === 'object' && value !== null && DESCRIBE_READS in value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function range(rule: NumberRule): string {
  if (rule.min !== undefined && rule.max !== undefined) return ` between ${rule.min} and ${rule.max}`;
  if (rule.min !== undefined) return ` of at least ${rule.min}`;
  if (rule.max !== undefined) return ` of at most ${rule.max}`;
  return '';
}

function hasAtMostDecimals(value: number, decimals: number): boolean {
  const scaled = value * 10 ** decimals;
  // Binary floating point: 19.99 * 100 is 1998.9999999999998, so compare with a tolerance.
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}
