import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Event-loop delay of the last complete window, in ms. */
export interface EventLoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  windowMs: number;
}

/**
 * Samples this thread's event-loop delay and keeps the figures of the last complete window, so
 * `/health` shows whether the loop is stalling now rather than averaged since start. The timer
 * is unref'd: it never keeps the process alive.
 */
export function watchEventLoopDelay(windowMs = 10_000): { last(): EventLoopDelay | undefined; stop(): void } {
  const resolutionMs = 10;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  let last: EventLoopDelay | undefined;
  // The histogram holds each sampling timer's whole interval: the delay is what exceeds it.
  const ms = (nanoseconds: number): number => Math.max(0, Math.round(nanoseconds / 1e4) / 100 - resolutionMs);
  const timer = setInterval(() => {
    last = { p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max), windowMs };
    histogram.reset();
  }, windowMs);
  timer.unref();
  return {
    last: () => last,
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
