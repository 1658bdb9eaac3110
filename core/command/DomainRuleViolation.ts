import { NexusError } from '../errors/NexusError';

export const DOMAIN_RULE_VIOLATION = 'DOMAIN_RULE_VIOLATION';

/**
 * A business rule refused a command (e.g. cancelling a cancelled order). `rule` is a stable,
 * machine-readable code such as `ORDER_ALREADY_CANCELLED`; HTTP maps it to 409 or 422.
 */
export class DomainRuleViolation extends NexusError {
  readonly rule: string;
  constructor(rule: string, message: string, details: Record<string, unknown> = {}) {
    super(DOMAIN_RULE_VIOLATION, message, { details: { rule, ...details } });
    this.rule = rule;
  }
}
