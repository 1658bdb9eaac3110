import type { Principal } from '../auth/Principal';
import { HttpRequestError, HTTP_ERRORS } from '../http/HttpErrors';
import type { Logger } from '../logging/Logger';
import { definedOnly } from '../options/definedOnly';
import type { LoggedNotification, NotificationLog } from './NotificationLog';
import { notificationErrorFrame } from './notificationErrorFrame';
import { parseClientFrame } from './NotificationProtocol';
import type { ServerFrame, SubscribeFrame } from './NotificationProtocol';
import { NotificationThrottle } from './NotificationThrottle';
import type { NotificationThrottleOptions } from './NotificationThrottle';
import { subscriptionMatches } from './SubscriptionAuthorizer';
import type { NotificationSubscription, SubscriptionAuthorizer } from './SubscriptionAuthorizer';

/** Tunables of {@link NotificationHub}. */
export interface NotificationHubOptions {
  /** How often the log is read while clients are connected. @defaultValue 50 */
  pollIntervalMs?: number;
  /** Log entries read per step. @defaultValue 500 */
  readBatchSize?: number;
  /** Subscriptions one connection may hold. @defaultValue 100 */
  maxSubscriptionsPerConnection?: number;
  /** Each connection's pacing (at most `maxPerWindow` frames per `windowMs`, coalescing beyond). */
  throttle?: NotificationThrottleOptions;
}

export const NOTIFICATION_HUB_DEFAULTS = {
  pollIntervalMs: 50,
  readBatchSize: 500,
  maxSubscriptionsPerConnection: 100,
} as const;

/** One client connection, as the transport sees it. */
export interface NotificationConnection {
  /** Handles one text frame from the client (answers go out through `send`). */
  receive(text: string): Promise<void>;
  /** The client is gone: drop its subscriptions and waiting frames. */
  close(): void;
}

interface Subscribed {
  subscription: NotificationSubscription;
  /** Live delivery: entries after this position (the log's head when it subscribed). */
  liveAfter: number;
  /** Resume: entries after this position are replayed before the subscription goes live. */
  replayAfter?: number;
}

interface Client {
  principal: Principal;
  send: (frame: ServerFrame) => void;
  throttle: NotificationThrottle;
  subscriptions: Map<string, Subscribed>;
}

/**
 * Fans a {@link NotificationLog} out to connected clients: tails the log (a short poll while
 * anyone is connected), matches each change against every subscription (authorized by
 * {@link SubscriptionAuthorizer}, filtered by {@link subscriptionMatches}) and paces each client
 * through its own {@link NotificationThrottle}. Transport-free: the embedded `ws` server gives it
 * text frames and a `send` per connection.
 *
 * A subscription receives the changes logged after it was made (the log's head then, which its
 * `subscribed` frame reports as `resumeAfter`). Resume: a resource-type subscription with `after`
 * first receives the logged changes after that position (replayed in the tail's own loop, so
 * nothing is missed or reordered between replay and live); when the log was pruned past `after`
 * (or `after` is ahead of it) it receives a `resync` frame instead and carries on live.
 *
 * Errors never close a connection: a refused frame is answered with an `error` frame; a failing
 * log read is logged and retried at the next poll.
 */
export class NotificationHub {
  private readonly options: Required<Omit<NotificationHubOptions, 'throttle'>> & { throttle: NotificationThrottleOptions };
  private readonly clients = new Set<Client>();
  private position = 0;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private nextCorrelation = 0;

  constructor(
    private readonly deps: { log: NotificationLog; authorizer: SubscriptionAuthorizer; logger: Logger },
    options: NotificationHubOptions = {},
  ) {
    const { throttle, ...tunables } = options;
    this.options = { ...NOTIFICATION_HUB_DEFAULTS, ...definedOnly(tunables), throttle: throttle ?? {} };
  }

  /** Live delivery starts from the log's head now. */
  async start(): Promise<void> {
    if (this.started) return;
    this.position = await this.deps.log.headPosition();
    this.started = true;
  }

  /** A new authenticated connection; `send` writes one frame to it. */
  connect(principal: Principal, send: (frame: ServerFrame) => void): NotificationConnection {
    const client: Client = { principal, send, subscriptions: new Map(), throttle: new NotificationThrottle(send, this.options.throttle) };
    this.clients.add(client);
    this.schedule();
    return {
      receive: async (text) => this.receive(client, text),
      close: () => {
        client.throttle.close();
        this.clients.delete(client);
      },
    };
  }

  /** Reads the log once and delivers what it holds (the poll calls it; tests may too). */
  async poll(): Promise<void> {
    this.polling ??= this.step().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Stops polling; connections are the transport's to close. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const client of this.clients) client.throttle.close();
    this.clients.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.clients.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      void this.poll();
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }

  private async step(): Promise<void> {
    if (!this.started) return;
    try {
      // Nobody waits for entries at or below every subscription's start: skip them (after an idle
      // spell, the first connection does not walk the whole log).
      const floor = this.lowestLiveAfter() ?? (await this.deps.log.headPosition());
      if (floor > this.position) this.position = floor;
      await this.replayResumes();
      for (;;) {
        const entries = await this.deps.log.readAfter(this.position, this.options.readBatchSize);
        for (const entry of entries) this.deliver(entry);
        if (entries.length > 0) this.position = (entries.at(-1) as LoggedNotification).position;
        if (entries.length < this.options.readBatchSize) return;
      }
    } catch (error) {
      this.deps.logger.warn('notification log read failed; retrying at the next poll', { error });
    }
  }

