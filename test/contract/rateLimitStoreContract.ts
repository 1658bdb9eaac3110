import type { RateLimitStore } from '../../core/auth/RateLimitStore';

/** A rate-limit store under test and how to release it. */
export interface RateLimitStoreUnderTest {
  store: RateLimitStore;
  close(): Promise<void>;
}

const at = (iso: string): Date => new Date(iso);

/** The RateLimitStore contract; every implementation runs it. Each case starts from an empty store. */
export function describeRateLimitStoreContract(name: string, factory: () => Promise<RateLimitStoreUnderTest>): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    let subject: RateLimitStoreUnderTest;
    let store: RateLimitStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('counts hits of a key within a window and says when the window resets', async () => {
      // given two hits in the minute starting 10:00
      await store.hit('temporal:alice', 60, at('2026-03-01T10:00:05Z'));
      await store.hit('temporal:alice', 60, at('2026-03-01T10:00:30Z'));
      // when
      const third = await store.hit('temporal:alice', 60, at('2026-03-01T10:00:59.999Z'));
      // then
      expect(third).toEqual({ count: 3, resetAt: at('2026-03-01T10:01:00Z') });
    });

    it('starts again at 1 in the next window', async () => {
      // given
      for (let i = 0; i < 5; i += 1) await store.hit('temporal:alice', 60, at('2026-03-01T10:00:10Z'));
      // when
      const next = await store.hit('temporal:alice', 60, at('2026-03-01T10:01:00Z'));
      // then
      expect(next).toEqual({ count: 1, resetAt: at('2026-03-01T10:02:00Z') });
    });

    it('counts keys separately', async () => {
      // given
      await store.hit('temporal:alice', 60, at('2026-03-01T10:00:10Z'));
      // when
      const bob = await store.hit('temporal:bob', 60, at('2026-03-01T10:00:10Z'));
      // then
      expect(bob.count).toBe(1);
    });

    it('counts a late hit for an older window in the current one instead of rewinding', async () => {
      // given a hit in the 10:01 window
      await store.hit('temporal:alice', 60, at('2026-03-01T10:01:10Z'));
      // when a process with a slow clock reports a hit at 10:00:59
      const late = await store.hit('temporal:alice', 60, at('2026-03-01T10:00:59Z'));
      const after = await store.hit('temporal:alice', 60, at('2026-03-01T10:01:20Z'));
      // then
      expect(late.count).toBe(2);
      expect(after.count).toBe(3);
    });

    it('counts every one of concurrent hits on one key, each with its own count', async () => {
      // given a key never hit
      const now = at('2026-03-01T10:00:10Z');
      // when ten hits arrive at once, the first of the window among them
      const counts = await Promise.all(Array.from({ length: 10 }, () => store.hit('temporal:carol', 60, now)));
      // then none was lost and none counted twice
      expect(counts.map((hit) => hit.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('refuses a window length that is not a positive whole number of seconds', async () => {
      // given / when / then
      await expect(store.hit('k', 0, at('2026-03-01T10:00:00Z'))).rejects.toThrow(RangeError);
      await expect(store.hit('k', 1.5, at('2026-03-01T10:00:00Z'))).rejects.toThrow(/windowSeconds/);
    });
  });
}
