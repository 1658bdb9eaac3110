import { tokenTag, tokenTagMatches } from '../../../core/http/tokenMac';

describe('the tags of continuations and cursors', () => {
  it('accepts the tag of its content, purpose and key, and refuses any other', () => {
    // given a tag
    const tag = tokenTag('key-1', 'purpose', 'content');
    // when it is checked against itself and against each thing it binds
    const verdicts = [
      tokenTagMatches('key-1', 'purpose', 'content', tag),
      tokenTagMatches('key-2', 'purpose', 'content', tag),
      tokenTagMatches('key-1', 'other-purpose', 'content', tag),
      tokenTagMatches('key-1', 'purpose', 'contents', tag),
      tokenTagMatches('key-1', 'purpose', 'content', tag.slice(0, -1)),
    ];
    // then only the first holds
    expect(verdicts).toEqual([true, false, false, false, false]);
  });

  it('refuses a tag altered only in the spare bits of its last character, which base64url decoding would ignore', () => {
    // given a tag whose last character carries spare bits (22 characters for 16 bytes)
    const tag = tokenTag('key-1', 'purpose', 'content');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(tag.slice(-1));
    const sameBytes = alphabet[last ^ 0b0001] ?? '';
    const altered = `${tag.slice(0, -1)}${sameBytes}`;
    expect(Buffer.from(altered, 'base64url')).toEqual(Buffer.from(tag, 'base64url'));
    // when the altered tag is checked, then it is refused
    expect(tokenTagMatches('key-1', 'purpose', 'content', altered)).toBe(false);
  });
});
