import { timeOrderedId } from '../../../adapters/embedded/timeOrderedId';

describe('timeOrderedId', () => {
  it('makes RFC 9562 version 7 UUIDs that carry their millisecond', () => {
    // given an instant
    const at = Date.UTC(2026, 10, 27, 8, 45, 0, 123);
    // when an id is made at it
    const id = timeOrderedId(at);
    // then it is a version-7, variant-1 UUID whose first 48 bits are that instant
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sorts ids of later milliseconds after earlier ones and never repeats', () => {
    // given ids made over increasing instants, several per instant
    const ids = Array.from({ length: 3000 }, (_, i) => timeOrderedId(1_700_000_000_000 + Math.floor(i / 3)));
    // when they are compared by their time prefix and as a set
    const prefixes = ids.map((id) => id.slice(0, 13));
    // then the prefixes are in order and every id is distinct
    expect([...prefixes].sort()).toEqual(prefixes);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
