/**
 * Starts live notifications on the embedded HTTP server: the hub over the system's notification
 * log, the subscription authorizer over the declared read models and the runtime policy, and the
 * WebSocket endpoint at `/ws`. The server calls it once after `serve(...)`.
 */
import type { Server } from 'node:http';
import { AccessGuard } from '../../core/auth/AccessGuard';
import type { AuthConfig } from '../../core/auth/authConfig';
import type { Authorizer } from '../../core/auth/Authorizer';
import { JwtTokenVerifier } from '../../core/auth/JwtTokenVerifier';
import type { RateLimitStore } from '../../core/auth/RateLimitStore';
import type { Logger } from '../../core/logging/Logger';
import { NotificationHub } from '../../core/notifications/NotificationHub';
import type { NotificationLog } from '../../core/notifications/NotificationLog';
import { SubscriptionAuthorizer } from '../../core/notifications/SubscriptionAuthorizer';
import type { ReadModelStore } from '../../core/readmodel/ReadModelStore';
import { readModels } from '../../pipelines';
import { integerIn } from './config';
import { attachNotificationWebSocket } from './notificationWebSocket';
import type { NotificationWebSocket } from './notificationWebSocket';

/** What the notifications are served from: the parts of the embedded system they use. */
export interface NotificationSystem {
  notifications: NotificationLog;
  readModels: ReadModelStore;
  authorizer: Authorizer;
  rateLimits: RateLimitStore;
  logger: Logger;
}

/** Tunables of the embedded notification endpoint (see {@link readNotificationConfig}). */
export interface NotificationConfig {
  /** Frames per second per client before coalescing. @defaultValue 100 */
  maxPerSecond: number;
  /** How often the notification log is read while clients are connected. @defaultValue 50 */
  pollIntervalMs: number;
}

export const NOTIFICATION_CONFIG_DEFAULTS: NotificationConfig = { maxPerSecond: 100, pollIntervalMs: 50 };

/**
 * Reads `NEXUS_WS_MAX_PER_SECOND` (1-100000) and `NEXUS_WS_POLL_MS` (5-10000); throws
 * `ConfigError` naming the variable for any other value.
 */
export function readNotificationConfig(env: NodeJS.ProcessEnv): NotificationConfig {
  return {
    maxPerSecond: integerOf(env, 'NEXUS_WS_MAX_PER_SECOND', 1, 100_000) ?? NOTIFICATION_CONFIG_DEFAULTS.maxPerSecond,
    pollIntervalMs: integerOf(env, 'NEXUS_WS_POLL_MS', 5, 10_000) ?? NOTIFICATION_CONFIG_DEFAULTS.pollIntervalMs,
  };
}

/** Serves `/ws` on `server`; close the result before closing the system. */
export async function startNotifications(server: Server, system: NotificationSystem, auth: AuthConfig, config: NotificationConfig = NOTIFICATION_CONFIG_DEFAULTS): Promise<NotificationWebSocket> {
  const guard = new AccessGuard({ authorizer: system.authorizer, rateLimits: system.rateLimits, logger: system.logger });
  const authorizer = new SubscriptionAuthorizer({ readModels, store: system.readModels, guard });
  const hub = new NotificationHub(
    { log: system.notifications, authorizer, logger: system.logger },
    { pollIntervalMs: config.pollIntervalMs, throttle: { maxPerWindow: config.maxPerSecond, windowMs: 1000 } },
  );
  await hub.start();
  return attachNotificationWebSocket(server, { hub, verifier: new JwtTokenVerifier(auth.keys, auth.verifier), guard, logger: system.logger });
}

function integerOf(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : integerIn({ value, source: name }, min, max);
}