  private deliver(entry: LoggedNotification): void {
    for (const client of this.clients) {
      for (const { subscription, replayAfter, liveAfter } of client.subscriptions.values()) {
        if (replayAfter !== undefined || entry.position <= liveAfter || !subscriptionMatches(subscription, entry.change)) continue;
        client.throttle.offer({ subscriptionId: subscription.subscriptionId, change: entry.change, position: entry.position });
      }
    }
  }

  private lowestLiveAfter(): number | undefined {
    let lowest: number | undefined;
    for (const client of this.clients) for (const { liveAfter } of client.subscriptions.values()) lowest = lowest === undefined ? liveAfter : Math.min(lowest, liveAfter);
    return lowest;
  }

  /** Replays, up to the tail's position, what resuming subscriptions missed; then they go live. */
  private async replayResumes(): Promise<void> {
    for (const client of this.clients) {
      for (const subscribed of client.subscriptions.values()) {
        if (subscribed.replayAfter === undefined) continue;
        const { subscription } = subscribed;
        let after = subscribed.replayAfter;
        while (after < this.position) {
          const entries = await this.deps.log.readAfter(after, this.options.readBatchSize);
          const upToTail = entries.filter((entry) => entry.position <= this.position);
          for (const entry of upToTail) {
            if (subscriptionMatches(subscription, entry.change)) client.throttle.offer({ subscriptionId: subscription.subscriptionId, change: entry.change, position: entry.position });
          }
          if (upToTail.length === 0) break;
          after = (upToTail.at(-1) as LoggedNotification).position;
        }
        // The tail delivers what comes after: the hub's position, or `after` when the hub is behind it.
        subscribed.liveAfter = Math.max(this.position, subscribed.replayAfter);
        delete subscribed.replayAfter;
      }
    }
  }

  private async receive(client: Client, text: string): Promise<void> {
    const correlationId = `ws-${(this.nextCorrelation += 1)}`;
    let subscriptionId: string | undefined;
    try {
      const frame = parseClientFrame(text);
      subscriptionId = frame.subscriptionId;
      if (frame.type === 'unsubscribe') {
        client.subscriptions.delete(frame.subscriptionId);
        client.throttle.forget(frame.subscriptionId);
        client.send({ type: 'unsubscribed', subscriptionId: frame.subscriptionId });
        return;
      }
      await this.subscribe(client, frame, correlationId);
    } catch (error) {
      const reply = notificationErrorFrame(error, correlationId, subscriptionId);
      if (reply.status >= 500) this.deps.logger.error('notification frame failed', { error, correlationId, subject: client.principal.id });
      if (this.clients.has(client)) client.send(reply);
    }
  }

  private async subscribe(client: Client, frame: SubscribeFrame, correlationId: string): Promise<void> {
    const { subscriptionId } = frame;
    if (client.subscriptions.has(subscriptionId)) {
      throw new HttpRequestError(HTTP_ERRORS.MALFORMED_REQUEST, `subscription ${subscriptionId} exists on this connection: unsubscribe it first or choose another id`, { field: 'subscriptionId', subscriptionId });
    }
    if (client.subscriptions.size >= this.options.maxSubscriptionsPerConnection) {
      throw new HttpRequestError(HTTP_ERRORS.MALFORMED_REQUEST, `at most ${this.options.maxSubscriptionsPerConnection} subscriptions per connection`, { field: 'subscriptionId', subscriptionId });
    }
    // The head before the document is read: a change logged after it is delivered live, so none
    // falls between the catch-up and the tail (one may come twice; the version tells).
    const head = await this.deps.log.headPosition();
    const { subscription, catchUp } = await this.deps.authorizer.authorize(client.principal, frame, correlationId);
    if (!this.clients.has(client) || client.subscriptions.has(subscriptionId)) return; // gone, or subscribed twice at once
    const resume = frame.after === undefined ? undefined : await this.resumeOf(frame.after, head);
    const subscribed: Subscribed = { subscription, liveAfter: head, ...(resume === 'replay' ? { replayAfter: frame.after as number } : {}) };
    client.subscriptions.set(subscriptionId, subscribed);
    const scope = subscription.ownerOnly === undefined ? 'any' : 'own';
    const resumeAfter = frame.id === undefined ? (resume === 'replay' ? (frame.after as number) : head) : undefined;
    client.send({ type: 'subscribed', subscriptionId, resourceType: frame.resourceType, ...(frame.id === undefined ? {} : { id: frame.id }), scope, ...(resumeAfter === undefined ? {} : { resumeAfter }) });
    if (catchUp !== undefined) client.throttle.offer({ subscriptionId, change: catchUp });
    if (resume === 'pruned' || resume === 'unknown-position') client.throttle.resync(subscriptionId, resume, head);
    if (resume === 'replay') void this.poll();
  }

  private async resumeOf(after: number, head: number): Promise<'replay' | 'pruned' | 'unknown-position'> {
    if (after > head) return 'unknown-position';
    return after < (await this.deps.log.prunedThrough()) ? 'pruned' : 'replay';
  }
}
