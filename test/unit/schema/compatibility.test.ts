import { Type } from 'avsc';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCompatibility } from '../../../core/schema/compatibility';
import { COMPATIBILITY_MODES } from '../../../core/schema/CompatibilityMode';
import type { CompatibilityMode } from '../../../core/schema/CompatibilityMode';

type FieldSpec = Record<string, unknown>;

function schema(fields: FieldSpec[]): string {
  return JSON.stringify({ type: 'record', name: 'Evolving', namespace: 'test', fields });
}

const status = (symbols: string[], extra: Record<string, unknown> = {}): FieldSpec => ({
  name: 'status',
  type: { type: 'enum', name: 'Status', symbols, ...extra },
});
const id: FieldSpec = { name: 'id', type: 'string' };
const line = (unitPriceType: string): FieldSpec => ({
  name: 'items',
  type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }, { name: 'unitPrice', type: unitPriceType }] } },
});
const money = (fields: FieldSpec[]): FieldSpec => ({ name: 'total', type: { type: 'record', name: 'Money', fields } });

interface EvolutionCase {
  name: string;
  previous: string;
  candidate: string;
  /** The candidate can read the previous version's data. */
  backward: boolean;
  /** The previous version can read the candidate's data. */
  forward: boolean;
  /** Expected (field, rule) of the first violation per failing direction. */
  backwardProblem?: [string, string];
  forwardProblem?: [string, string];
}

