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

  it('accepts a first version under every mode but DISABLED', () => {
    // given
    const v1 = schema([id]);
    // when
    const verdicts = COMPATIBILITY_MODES.map((mode) => [mode, checkCompatibility(mode, v1, []).compatible]);
    // then
    expect(Object.fromEntries(verdicts)).toEqual({
      NONE: true,
      DISABLED: false,
      BACKWARD: true,
      BACKWARD_ALL: true,
      FORWARD: true,
      FORWARD_ALL: true,
      FULL: true,
      FULL_ALL: true,
    });
  });

  it('refuses everything under DISABLED with the rule REGISTRATION_DISABLED', () => {
    // given
    const v1 = schema([id]);
    // when
    const verdict = checkCompatibility('DISABLED', v1, [v1]);
    // then
    expect(verdict.violations).toEqual([expect.objectContaining({ rule: 'REGISTRATION_DISABLED', againstVersion: 1 })]);
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
