import { AuthenticationError } from '../../core/auth/AuthErrors';
import type { Logger } from '../../core/logging/Logger';
import type { ChangedFrame, ErrorFrame, ResyncFrame, ServerFrame } from '../../core/notifications/NotificationProtocol';
import { notificationErrorFrame } from '../../core/notifications/notificationErrorFrame';
import { NotificationThrottle } from '../../core/notifications/NotificationThrottle';
import type { OfferedChange, ThrottleClock } from '../../core/notifications/NotificationThrottle';
import { CONNECTION_GONE, CONNECTION_TOKEN_EXPIRED } from './DynamoDbConnectionStore';
import type { DynamoDbConnectionStore } from './DynamoDbConnectionStore';
import type { PostOutcome, WebSocketConnectionPoster } from './WebSocketConnectionPoster';

/** Options of {@link WebSocketConnectionDelivery}. */
export interface WebSocketConnectionDeliveryOptions {
  connections: DynamoDbConnectionStore;
  poster: WebSocketConnectionPoster;
  logger: Logger;
  /** Notification frames per second per connection, shared by every process sending to it. @defaultValue 100 */
  maxPerSecond?: number;
  /** @defaultValue Date.now */
  clock?: () => number;
}

/** Defaults of {@link WebSocketConnectionDeliveryOptions}. */
export const WEB_SOCKET_DELIVERY_DEFAULTS = {
  /** @defaultValue 100 — the plan's limit of notifications per second per client */
  maxPerSecond: 100,
} as const;

/** A subscription whose missed changes cannot be replayed. */
export interface OfferedResync {
  subscriptionId: string;
  reason: ResyncFrame['reason'];
  resumeAfter?: number;
}

/**
 * Sends frames to one API Gateway WebSocket connection at most `maxPerSecond` notification
 * frames per second, whoever else sends to it.
 *
 * Lambda keeps nothing between invocations, and several invocations (shards, parallelization,
 * the `$default` handler's resumes) may send to one connection at once: the budget is in
 * DynamoDB, on the connection's item (`claimSends`, one conditional update per second's claim).
 * Within one call, changes go through core's {@link NotificationThrottle} on a virtual clock: it
 * lets one second's budget out at a time and coalesces what waits per subscription and document
 * to the latest version (`coalesced` says how many frames a frame replaces, `resumeAfter` stays
 * safe). What the shared budget does not grant at once waits for the next second: nothing is
 * dropped, and the waiting is back-pressure on the caller (a pipeline batch of `n` records makes
 * at most `n` frames per subscription). Control frames (`subscribed`, `error`, ...) bypass the
 * budget.
 *
 * A connection gone (410 from API Gateway, or its item deleted by `$disconnect`) is deleted with
 * its subscriptions and resolves `gone`; other failures reject.
 */
export class WebSocketConnectionDelivery {
  private readonly maxPerSecond: number;
  private readonly clock: () => number;

  constructor(private readonly options: WebSocketConnectionDeliveryOptions) {
    this.maxPerSecond = options.maxPerSecond ?? WEB_SOCKET_DELIVERY_DEFAULTS.maxPerSecond;
    this.clock = options.clock ?? Date.now;
    if (!(Number.isInteger(this.maxPerSecond) && this.maxPerSecond > 0)) throw new RangeError(`maxPerSecond must be a positive integer; got ${this.maxPerSecond}`);
  }

  /** Posts a control frame at once (no budget). */
  async control(connectionId: string, frame: ServerFrame): Promise<PostOutcome> {
    const outcome = await this.options.poster.post(connectionId, frame);
    if (outcome === 'gone') await this.forget(connectionId, 'API Gateway answered 410 Gone');
    return outcome;
  }

  /** Sends ready frames (a `lastVersion` catch-up) in order within the budget. */
  async frames(connectionId: string, frames: readonly (ChangedFrame | ResyncFrame)[]): Promise<PostOutcome> {
    const outbox = [...frames];
    while (outbox.length > 0) {
      const granted = await this.options.connections.claimSends(connectionId, outbox.length, this.maxPerSecond, this.clock());
      if (granted === CONNECTION_GONE) {
        await this.forget(connectionId, 'its connection item is gone');
        return 'gone';
      }
      if (granted === CONNECTION_TOKEN_EXPIRED) {
        // Told why, once, then forgotten: API Gateway closes the silent socket at its idle timeout.
        await this.options.poster.post(connectionId, tokenExpiredFrame());
        await this.forget(connectionId, 'its token expired');
        return 'gone';
      }
      for (const frame of outbox.splice(0, granted)) {
        if ((await this.options.poster.post(connectionId, frame)) === 'gone') {
          await this.forget(connectionId, 'API Gateway answered 410 Gone');
          return 'gone';
        }
      }
      if (outbox.length > 0) await untilNextSecond(this.clock());
    }
    return 'sent';
  }

  /** Delivers `changes` (and `resyncs`) to the connection, coalescing beyond the budget. */
  async deliver(connectionId: string, changes: readonly OfferedChange[], resyncs: readonly OfferedResync[] = []): Promise<PostOutcome> {
    const clock = new VirtualClock();
    const outbox: (ChangedFrame | ResyncFrame)[] = [];
    const throttle = new NotificationThrottle((frame) => outbox.push(frame), { maxPerWindow: this.maxPerSecond, windowMs: 1000, clock });
    try {
      for (const resync of resyncs) throttle.resync(resync.subscriptionId, resync.reason, resync.resumeAfter);
      for (const change of changes) throttle.offer(change);
      for (;;) {
        if ((await this.frames(connectionId, outbox.splice(0))) === 'gone') return 'gone';
        if (throttle.waiting === 0) return 'sent';
        // The throttle's next window: it lets out what waited, coalesced.
        if (!clock.advance()) throw new TypeError('the notification throttle holds changes but set no timer');
      }
    } finally {
      throttle.close();
    }
  }

  private async forget(connectionId: string, why: string): Promise<void> {
    this.options.logger.info('WebSocket connection forgotten', { connectionId, why });
    await this.options.connections.disconnect(connectionId);
  }
}

/** A {@link ThrottleClock} that moves only when told: the throttle decides, the shared budget paces. */
class VirtualClock implements ThrottleClock {
  private nowMs = 0;
  private timers: { dueMs: number; callback: () => void }[] = [];

  now(): number {
    return this.nowMs;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = { dueMs: this.nowMs + delayMs, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((other) => other !== timer);
    };
  }

  /** Jumps to the earliest timer and runs it; false when none is set. */
  advance(): boolean {
    const next = this.timers.sort((a, b) => a.dueMs - b.dueMs).shift();
    if (next === undefined) return false;
    this.nowMs = Math.max(this.nowMs, next.dueMs);
    next.callback();
    return true;
  }
}

function untilNextSecond(nowMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1000 - (nowMs % 1000) + 1));
}

/**
 * The `error` frame of a connection whose token expired: connect again with a fresh token, and
 * resume. Its status and code are the HTTP layer's for an expired token (the correlation id only
 * feeds the problem document, which the frame does not carry).
 */
export function tokenExpiredFrame(): ErrorFrame {
  return notificationErrorFrame(new AuthenticationError('expired', 'the token this connection was opened with has expired: connect again with a fresh token and resume'), 'token-expired');
}