const CASES: EvolutionCase[] = [
  { name: 'field added with a default', previous: schema([id]), candidate: schema([id, { name: 'note', type: 'string', default: '' }]), backward: true, forward: true },
  {
    name: 'field added without a default',
    previous: schema([id]),
    candidate: schema([id, { name: 'note', type: 'string' }]),
    backward: false,
    forward: true,
    backwardProblem: ['note', 'FIELD_ADDED_WITHOUT_DEFAULT'],
  },
  { name: 'field removed that had a default', previous: schema([id, { name: 'note', type: 'string', default: '' }]), candidate: schema([id]), backward: true, forward: true },
  {
    name: 'field removed that had no default',
    previous: schema([id, { name: 'note', type: 'string' }]),
    candidate: schema([id]),
    backward: true,
    forward: false,
    forwardProblem: ['note', 'FIELD_REMOVED_WITHOUT_DEFAULT'],
  },
  {
    name: 'int promoted to long',
    previous: schema([{ name: 'count', type: 'int' }]),
    candidate: schema([{ name: 'count', type: 'long' }]),
    backward: true,
    forward: false,
    forwardProblem: ['count', 'TYPE_MISMATCH'],
  },
  {
    name: 'long narrowed to int',
    previous: schema([{ name: 'count', type: 'long' }]),
    candidate: schema([{ name: 'count', type: 'int' }]),
    backward: false,
    forward: true,
    backwardProblem: ['count', 'TYPE_MISMATCH'],
  },
  {
    name: 'enum symbol added',
    previous: schema([status(['OPEN', 'CLOSED'])]),
    candidate: schema([status(['OPEN', 'CLOSED', 'HELD'])]),
    backward: true,
    forward: false,
    forwardProblem: ['status', 'ENUM_SYMBOL_ADDED'],
  },
  {
    name: 'enum symbol removed',
    previous: schema([status(['OPEN', 'CLOSED', 'HELD'])]),
    candidate: schema([status(['OPEN', 'CLOSED'])]),
    backward: false,
    forward: true,
    backwardProblem: ['status', 'ENUM_SYMBOL_REMOVED'],
  },
  {
    name: 'enum symbol removed, both enums with a default',
    previous: schema([status(['OPEN', 'CLOSED', 'HELD'], { default: 'OPEN' })]),
    candidate: schema([status(['OPEN', 'CLOSED'], { default: 'OPEN' })]),
    backward: true,
    forward: true,
  },
  {
    name: 'union branch added',
    previous: schema([{ name: 'ref', type: ['null', 'string'] }]),
    candidate: schema([{ name: 'ref', type: ['null', 'string', 'int'] }]),
    backward: true,
    forward: false,
    forwardProblem: ['ref', 'UNION_BRANCH_MISSING'],
  },
  {
    name: 'union branch removed',
    previous: schema([{ name: 'ref', type: ['null', 'string', 'int'] }]),
    candidate: schema([{ name: 'ref', type: ['null', 'string'] }]),
    backward: false,
    forward: true,
    backwardProblem: ['ref', 'UNION_BRANCH_MISSING'],
  },
  {
    name: 'field renamed with an alias',
    previous: schema([{ name: 'amount', type: 'double' }]),
    candidate: schema([{ name: 'total', type: 'double', aliases: ['amount'] }]),
    backward: true,
    forward: false,
    forwardProblem: ['amount', 'FIELD_REMOVED_WITHOUT_DEFAULT'],
  },
  {
    name: 'field renamed without an alias',
    previous: schema([{ name: 'amount', type: 'double' }]),
    candidate: schema([{ name: 'total', type: 'double' }]),
    backward: false,
    forward: false,
    backwardProblem: ['total', 'FIELD_ADDED_WITHOUT_DEFAULT'],
    forwardProblem: ['amount', 'FIELD_REMOVED_WITHOUT_DEFAULT'],
  },
  {
    name: 'array item field changed type',
    previous: schema([line('double')]),
    candidate: schema([line('string')]),
    backward: false,
    forward: false,
    backwardProblem: ['items[].unitPrice', 'TYPE_MISMATCH'],
    forwardProblem: ['items[].unitPrice', 'TYPE_MISMATCH'],
  },
  {
    name: 'nested record field added without a default',
    previous: schema([money([{ name: 'amount', type: 'double' }])]),
    candidate: schema([money([{ name: 'amount', type: 'double' }, { name: 'currency', type: 'string' }])]),
    backward: false,
    forward: true,
    backwardProblem: ['total.currency', 'FIELD_ADDED_WITHOUT_DEFAULT'],
  },
  {
    name: 'nested record renamed without an alias',
    previous: schema([{ name: 'total', type: { type: 'record', name: 'Money', fields: [] } }]),
    candidate: schema([{ name: 'total', type: { type: 'record', name: 'Amount', fields: [] } }]),
    backward: false,
    forward: false,
    backwardProblem: ['total', 'NAME_MISMATCH'],
    forwardProblem: ['total', 'NAME_MISMATCH'],
  },
  {
    name: 'nested record renamed with an alias',
    previous: schema([{ name: 'total', type: { type: 'record', name: 'Money', fields: [] } }]),
    candidate: schema([{ name: 'total', type: { type: 'record', name: 'Amount', aliases: ['Money'], fields: [] } }]),
    backward: true,
    forward: false,
    forwardProblem: ['total', 'NAME_MISMATCH'],
  },
  {
    name: 'map values promoted from float to double',
    previous: schema([{ name: 'rates', type: { type: 'map', values: 'float' } }]),
    candidate: schema([{ name: 'rates', type: { type: 'map', values: 'double' } }]),
    backward: true,
    forward: false,
    forwardProblem: ['rates{}', 'TYPE_MISMATCH'],
  },
  {
    name: 'fixed size changed',
    previous: schema([{ name: 'hash', type: { type: 'fixed', name: 'Hash', size: 16 } }]),
    candidate: schema([{ name: 'hash', type: { type: 'fixed', name: 'Hash', size: 32 } }]),
    backward: false,
    forward: false,
    backwardProblem: ['hash', 'FIXED_SIZE_MISMATCH'],
    forwardProblem: ['hash', 'FIXED_SIZE_MISMATCH'],
  },
  {
    name: 'string read as bytes',
    previous: schema([{ name: 'body', type: 'string' }]),
    candidate: schema([{ name: 'body', type: 'bytes' }]),
    backward: true,
    forward: true,
  },
];

function expectedFor(mode: CompatibilityMode, evolution: EvolutionCase): boolean {
  switch (mode) {
    case 'NONE':
      return true;
    case 'DISABLED':
      return false;
    case 'BACKWARD':
    case 'BACKWARD_ALL':
      return evolution.backward;
    case 'FORWARD':
    case 'FORWARD_ALL':
      return evolution.forward;
    case 'FULL':
    case 'FULL_ALL':
      return evolution.backward && evolution.forward;
  }
}

