import { nextKneeStep, stepHolds } from '../../../load-tests/bench/kneeSearch';
import type { KneeSearchOptions, KneeStep } from '../../../load-tests/bench/kneeSearch';

// The knee search is a pure function of the steps measured so far: these tests feed it made-up
// step results (no server, no clock) and check the rate it asks for next and the knee it reports.

const OPTIONS: KneeSearchOptions = { p99LimitMs: 10, startRate: 500, growth: 2, maxRate: 16_000, bisections: 3, rateQuantum: 10 };

const good = (rate: number): KneeStep => ({ rate, p99Ms: 4, failed: 0 });
const slow = (rate: number): KneeStep => ({ rate, p99Ms: 25, failed: 0 });

describe('knee search', () => {
  it('starts the ramp at the start rate', () => {
    // given no step measured yet
    // when
    const decision = nextKneeStep([], OPTIONS);
    // then
    expect(decision).toEqual({ done: false, rate: 500, phase: 'ramp' });
  });

  it('multiplies the rate by the growth while every step holds', () => {
    // given
    const steps = [good(500), good(1000)];
    // when
    const decision = nextKneeStep(steps, OPTIONS);
    // then
    expect(decision).toEqual({ done: false, rate: 2000, phase: 'ramp' });
  });

  it('bisects between the last good and the first bad rate after the first failure', () => {
    // given
    const steps = [good(500), good(1000), good(2000), slow(4000)];
    // when
    const decision = nextKneeStep(steps, OPTIONS);
    // then
    expect(decision).toEqual({ done: false, rate: 3000, phase: 'bisect' });
  });

  it('narrows to the upper half when the bisection step holds and to the lower half when it does not', () => {
    // given a bisection step that held at 3000
    const afterGood = [good(500), good(1000), good(2000), slow(4000), good(3000)];
    // and one that did not
    const afterBad = [good(500), good(1000), good(2000), slow(4000), slow(3000)];
    // when
    const up = nextKneeStep(afterGood, OPTIONS);
    const down = nextKneeStep(afterBad, OPTIONS);
    // then
    expect(up).toEqual({ done: false, rate: 3500, phase: 'bisect' });
    expect(down).toEqual({ done: false, rate: 2500, phase: 'bisect' });
  });

  it('reports the highest rate that held once the bisections are spent', () => {
    // given three bisection steps after the first failure
    const steps = [good(500), good(1000), good(2000), slow(4000), good(3000), slow(3500), good(3250)];
    // when
    const decision = nextKneeStep(steps, OPTIONS);
    // then
    expect(decision).toEqual({ done: true, knee: 3250, firstBad: 3500, capped: false });
  });

  it('counts failed or dropped requests as a step that does not hold, whatever its latency', () => {
    // given a fast step with one failure
    const step: KneeStep = { rate: 1000, p99Ms: 1, failed: 1 };
    // when
    const holds = stepHolds(step, 10);
    const decision = nextKneeStep([good(500), step], OPTIONS);
    // then
    expect(holds).toBe(false);
    expect(decision).toEqual({ done: false, rate: 750, phase: 'bisect' });
  });

  it('treats a p99 equal to the limit as not holding (the bound is strict)', () => {
    // given
    const step: KneeStep = { rate: 500, p99Ms: 10, failed: 0 };
    // when
    const holds = stepHolds(step, 10);
    // then
    expect(holds).toBe(false);
  });

  it('bisects below the start rate when the first step already fails, and reports 0 when nothing held', () => {
    // given
    const first = [slow(500)];
    const spent = [slow(500), slow(250), slow(130), slow(60)];
    // when
    const next = nextKneeStep(first, OPTIONS);
    const end = nextKneeStep(spent, OPTIONS);
    // then
    expect(next).toEqual({ done: false, rate: 250, phase: 'bisect' });
    expect(end).toEqual({ done: true, knee: 0, firstBad: 60, capped: false });
  });

  it('ends at the maximum rate as a capped lower bound when no step fails', () => {
    // given a ramp that reached maxRate
    const steps = [good(500), good(1000), good(2000), good(4000), good(8000), good(16_000)];
    // when
    const beforeCap = nextKneeStep(steps.slice(0, 5), OPTIONS);
    const atCap = nextKneeStep(steps, OPTIONS);
    // then
    expect(beforeCap).toEqual({ done: false, rate: 16_000, phase: 'ramp' });
    expect(atCap).toEqual({ done: true, knee: 16_000, firstBad: undefined, capped: true });
  });

  it('never raises the knee with a noisy good step above a bad one', () => {
    // given a step that held at a rate above one that did not (noise between steps)
    const steps = [good(500), good(1000), slow(2000), slow(1500), good(1750), good(2000)];
    // when
    const decision = nextKneeStep(steps, { ...OPTIONS, bisections: 10 });
    // then the interval stays (1000, 1500): the knee is below the lowest bad rate
    expect(decision).toEqual({ done: false, rate: 1250, phase: 'bisect' });
  });

  it('stops bisecting when the interval is narrower than the rate quantum', () => {
    // given
    const steps = [good(500), slow(510)];
    // when
    const decision = nextKneeStep(steps, OPTIONS);
    // then
    expect(decision).toEqual({ done: true, knee: 500, firstBad: 510, capped: false });
  });
});
