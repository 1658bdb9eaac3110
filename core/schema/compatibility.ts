import { Type } from 'avsc';
import type { CompatibilityMode } from './CompatibilityMode';
import { findResolutionProblems } from './schemaResolution';
import type { CompatibilityDirection } from './schemaResolution';

/** One reason why a candidate schema version breaks its compatibility mode. */
export interface CompatibilityViolation {
  direction: CompatibilityDirection;
  /** 1-based version of the earlier schema the candidate was checked against. */
  againstVersion: number;
  /** Dotted path, e.g. `items[].unitPrice` or `total.currency`; `(root)` for the top level. */
  field: string;
  /**
   * FIELD_ADDED_WITHOUT_DEFAULT, FIELD_REMOVED_WITHOUT_DEFAULT, TYPE_MISMATCH, ENUM_SYMBOL_REMOVED,
   * ENUM_SYMBOL_ADDED, UNION_BRANCH_MISSING, NAME_MISMATCH, FIXED_SIZE_MISMATCH, AMBIGUOUS_ALIAS,
   * REGISTRATION_DISABLED.
   */
  rule: string;
  message: string;
}

/** The outcome of {@link checkCompatibility}. */
export interface CompatibilityVerdict {
  compatible: boolean;
  violations: CompatibilityViolation[];
}

interface Plan {
  directions: CompatibilityDirection[];
  allVersions: boolean;
}

const PLANS: Readonly<Record<Exclude<CompatibilityMode, 'NONE' | 'DISABLED'>, Plan>> = {
  BACKWARD: { directions: ['BACKWARD'], allVersions: false },
  BACKWARD_ALL: { directions: ['BACKWARD'], allVersions: true },
  FORWARD: { directions: ['FORWARD'], allVersions: false },
  FORWARD_ALL: { directions: ['FORWARD'], allVersions: true },
  FULL: { directions: ['BACKWARD', 'FORWARD'], allVersions: false },
  FULL_ALL: { directions: ['BACKWARD', 'FORWARD'], allVersions: true },
};

/**
 * Decides whether `candidate` may follow `previousVersions` (oldest first, as Avro JSON text)
 * under `mode`, with Glue's semantics: BACKWARD = the candidate, as reader, can read the latest
 * previous version's data; FORWARD = the latest previous version, as reader, can read the
 * candidate's data; FULL = both; the `_ALL` variants check every previous version; NONE always
 * passes; DISABLED refuses any version after the first (rule REGISTRATION_DISABLED, against the
 * latest version). With no previous version every mode passes, DISABLED included, as Glue's
 * CreateSchema registers version 1 whatever the mode. Throws avsc's parse error when a definition is not valid Avro.
 *
 * @example
 * checkCompatibility('BACKWARD', v3, [v1, v2]).violations[0]
 * // { direction: 'BACKWARD', againstVersion: 2, field: 'total.currency', rule: 'FIELD_ADDED_WITHOUT_DEFAULT', ... }
 */
export function checkCompatibility(mode: CompatibilityMode, candidate: string, previousVersions: readonly string[]): CompatibilityVerdict {
  // Glue's CreateSchema registers version 1 in every mode, DISABLED included: a first version
  // has nothing to be compatible with, and DISABLED only forbids versioning what exists.
  if (mode === 'NONE' || previousVersions.length === 0) return { compatible: true, violations: [] };
  if (mode === 'DISABLED') {
    const againstVersion = previousVersions.length;
    const violation: CompatibilityViolation = {
      direction: 'BACKWARD',
      againstVersion,
      field: '(root)',
      rule: 'REGISTRATION_DISABLED',
      message: `the compatibility mode is DISABLED: no version may follow v${againstVersion}`,
    };
    return { compatible: false, violations: [violation] };
  }
  const plan = PLANS[mode];
  const candidateType = parseAvro(candidate);
  const firstChecked = plan.allVersions ? 0 : previousVersions.length - 1;
  const violations: CompatibilityViolation[] = [];
  for (let index = firstChecked; index < previousVersions.length; index++) {
    const previousType = parseAvro(previousVersions[index] ?? '');
    for (const direction of plan.directions) {
      const [reader, writer] = direction === 'BACKWARD' ? [candidateType, previousType] : [previousType, candidateType];
      for (const problem of findResolutionProblems(reader, writer, direction)) {
        violations.push({ direction, againstVersion: index + 1, ...problem });
      }
    }
  }
  return { compatible: violations.length === 0, violations };
}

/** Parses Avro JSON text into an avsc type (throws on invalid JSON or Avro). */
export function parseAvro(definition: string): Type {
  return Type.forSchema(JSON.parse(definition) as Parameters<typeof Type.forSchema>[0]);
}