function avscCanRead(readerDefinition: string, writerDefinition: string): boolean {
  const reader = Type.forSchema(JSON.parse(readerDefinition) as Parameters<typeof Type.forSchema>[0]);
  const writer = Type.forSchema(JSON.parse(writerDefinition) as Parameters<typeof Type.forSchema>[0]);
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

describe('checkCompatibility', () => {
  describe.each(CASES)('$name', (evolution) => {
    it('agrees with avsc schema resolution in both directions', () => {
      // given
      const { previous, candidate } = evolution;
      // when
      const backward = checkCompatibility('BACKWARD', candidate, [previous]);
      const forward = checkCompatibility('FORWARD', candidate, [previous]);
      // then
      expect(backward.compatible).toBe(avscCanRead(candidate, previous));
      expect(forward.compatible).toBe(avscCanRead(previous, candidate));
      expect([backward.compatible, forward.compatible]).toEqual([evolution.backward, evolution.forward]);
    });

    it.each([...COMPATIBILITY_MODES])('gives the expected verdict under %s', (mode) => {
      // given
      const { previous, candidate } = evolution;
      // when
      const verdict = checkCompatibility(mode, candidate, [previous]);
      // then
      expect(verdict.compatible).toBe(expectedFor(mode, evolution));
      expect(verdict.violations.length === 0).toBe(verdict.compatible);
    });

    it('names the field and the rule of each failing direction', () => {
      // given
      const { previous, candidate } = evolution;
      // when
      const violations = checkCompatibility('FULL', candidate, [previous]).violations;
      // then
      const first = (direction: string): [string, string] | undefined => {
        const found = violations.find((v) => v.direction === direction);
        return found === undefined ? undefined : [found.field, found.rule];
      };
      expect(first('BACKWARD')).toEqual(evolution.backwardProblem);
      expect(first('FORWARD')).toEqual(evolution.forwardProblem);
      for (const violation of violations) expect(violation.againstVersion).toBe(1);
    });
  });

  it('checks only the latest version under BACKWARD but every version under BACKWARD_ALL', () => {
    // given
    const v1 = schema([id]);
    const v2 = schema([id, { name: 'count', type: 'int', default: 0 }]);
    const v3 = schema([id, { name: 'count', type: 'int' }]);
    // when
    const latestOnly = checkCompatibility('BACKWARD', v3, [v1, v2]);
    const all = checkCompatibility('BACKWARD_ALL', v3, [v1, v2]);
    // then
    expect(latestOnly.compatible).toBe(true);
    expect(all.violations).toEqual([expect.objectContaining({ direction: 'BACKWARD', againstVersion: 1, field: 'count', rule: 'FIELD_ADDED_WITHOUT_DEFAULT' })]);
  });

  it('checks only the latest version under FORWARD but every version under FORWARD_ALL and FULL_ALL', () => {
    // given
    const v1 = schema([id, { name: 'count', type: 'int' }]);
    const v2 = schema([id, { name: 'count', type: 'int', default: 0 }]);
    const v3 = schema([id]);
    // when
    const latestOnly = checkCompatibility('FORWARD', v3, [v1, v2]);
    const full = checkCompatibility('FULL', v3, [v1, v2]);
    const forwardAll = checkCompatibility('FORWARD_ALL', v3, [v1, v2]);
    const fullAll = checkCompatibility('FULL_ALL', v3, [v1, v2]);
    // then
    expect(latestOnly.compatible).toBe(true);
    expect(full.compatible).toBe(true);
    const expected = [expect.objectContaining({ direction: 'FORWARD', againstVersion: 1, field: 'count', rule: 'FIELD_REMOVED_WITHOUT_DEFAULT' })];
    expect(forwardAll.violations).toEqual(expected);
    expect(fullAll.violations).toEqual(expected);
  });

  it.each([...COMPATIBILITY_MODES])('accepts a first version under %s, as Glue CreateSchema does', (mode) => {
    // given
    const v1 = schema([id]);
    // when
    const verdict = checkCompatibility(mode, v1, []);
    // then
    expect(verdict).toEqual({ compatible: true, violations: [] });
  });

  it('refuses any version after the first under DISABLED with the rule REGISTRATION_DISABLED, against the latest version', () => {
    // given
    const v1 = schema([id]);
    const v2 = schema([id, { name: 'note', type: 'string', default: '' }]);
    // when
    const second = checkCompatibility('DISABLED', v2, [v1]);
    const third = checkCompatibility('DISABLED', v1, [v1, v2]);
    // then
    expect(second.violations).toEqual([expect.objectContaining({ field: '(root)', rule: 'REGISTRATION_DISABLED', againstVersion: 1 })]);
    expect(third.violations).toEqual([expect.objectContaining({ rule: 'REGISTRATION_DISABLED', againstVersion: 2, message: expect.stringContaining('no version may follow v2') })]);
  });

  it('accepts the repository OrderPlaced v2 as a BACKWARD evolution of v1', () => {
    // given
    const read = (file: string): string => readFileSync(join(__dirname, '..', '..', '..', 'schemas', file), 'utf8');
    // when
    const verdict = checkCompatibility('BACKWARD', read('nexus.order.OrderPlaced.v2.avsc'), [read('nexus.order.OrderPlaced.v1.avsc')]);
    // then
    expect(verdict).toEqual({ compatible: true, violations: [] });
  });

  it('terminates on recursive schemas and finds the broken field inside them', () => {
    // given
    const node = (valueType: string): string =>
      JSON.stringify({ type: 'record', name: 'test.Node', fields: [{ name: 'value', type: valueType }, { name: 'next', type: ['null', 'test.Node'], default: null }] });
    // when
    const verdict = checkCompatibility('BACKWARD', node('int'), [node('long')]);
    // then
    expect(verdict.compatible).toBe(avscCanRead(node('int'), node('long')));
    expect(verdict.violations.map((v) => [v.field, v.rule])).toContainEqual(['value', 'TYPE_MISMATCH']);
  });
});

describe('checkCompatibility inside unions', () => {
  it('names the field inside an optional record rather than the union', () => {
    // given
    const optionalMoney = (fields: FieldSpec[]): string =>
      schema([{ name: 'total', type: ['null', { type: 'record', name: 'Money', fields }], default: null }]);
    const previous = optionalMoney([{ name: 'amount', type: 'double' }]);
    const candidate = optionalMoney([{ name: 'amount', type: 'double' }, { name: 'currency', type: 'string' }]);
    // when
    const verdict = checkCompatibility('BACKWARD', candidate, [previous]);
    // then
    expect(verdict.compatible).toBe(avscCanRead(candidate, previous));
    expect(verdict.violations.map((v) => [v.field, v.rule])).toEqual([['total.currency', 'FIELD_ADDED_WITHOUT_DEFAULT']]);
  });
});

describe('checkCompatibility inside nullable arrays and maps', () => {
  const lineRecord = (fields: FieldSpec[]): Record<string, unknown> => ({ type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }, ...fields] });
  const discount: FieldSpec = { name: 'discount', type: 'double' };
  const coupon: FieldSpec = { name: 'coupon', type: 'string' };

  const NESTED_CASES: { name: string; shape: (fields: FieldSpec[]) => unknown; field: string }[] = [
    { name: 'a nullable array of records', shape: (fields) => ['null', { type: 'array', items: lineRecord(fields) }], field: 'items[]' },
    { name: 'a nullable map of records', shape: (fields) => ['null', { type: 'map', values: lineRecord(fields) }], field: 'items{}' },
    { name: 'an array of nullable records', shape: (fields) => ({ type: 'array', items: ['null', lineRecord(fields)] }), field: 'items[]' },
    { name: 'a nullable map of nullable records', shape: (fields) => ['null', { type: 'map', values: ['null', lineRecord(fields)] }], field: 'items{}' },
    { name: 'a nullable array of arrays of records', shape: (fields) => ['null', { type: 'array', items: { type: 'array', items: lineRecord(fields) } }], field: 'items[][]' },
  ];

  it.each(NESTED_CASES)('names the nested field and rule of every added field inside $name', ({ shape, field }) => {
    // given: two fields added without a default to the record inside
    const previous = schema([{ name: 'items', type: shape([]), default: null }].map(withoutNullDefaultUnlessNullable));
    const candidate = schema([{ name: 'items', type: shape([discount, coupon]), default: null }].map(withoutNullDefaultUnlessNullable));
    // when
    const verdict = checkCompatibility('BACKWARD', candidate, [previous]);
    // then
    expect(verdict.compatible).toBe(avscCanRead(candidate, previous));
    expect(verdict.violations.map((v) => `${v.field} ${v.rule}`)).toEqual([
      `${field}.discount FIELD_ADDED_WITHOUT_DEFAULT`,
      `${field}.coupon FIELD_ADDED_WITHOUT_DEFAULT`,
    ]);
  });

  it.each(NESTED_CASES)('names the nested field of a removed field inside $name under FORWARD', ({ shape, field }) => {
    // given: a field without a default removed from the record inside
    const previous = schema([{ name: 'items', type: shape([discount]), default: null }].map(withoutNullDefaultUnlessNullable));
    const candidate = schema([{ name: 'items', type: shape([]), default: null }].map(withoutNullDefaultUnlessNullable));
    // when
    const verdict = checkCompatibility('FORWARD', candidate, [previous]);
    // then
    expect(verdict.compatible).toBe(avscCanRead(previous, candidate));
    expect(verdict.violations.map((v) => `${v.field} ${v.rule}`)).toEqual([`${field}.discount FIELD_REMOVED_WITHOUT_DEFAULT`]);
  });

  it('names both the lost null branch and the nested field when a nullable array becomes required', () => {
    // given
    const previous = schema([{ name: 'items', type: ['null', { type: 'array', items: lineRecord([]) }], default: null }]);
    const candidate = schema([{ name: 'items', type: { type: 'array', items: lineRecord([discount]) } }]);
    // when
    const verdict = checkCompatibility('BACKWARD', candidate, [previous]);
    // then
    expect(verdict.compatible).toBe(avscCanRead(candidate, previous));
    expect(verdict.violations.map((v) => `${v.field} ${v.rule}`)).toEqual(['items UNION_BRANCH_MISSING', 'items[].discount FIELD_ADDED_WITHOUT_DEFAULT']);
  });

  it('names the nested type mismatch inside a nullable map', () => {
    // given
    const previous = schema([{ name: 'rates', type: ['null', { type: 'map', values: 'string' }], default: null }]);
    const candidate = schema([{ name: 'rates', type: ['null', { type: 'map', values: 'double' }], default: null }]);
    // when
    const verdict = checkCompatibility('BACKWARD', candidate, [previous]);
    // then
    expect(verdict.compatible).toBe(avscCanRead(candidate, previous));
    expect(verdict.violations.map((v) => `${v.field} ${v.rule}`)).toEqual(['rates{} TYPE_MISMATCH']);
  });

  it('still says no branch can read a writer type of another kind', () => {
    // given
    const previous = schema([{ name: 'ref', type: ['null', { type: 'array', items: 'string' }], default: null }]);
    const candidate = schema([{ name: 'ref', type: ['null', { type: 'map', values: 'string' }], default: null }]);
    // when
    const verdict = checkCompatibility('BACKWARD', candidate, [previous]);
    // then
    expect(verdict.compatible).toBe(false);
    expect(verdict.violations).toEqual([expect.objectContaining({ field: 'ref', rule: 'UNION_BRANCH_MISSING', message: expect.stringContaining('no branch that can read array') })]);
  });
});

