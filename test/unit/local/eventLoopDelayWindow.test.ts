import { watchEventLoopDelay } from '../../../handlers/local/eventLoopDelayWindow';

describe('watchEventLoopDelay', () => {
  it('reports nothing before the first window ends, then the delay of a blocked loop', async () => {
    // given a watcher with 200 ms windows
    const watcher = watchEventLoopDelay(200);
    try {
      expect(watcher.last()).toBeUndefined();
      // when the loop is blocked for 60 ms inside the window
      await new Promise((resolve) => setTimeout(resolve, 20));
      const until = Date.now() + 60;
      while (Date.now() < until) {
        // busy: the sampling timer cannot fire
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
      // then the window's figures show a stall of about that length, net of the sampling interval
      const last = watcher.last();
      expect(last).toMatchObject({ windowMs: 200 });
      expect(last?.maxMs).toBeGreaterThanOrEqual(40);
      expect(last?.p50Ms).toBeLessThan(last?.maxMs ?? 0);
    } finally {
      watcher.stop();
    }
  });
});
