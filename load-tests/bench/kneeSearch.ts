import { definedOnly } from '../../core/options/definedOnly';

/** What one step of a knee search measured at one offered rate. */
export interface KneeStep {
  /** Offered rate, requests per second (open model: fixed whatever the responses do). */
  rate: number;
  /** p99 latency from each request's scheduled start, in milliseconds. */
  p99Ms: number;
  /** Requests that got no expected answer, plus requests dropped because too many were in flight. */
  failed: number;
}

/** Tunables of {@link nextKneeStep}. */
export interface KneeSearchOptions {
  /** A step holds when its p99 is below this and nothing failed. @defaultValue 10 */
  p99LimitMs?: number;
  /** Rate of the first step. @defaultValue 500 */
  startRate?: number;
  /** Each ramp step offers the previous rate times this. @defaultValue 2 */
  growth?: number;
  /** The ramp stops here; a search that never fails reports this rate as a lower bound. @defaultValue 32000 */
  maxRate?: number;
  /** Steps between the last good and the first bad rate, each halving the interval. @defaultValue 3 */
  bisections?: number;
  /** Rates are rounded to a multiple of this; an interval this narrow is not split. @defaultValue 10 */
  rateQuantum?: number;
}

/** Defaults of {@link KneeSearchOptions}. */
export const KNEE_SEARCH_DEFAULTS: Required<KneeSearchOptions> = {
  p99LimitMs: 10,
  startRate: 500,
  growth: 2,
  maxRate: 32_000,
  bisections: 3,
  rateQuantum: 10,
};

/** The next step to measure, or the knee once the search is over. */
export type KneeDecision =
  | { done: false; rate: number; phase: 'ramp' | 'bisect' }
  | {
      done: true;
      /** The highest rate that held, below every rate that did not; 0 when none held. */
      knee: number;
      /** The lowest rate that did not hold; undefined when every step held. */
      firstBad: number | undefined;
      /** True when the ramp reached `maxRate` without a failure: the knee is a lower bound. */
      capped: boolean;
    };

/** Whether a step met the bound: p99 strictly below the limit and no failed or dropped request. */
export function stepHolds(step: KneeStep, p99LimitMs: number = KNEE_SEARCH_DEFAULTS.p99LimitMs): boolean {
  return step.failed === 0 && step.p99Ms < p99LimitMs;
}

/**
 * Decides a knee search from the steps measured so far, so that the search is a pure function
 * of its history: ramp the rate geometrically from `startRate` until a step does not hold, then
 * bisect `bisections` times between the highest rate that held and the lowest that did not. The
 * knee is the highest rate that held below the lowest that did not, so a noisy good step above a
 * bad one never raises it.
 *
 * @example
 * let decision = nextKneeStep([]);
 * while (!decision.done) { steps.push(await measure(decision.rate)); decision = nextKneeStep(steps); }
 */
export function nextKneeStep(steps: readonly KneeStep[], options: KneeSearchOptions = {}): KneeDecision {
  const settings = { ...KNEE_SEARCH_DEFAULTS, ...definedOnly(options) };
  const firstBadIndex = steps.findIndex((step) => !stepHolds(step, settings.p99LimitMs));
  if (firstBadIndex === -1) return ramp(steps, settings);
  const firstBad = Math.min(...steps.filter((step) => !stepHolds(step, settings.p99LimitMs)).map((step) => step.rate));
  const knee = Math.max(0, ...steps.filter((step) => stepHolds(step, settings.p99LimitMs) && step.rate < firstBad).map((step) => step.rate));
  const bisected = steps.length - firstBadIndex - 1;
  const middle = quantize((knee + firstBad) / 2, settings.rateQuantum);
  if (bisected >= settings.bisections || middle <= knee || middle >= firstBad) return { done: true, knee, firstBad, capped: false };
  return { done: false, rate: middle, phase: 'bisect' };
}

function ramp(steps: readonly KneeStep[], settings: Required<KneeSearchOptions>): KneeDecision {
  const last = steps[steps.length - 1];
  if (last === undefined) return { done: false, rate: Math.min(settings.startRate, settings.maxRate), phase: 'ramp' };
  if (last.rate >= settings.maxRate) return { done: true, knee: last.rate, firstBad: undefined, capped: true };
  const next = Math.min(settings.maxRate, quantize(last.rate * settings.growth, settings.rateQuantum));
  // A growth that rounds back to the same rate would never end: step by one quantum at least.
  return { done: false, rate: Math.max(next, Math.min(settings.maxRate, last.rate + settings.rateQuantum)), phase: 'ramp' };
}

function quantize(rate: number, quantum: number): number {
  return Math.round(rate / quantum) * quantum;
}
