import { definedOnly } from '../options/definedOnly';
import type { DocumentChanged } from './DocumentChanged';
import type { ChangedFrame, ResyncFrame } from './NotificationProtocol';

/** The time source of {@link NotificationThrottle}; tests pass a virtual one. */
export interface ThrottleClock {
  now(): number;
  /** Calls `callback` after `delayMs`; returns a function that cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
}

/** The wall clock and Node timers. */
export const SYSTEM_THROTTLE_CLOCK: ThrottleClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Tunables of {@link NotificationThrottle}. */
export interface NotificationThrottleOptions {
  /** Frames sent to one client within any `windowMs`. @defaultValue 100 */
  maxPerWindow?: number;
  /** @defaultValue 1000 */
  windowMs?: number;
  /**
   * Distinct documents waiting for budget before a subscription is told to resync instead (its
   * waiting changes are replaced by one `resync` frame: never dropped silently). @defaultValue 10000
   */
  maxPendingDocuments?: number;
  /** @defaultValue SYSTEM_THROTTLE_CLOCK */
  clock?: ThrottleClock;
}

export const NOTIFICATION_THROTTLE_DEFAULTS = {
  maxPerWindow: 100,
  windowMs: 1000,
  maxPendingDocuments: 10_000,
} as const;

/** One change offered for a subscription, with its log position on backends with a log. */
export interface OfferedChange {
  subscriptionId: string;
  /** A change; without `eventId` on a catch-up from the read model (which keeps versions only). */
  change: Omit<DocumentChanged, 'eventId'> & { eventId?: string };
  position?: number;
}

interface Pending {
  subscriptionId: string;
  frame: ChangedFrame | ResyncFrame;
  /** Changes this entry replaced. */
  coalesced: number;
  /** The earliest position this entry stands for: nothing from here on was delivered yet. */
  firstPosition?: number;
}

/**
 * Paces the frames of one client: at most `maxPerWindow` within any `windowMs` (a sliding window,
 * so no burst crosses it). Beyond that, changes wait in arrival order, and a newer change of a
 * document already waiting replaces it in place (highest version wins; `coalesced` counts what it
 * replaced): the client always learns the newest version of each document, and nothing is dropped
 * silently. Past `maxPendingDocuments` waiting documents, a subscription's waiting changes become
 * one `resync` frame.
 *
 * Each `changed` frame of a change with a log position carries `resumeAfter`: the highest
 * position up to which every change of that subscription has been sent (waiting changes hold it
 * back), so resuming from it never skips one.
 *
 * Transport-free: `send` writes a frame (a socket, the API Gateway management API).
 */
export class NotificationThrottle {
  private readonly options: Required<Omit<NotificationThrottleOptions, 'clock'>>;
  private readonly clock: ThrottleClock;
  /** Send times within the current window, oldest first. */
  private readonly sent: number[] = [];
  /** Waiting frames by subscription and document, in arrival order. */
  private readonly pending = new Map<string, Pending>();
  /** Highest offered position per subscription. */
  private readonly offered = new Map<string, number>();
  private cancelTimer: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly send: (frame: ChangedFrame | ResyncFrame) => void,
    options: NotificationThrottleOptions = {},
  ) {
    const { clock, ...tunables } = options;
    this.options = { ...NOTIFICATION_THROTTLE_DEFAULTS, ...definedOnly(tunables) };
    this.clock = clock ?? SYSTEM_THROTTLE_CLOCK;
  }