describe('checkCompatibility reports every problem of a record', () => {
  it('walks the fields of a renamed record as well as naming the name mismatch', () => {
    // given: a record renamed without an alias, whose fields also changed
    const previous = schema([{ name: 'total', type: { type: 'record', name: 'Money', fields: [{ name: 'amount', type: 'double' }] } }]);
    const candidate = schema([
      { name: 'total', type: { type: 'record', name: 'Amount', fields: [{ name: 'amount', type: 'string' }, { name: 'currency', type: 'string' }] } },
    ]);
    // when
    const verdict = checkCompatibility('BACKWARD', candidate, [previous]);
    // then
    expect(verdict.violations.map((v) => `${v.field} ${v.rule}`)).toEqual([
      'total NAME_MISMATCH',
      'total.amount TYPE_MISMATCH',
      'total.currency FIELD_ADDED_WITHOUT_DEFAULT',
    ]);
  });

  it('walks a nullable record whose namespace changed, naming the mismatch and the fields inside', () => {
    // given: the same short name in another namespace, inside a nullable union
    const money = (namespace: string, fields: FieldSpec[]): FieldSpec => ({
      name: 'total',
      type: ['null', { type: 'record', name: 'Money', namespace, fields }],
      default: null,
    });
    const previous = schema([money('shop.v1', [{ name: 'amount', type: 'double' }])]);
    const candidate = schema([money('shop.v2', [{ name: 'amount', type: 'double' }, { name: 'currency', type: 'string' }])]);
    // when
    const verdict = checkCompatibility('BACKWARD', candidate, [previous]);
    // then
    expect(verdict.compatible).toBe(avscCanRead(candidate, previous));
    expect(verdict.violations.map((v) => `${v.field} ${v.rule}`)).toEqual(['total NAME_MISMATCH', 'total.currency FIELD_ADDED_WITHOUT_DEFAULT']);
  });

  it('reports every broken field of one record, not only the first', () => {
    // given
    const previous = schema([id, { name: 'count', type: 'long' }, { name: 'note', type: 'string' }]);
    const candidate = schema([{ name: 'id', type: 'int' }, { name: 'count', type: 'int' }, { name: 'note', type: 'string' }, { name: 'extra', type: 'string' }]);
    // when
    const verdict = checkCompatibility('BACKWARD', candidate, [previous]);
    // then
    expect(verdict.violations.map((v) => `${v.field} ${v.rule}`)).toEqual(['id TYPE_MISMATCH', 'count TYPE_MISMATCH', 'extra FIELD_ADDED_WITHOUT_DEFAULT']);
  });
});

/** A field whose type is not a union cannot default to null. */
function withoutNullDefaultUnlessNullable(field: FieldSpec): FieldSpec {
  if (Array.isArray(field.type)) return field;
  const { default: _ignored, ...rest } = field;
  return rest;
}
