import type { Type } from 'avsc';
import { findIllFormedText } from '../text/wellFormedText';

const ILL_FORMED_REASON = 'is not well-formed Unicode (it holds a lone UTF-16 surrogate, which UTF-8 cannot carry)';

/** One place where a value does not match its Avro type. */
export interface PayloadProblem {
  /** Dotted path, e.g. `items[1].unitPrice`; `(root)` for the value itself. */
  field: string;
  reason: string;
}

/**
 * Lists where `value` breaks `type`: wrong types, missing required fields and (because
 * undeclared fields would be silently dropped on encode) fields the schema does not declare, and
 * strings that are not well-formed Unicode.
 * Empty when the value is valid. The fast check runs first, so valid values cost one pass.
 */
export function findPayloadProblems(type: Type, value: unknown): PayloadProblem[] {
  if (type.isValid(value, { noUndeclaredFields: true })) {
    // avsc writes a lone surrogate as U+FFFD (three bytes) without a word: the stored event would
    // no longer say what was sent, and a strict UTF-8 decoder (AWS) would refuse it.
    const illFormed = findIllFormedText(value);
    return illFormed === undefined ? [] : [{ field: illFormed === '' ? '(root)' : illFormed, reason: ILL_FORMED_REASON }];
  }
  const problems: PayloadProblem[] = [];
  type.isValid(value, {
    noUndeclaredFields: true,
    errorHook: (path: string[], invalid: unknown, expected: Type) => {
      problems.push({ field: formatPath(path), reason: reasonFor(invalid, expected) });
    },
  });
  return problems.length > 0 ? problems : [{ field: '(root)', reason: 'does not match the schema' }];
}

function formatPath(path: readonly string[]): string {
  let out = '';
  for (const segment of path) out += /^\d+$/.test(segment) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out === '' ? '(root)' : out;
}

function reasonFor(value: unknown, expected: Type): string {
  const wanted = describeType(expected);
  if (value === undefined) return `is missing (expected ${wanted})`;
  const fields = (expected as unknown as { fields?: { name: string }[] }).fields;
  if (expected.typeName === 'record' && fields !== undefined && typeof value === 'object' && value !== null) {
    const declared = new Set(fields.map((field) => field.name));
    const undeclared = Object.keys(value).filter((key) => !declared.has(key));
    if (undeclared.length > 0) return `has undeclared field(s) ${undeclared.join(', ')} (not in ${wanted})`;
  }
  return `expected ${wanted}, got ${describeValue(value)}`;
}

function describeType(type: Type): string {
  if (type.typeName.startsWith('union')) {
    const branches = (type as unknown as { types: Type[] }).types;
    return branches.map(describeType).join(' | ');
  }
  if (type.typeName === 'enum') return `enum ${type.name ?? ''} (${(type as unknown as { symbols: string[] }).symbols.join(', ')})`;
  // The lossless long (losslessLong.ts) is an avsc abstract long; users wrote `long`.
  const typeName = type.typeName === 'abstract:long' ? 'long' : type.typeName;
  return type.name !== undefined ? `${typeName} ${type.name}` : typeName;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number') return `number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
