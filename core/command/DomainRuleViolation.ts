import { NexusError } from '../errors/NexusError';

export const DOMAIN_RULE_VIOLATION = 'DOMAIN_RULE_VIOLATION';

/**
 * What a refusal says about the command, so that the HTTP layer can answer it without knowing
 * the rule: `conflict` (the state forbids it now: 409), `not-found` (its target does not
 * exist: 404), `invalid` (no state would allow it: 422).
 */
export type RuleViolationKind = 'conflict' | 'not-found' | 'invalid';

/** The kinds of {@link RuleViolationKind}, as constants. */
export const RULE_VIOLATION_KINDS = {
  CONFLICT: 'conflict',
  NOT_FOUND: 'not-found',
  INVALID: 'invalid',
} as const satisfies Record<string, RuleViolationKind>;

/** Tunables of {@link DomainRuleViolation}. */
export interface DomainRuleViolationOptions {
  /** @defaultValue 'conflict' */
  kind?: RuleViolationKind;
}

/**
 * A business rule refused a command (e.g. cancelling a cancelled order). `rule` is a stable,
 * machine-readable code such as `ORDER_ALREADY_CANCELLED`; `kind` says how HTTP answers it (409,
 * 404 or 422), declared by the rule where it is raised rather than listed in the HTTP layer.
 *
 * @example
 * ```ts
 * throw new DomainRuleViolation('ORDER_NOT_FOUND', `order ${id} does not exist`, { orderId: id }, { kind: 'not-found' });
 * ```
 */
export class DomainRuleViolation extends NexusError {
  readonly rule: string;
  readonly kind: RuleViolationKind;

  constructor(rule: string, message: string, details: Record<string, unknown> = {}, options: DomainRuleViolationOptions = {}) {
    super(DOMAIN_RULE_VIOLATION, message, { details: { rule, ...details } });
    this.rule = rule;
    this.kind = options.kind ?? RULE_VIOLATION_KINDS.CONFLICT;
  }
}

/** The kind of a domain rule violation (`conflict` when it names none or is not one). */
export function ruleViolationKindOf(error: unknown): RuleViolationKind {
  const kind = typeof error === 'object' && error !== null ? (error as { kind?: unknown }).kind : undefined;
  return kind === RULE_VIOLATION_KINDS.NOT_FOUND || kind === RULE_VIOLATION_KINDS.INVALID ? kind : RULE_VIOLATION_KINDS.CONFLICT;
}
