import { findIllFormedText, isWellFormedText, toWellFormedText } from '../../../core/text/wellFormedText';

describe('isWellFormedText', () => {
  it.each([
    ['plain ASCII', 'order-1', true],
    ['a surrogate pair (emoji)', '💥', true],
    ['a lone high surrogate', 'a\ud800b', false],
    ['a lone low surrogate', '\udc00', false],
    ['a reversed pair', '\udca5\ud83d', false],
  ])('says %s is %p', (_case, text, expected) => {
    // given the text
    // when
    const wellFormed = isWellFormedText(text);
    // then
    expect(wellFormed).toBe(expected);
  });

  it('replaces each lone surrogate by U+FFFD when asked for a well-formed copy', () => {
    // given
    const text = 'a\ud800b💥';
    // when
    const copy = toWellFormedText(text);
    // then
    expect(copy).toBe('a\ufffdb💥');
  });
});

describe('findIllFormedText', () => {
  it.each([
    ['a well-formed value', { a: ['x', { b: '💥' }], n: 1, z: null }, undefined],
    ['the value itself', '\ud800', ''],
    ['a member', { customerId: '\ud800' }, 'customerId'],
    ['an element of a nested array', { items: [{ sku: 'A' }, { sku: 'B\udfff' }] }, 'items[1].sku'],
    ['a key', { ok: 1, ['k\ud800']: 1 }, 'k\ufffd'],
    ['the first offender in document order', { a: 'ok', b: ['\ud800'], c: '\ud800' }, 'b[0]'],
  ])('finds the path of %s', (_case, value, path) => {
    // given the value
    // when
    const found = findIllFormedText(value);
    // then
    expect(found).toBe(path);
  });

  it('walks nesting deeper than the call stack allows recursion', () => {
    // given 100,000 nested arrays around a lone surrogate, as JSON.parse accepts them
    const depth = 100_000;
    const value = JSON.parse(`{"a":${'['.repeat(depth)}"\\ud800"${']'.repeat(depth)}}`) as unknown;
    // when
    const found = findIllFormedText(value);
    // then
    expect(found).toBe(`a${'[0]'.repeat(depth)}`);
  });

  it('finds nothing in deep nesting of well-formed text, and skips bytes', () => {
    // given 100,000 nested arrays around well-formed text, and a Buffer whose bytes are not text
    const depth = 100_000;
    const value = JSON.parse(`{"a":${'['.repeat(depth)}"fine"${']'.repeat(depth)}}`) as unknown;
    const bytes = { payload: Buffer.from([0xed, 0xa0, 0x80]), note: 'ok' };
    // when
    const found = [findIllFormedText(value), findIllFormedText(bytes)];
    // then
    expect(found).toEqual([undefined, undefined]);
  });
});
