/**
 * The HTTP API over a system, whichever its backend: the embedded server, `npm start -- --backend
 * aws` and the API function on Lambda all serve this one app. No storage module is imported here,
 * so a Lambda bundle of it holds no SQLite.
 */
import { AccessGuard } from '../../core/auth/AccessGuard';
import type { AuthConfig } from '../../core/auth/authConfig';
import type { Authorizer } from '../../core/auth/Authorizer';
import { CommandOwnership } from '../../core/auth/CommandOwnership';
import { JwtTokenVerifier } from '../../core/auth/JwtTokenVerifier';
import type { RateLimitStore } from '../../core/auth/RateLimitStore';
import type { CommandService } from '../../core/command/CommandService';
import type { EventStore } from '../../core/events/EventStore';
import { createApi } from '../../core/http/createApi';
import type { ApiOptions } from '../../core/http/createApi';
import type { IdempotencyStore } from '../../core/idempotency/IdempotencyStore';
import type { Logger } from '../../core/logging/Logger';
import type { ReadModelStore } from '../../core/readmodel/ReadModelStore';
import type { SnapshotStore } from '../../core/snapshot/SnapshotStore';
import type { EventCodec } from '../../core/schema/EventCodec';
import type { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { readModels } from '../../pipelines';

/** Options of {@link createEmbeddedApi}: the API's tunables and the extra members of /health. */
export type EmbeddedApiOptions = ApiOptions & { health?: () => Promise<Record<string, unknown>> };

/** What the HTTP API needs of a system, whichever its backend (embedded, AWS, AWS Lambda). */
export interface ApiSystem {
  commands: CommandService;
  readModels: ReadModelStore;
  logger: Logger;
  authorizer: Authorizer;
  rateLimits: RateLimitStore;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  idempotency: IdempotencyStore;
  eventStore: EventStore;
}

/** The HTTP API over a system, secured as configured (JWT keys, policies, rate limits). */
export function createEmbeddedApi(system: ApiSystem, auth: AuthConfig, options: EmbeddedApiOptions = {}): ReturnType<typeof createApi> {
  const { health, ...apiOptions } = options;
  // The command service's aggregates (domain/index.ts `aggregates`): a new one is served here too.
  const aggregates = system.commands.aggregateDefinitions();
  return createApi(
    {
      commands: system.commands,
      readModels,
      readModelStore: system.readModels,
      logger: system.logger,
      ...(health === undefined ? {} : { health }),
      security: {
        verifier: new JwtTokenVerifier(auth.keys, auth.verifier),
        guard: new AccessGuard({ authorizer: system.authorizer, rateLimits: system.rateLimits, logger: system.logger }),
        ownership: new CommandOwnership(system.commands, aggregates),
      },
      // Temporal replays start from the snapshots the command service keeps, when it keeps any.
      history: { eventStore: system.eventStore, codec: system.codec, upcasters: system.upcasters, aggregates, logger: system.logger, ...snapshotsOf(system.commands) },
      idempotency: system.idempotency,
    },
    apiOptions,
  );
}

function snapshotsOf(commands: CommandService): { snapshots?: SnapshotStore } {
  const snapshots = commands.snapshotStore();
  return snapshots === undefined ? {} : { snapshots };
}