  /** Sends `offer` now if the budget allows and nothing waits, else queues (coalescing per document). */
  offer(offer: OfferedChange): void {
    if (this.closed) return;
    const { subscriptionId, change, position } = offer;
    if (position !== undefined) this.offered.set(subscriptionId, Math.max(position, this.offered.get(subscriptionId) ?? 0));
    const frame: ChangedFrame = { type: 'changed', subscriptionId, ...change };
    const key = `${subscriptionId}\u0000${change.resourceType}\u0000${change.id}`;
    const waiting = this.pending.get(key);
    if (waiting !== undefined && waiting.frame.type === 'changed') {
      waiting.coalesced += 1;
      if (change.version >= waiting.frame.version) waiting.frame = frame;
      return;
    }
    const resyncWaiting = this.pending.has(resyncKey(subscriptionId));
    if (resyncWaiting) return; // the client re-reads everything of this subscription anyway
    if (this.pending.size >= this.options.maxPendingDocuments) {
      this.replaceWithResync(subscriptionId);
      return;
    }
    this.pending.set(key, { subscriptionId, frame, coalesced: 0, ...(position === undefined ? {} : { firstPosition: position }) });
    this.drain();
  }

  /** Queues a `resync` frame for a subscription (after its waiting changes are dropped: the client re-reads). */
  resync(subscriptionId: string, reason: ResyncFrame['reason'], resumeAfter?: number): void {
    if (this.closed) return;
    this.forget(subscriptionId);
    if (resumeAfter !== undefined) this.offered.set(subscriptionId, resumeAfter);
    this.pending.set(resyncKey(subscriptionId), { subscriptionId, frame: { type: 'resync', subscriptionId, reason, ...(resumeAfter === undefined ? {} : { resumeAfter }) }, coalesced: 0 });
    this.drain();
  }

  /** Drops what waits for a subscription (it ended). */
  forget(subscriptionId: string): void {
    for (const [key, waiting] of this.pending) if (waiting.subscriptionId === subscriptionId) this.pending.delete(key);
    this.offered.delete(subscriptionId);
  }

  /** Documents waiting for budget. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Stops the timer; later offers are ignored (the client is gone). */
  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.pending.clear();
  }

  private replaceWithResync(subscriptionId: string): void {
    const resumeAfter = this.offered.get(subscriptionId);
    this.resync(subscriptionId, 'overflow', resumeAfter);
  }

  private drain(): void {
    if (this.closed) return;
    // One reading of the clock per drain: the sends below are synchronous, so the window they
    // fall in is the one expired here.
    const now = this.clock.now();
    this.expire(now);
    for (const [key, waiting] of this.pending) {
      if (this.sent.length >= this.options.maxPerWindow) break;
      this.pending.delete(key);
      this.sent.push(now);
      this.send(this.finish(waiting));
    }
    this.schedule();
  }

  private finish(waiting: Pending): ChangedFrame | ResyncFrame {
    if (waiting.frame.type === 'resync') return waiting.frame;
    const resumeAfter = this.resumeAfterOf(waiting.subscriptionId);
    return { ...waiting.frame, ...(waiting.coalesced > 0 ? { coalesced: waiting.coalesced } : {}), ...(resumeAfter === undefined ? {} : { resumeAfter }) };
  }

  /** Every change of the subscription before its earliest waiting one has been sent. */
  private resumeAfterOf(subscriptionId: string): number | undefined {
    let earliest: number | undefined;
    for (const waiting of this.pending.values()) {
      if (waiting.subscriptionId !== subscriptionId || waiting.firstPosition === undefined) continue;
      earliest = earliest === undefined ? waiting.firstPosition : Math.min(earliest, waiting.firstPosition);
    }
    return earliest === undefined ? this.offered.get(subscriptionId) : earliest - 1;
  }

  private expire(now: number): void {
    while (this.sent.length > 0 && (this.sent[0] as number) <= now - this.options.windowMs) this.sent.shift();
  }

  private schedule(): void {
    if (this.pending.size === 0 || this.cancelTimer !== undefined) return;
    const oldest = this.sent[0] ?? this.clock.now();
    const delayMs = Math.max(0, oldest + this.options.windowMs - this.clock.now());
    this.cancelTimer = this.clock.setTimer(() => {
      this.cancelTimer = undefined;
      this.drain();
    }, delayMs);
  }
}

function resyncKey(subscriptionId: string): string {
  return `${subscriptionId}\u0000resync`;
}
