import { ConcurrencyConflictError, isConcurrencyConflictError } from '../events/EventStoreErrors';
import type { AppendOptions, EventStore, NewEvent } from '../events/EventStore';
import type { IdempotencyCompletion } from '../idempotency/IdempotencyStore';
import type { EventCodec } from '../schema/EventCodec';
import type { UpcasterRegistry } from '../upcasting/UpcasterRegistry';
import type { Logger } from '../logging/Logger';
import { silentLogger } from '../logging/Logger';
import { snapshotSettings } from '../snapshot/SnapshotOptions';
import type { SnapshotSettings } from '../snapshot/SnapshotOptions';
import type { SnapshotScheduler } from '../snapshot/SnapshotScheduler';
import type { SnapshotStore } from '../snapshot/SnapshotStore';
import { rehydrate } from '../snapshot/rehydrate';
import type { RehydrationSources } from '../snapshot/rehydrate';
import type { DomainEvent } from './Decider';
import type { AggregateDefinition } from './AggregateDefinition';
import type { CommandDefinition, IssuedCommand } from './CommandDefinition';
import { CommandValidationError, UnknownCommandError } from './CommandErrors';
import { AggregateQueue } from './AggregateQueue';
import { conflictBackoff, conflictRetrySettings } from './ConflictRetry';
import type { ConflictRetryOptions } from './ConflictRetry';

/** What {@link CommandService} is built from. */
export interface CommandServiceDependencies {
  eventStore: EventStore;
  /** Decodes stored payloads when an aggregate is loaded. */
  codec: EventCodec;
  /** Raises stored payloads to the latest schema version before `evolve` sees them. */
  upcasters: UpcasterRegistry;
  aggregates: readonly AggregateDefinition[];
  /** @defaultValue silentLogger */
  logger?: Logger;
  /** Id of a new aggregate whose creating command names none. @defaultValue crypto.randomUUID */
  newId?: () => string;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
  /** Retries of a command without `expectedVersion` that conflicts. @defaultValue CONFLICT_RETRY_DEFAULTS (5 attempts) */
  conflictRetry?: ConflictRetryOptions;
  /**
   * Snapshots of the aggregate types that declare them: loads start from the newest valid one,
   * and a trigger that fires after an append hands a request to the scheduler. Absent: every
   * load folds from the first event and no snapshot is requested.
   */
  snapshots?: CommandSnapshots;
}

/** Where {@link CommandService} reads snapshots and sends their requests. */
export interface CommandSnapshots {
  store: SnapshotStore;
  scheduler: SnapshotScheduler;
}

/** Where a command comes from: the correlation id goes into every event's envelope. */
export interface CommandContext {
  correlationId: string;
  causationId?: string;
  metadata?: Record<string, string>;
  /**
   * An idempotency claim to complete atomically with the command's events (see
   * `AppendOptions.idempotency`). A command that decides no events or is refused writes no
   * completion: its caller stores that outcome itself.
   */
  idempotency?: IdempotencyCompletion<CommandResult>;
}

/** The outcome of an accepted command. */
export interface CommandResult {
  aggregateId: string;
  /** The aggregate version after the command (unchanged when it decided no events). */
  version: number;
  eventIds: string[];
  correlationId: string;
}

/** An aggregate's state and the version it was folded up to. */
export interface LoadedState<State = unknown> {
  state: State;
  version: number;
  /** The version of the snapshot the load started from; 0 when it folded from the first event. */
  snapshotVersion: number;
}

interface Route {
  aggregate: AggregateDefinition;
  command: CommandDefinition;
}

/** A parsed command, ready to be decided. */
interface ParsedCommand {
  commandType: string;
  aggregate: AggregateDefinition;
  aggregateId: string;
  data: Record<string, unknown>;
  expectedVersion?: number;
  /** The service generated the id: neither events nor a snapshot of the aggregate can exist yet. */
  generatedId?: true;
}

/**
 * Handles commands: parse -> load the aggregate -> decide -> append, with optimistic concurrency.
 *
 * Guarantees: the append uses the version the decision was made on, so of two appends decided
 * on the same version exactly one is stored and the other conflicts (`CONCURRENCY_CONFLICT`,
 * details: aggregateId, expectedVersion, actualVersion). A body may carry `expectedVersion`;
 * a stale one fails the same way before deciding. A refused command (`UNKNOWN_COMMAND`,
 * `INVALID_COMMAND` with `details.field`, `DOMAIN_RULE_VIOLATION`, or the codec's
 * `UNREGISTERED_EVENT` / `INVALID_EVENT_PAYLOAD` raised by the store) writes nothing.
 *
 * Without `expectedVersion` the client did not ask for optimistic concurrency, so a conflict is
 * not its business: the command is loaded, decided and appended again, up to
 * `conflictRetry.maxAttempts` times with full-jitter backoff, and only the last conflict is
 * answered; a business rule that refuses the command on the newer state is answered as such.
 * Commands on one aggregate within this service run one after another (see AggregateQueue), so
 * conflicts come only from other writers (processes, Lambdas). With `expectedVersion` nothing is
 * retried.
 *
 * Snapshots (`snapshots`, for aggregate types that declare them): a load starts from the
 * aggregate's snapshot of the declared `foldVersion` that has not expired, and reads only the
 * events after it; a snapshot of another fold version is ignored (a command creating an aggregate
 * under an id the service generated looks none up: none can exist). After each successful append
 * the trigger is evaluated synchronously (events since that snapshot >= `everyEvents`, or, only
 * when `maxStateBytes` is set, the new state's JSON size); when it fires, a request goes to the
 * scheduler, which returns at once: the result is never delayed by the snapshot, and a failing
 * scheduler is logged, never thrown into the command.
 *
 * Idempotency: a `context.idempotency` completion is written in the transaction of the append
 * that succeeds (`IDEMPOTENCY_CLAIM_LOST` when its lease ran out), never by a conflicting one.
 *
 * @example
 * ```ts
 * const service = new CommandService({ eventStore, codec, upcasters, aggregates: [orderAggregate] });
 * const { aggregateId } = await service.handle('PlaceOrder', { customerId: 'c-1', items: [] }, { correlationId: 'req-1' });
 * ```
 */
export class CommandService {
  private readonly routes = new Map<string, Route>();
  private readonly logger: Logger;
  private readonly newId: () => string;
  private readonly clock: () => Date;
  private readonly retry: Required<ConflictRetryOptions>;
  private readonly queue = new AggregateQueue();
  private readonly snapshotSettings = new Map<string, SnapshotSettings>();
  /** What loads fold from, built once (loads run per command). */
  private readonly rehydration: RehydrationSources;

  constructor(private readonly deps: CommandServiceDependencies) {
    this.logger = deps.logger ?? silentLogger;
    this.rehydration = { eventStore: deps.eventStore, codec: deps.codec, upcasters: deps.upcasters, logger: this.logger, ...(deps.snapshots ? { snapshots: deps.snapshots.store } : {}) };
    for (const aggregate of deps.aggregates) {
      if (aggregate.snapshots !== undefined) this.snapshotSettings.set(aggregate.aggregateType, snapshotSettings(aggregate.aggregateType, aggregate.snapshots));
    }
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.clock = deps.clock ?? (() => new Date());
    this.retry = conflictRetrySettings(deps.conflictRetry);
    for (const aggregate of deps.aggregates) {
      for (const command of aggregate.commands) {
        if (this.routes.has(command.commandType)) throw new TypeError(`command type ${command.commandType} is declared twice`);
        this.routes.set(command.commandType, { aggregate, command });
      }
    }
  }

  /** The command types this service accepts. */
  commandTypes(): string[] {
    return [...this.routes.keys()];
  }

  /** The aggregates this service routes commands to, with their command definitions, as declared. */
  aggregateDefinitions(): readonly AggregateDefinition[] {
    return this.deps.aggregates;
  }

  /** The snapshot store loads start from (temporal queries read the same), or undefined without snapshots. */
  snapshotStore(): SnapshotStore | undefined {
    return this.deps.snapshots?.store;
  }

  /** Parses, decides and stores one command; see the class documentation for the errors. */
  async handle(commandType: string, body: unknown, context: CommandContext): Promise<CommandResult> {
    const route = this.routes.get(commandType);
    if (!route) throw new UnknownCommandError(commandType);
    const { aggregate, command: definition } = route;
    const { expectedVersion, fields, generatedId } = this.splitBody(body, definition);
    const data = definition.parse(fields);
    const aggregateId = data[definition.aggregateIdField];
    if (typeof aggregateId !== 'string') {
      throw new TypeError(`${commandType}.parse returned no string ${definition.aggregateIdField}`);
    }
    const command: ParsedCommand = { commandType, aggregate, aggregateId, data, ...(expectedVersion === undefined ? {} : { expectedVersion }), ...(generatedId ? { generatedId } : {}) };
    return this.queue.run(aggregateId, () => this.decideAndAppend(command, context));
  }

  /** Attempts the command, again after a conflict when the client set no expectedVersion. */
  private async decideAndAppend(command: ParsedCommand, context: CommandContext): Promise<CommandResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(command, context);
      } catch (error) {
        if (command.expectedVersion !== undefined || !isConcurrencyConflictError(error)) throw error;
        const fields = { commandType: command.commandType, aggregateId: command.aggregateId, attempt, correlationId: context.correlationId };
        if (attempt >= this.retry.maxAttempts) {
          this.logger.warn('command conflicted on every attempt', fields);
          throw error;
        }
        this.logger.debug('command conflicted; deciding again', fields);
        await conflictBackoff(attempt, this.retry);
      }
    }
  }

  /** Load -> decide -> append, once. */
  private async attempt(command: ParsedCommand, context: CommandContext): Promise<CommandResult> {
    const { aggregate, aggregateId, expectedVersion } = command;
    // A generated id has no snapshot to look up (the stream is still read: it is the truth).
    const { state, version, snapshotVersion } = await this.load(aggregate, aggregateId, command.generatedId !== true);
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw new ConcurrencyConflictError(aggregateId, expectedVersion, version);
    }
    const issued: IssuedCommand = {
      type: command.commandType,
      data: command.data,
      metadata: { now: this.clock(), correlationId: context.correlationId, ...(context.causationId ? { causationId: context.causationId } : {}) },
    };
    const events = aggregate.decider.decide(issued, state);
    if (events.length === 0) return { aggregateId, version, eventIds: [], correlationId: context.correlationId };

    const appendContext = {
      aggregateType: aggregate.aggregateType,
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      metadata: context.metadata ?? {},
    };
    const result = await this.deps.eventStore.append(aggregateId, version, events.map(toNewEvent), appendContext, appendOptions(context));
    this.logger.debug('command handled', { commandType: command.commandType, aggregateId, version: result.version, correlationId: context.correlationId });
    this.evaluateSnapshotTrigger(aggregate, aggregateId, { state, events, version: result.version, snapshotVersion });
    return { aggregateId, version: result.version, eventIds: result.eventIds, correlationId: context.correlationId };
  }

  /**
   * Folds the aggregate's stored events, decoded and upcast to the latest schema version, into
   * its state: from its newest valid snapshot (same fold version, not expired) when snapshots are
   * wired and declared, reading only the events after it.
   */
  async loadState<State>(aggregate: AggregateDefinition<IssuedCommand, DomainEvent, State>, aggregateId: string): Promise<LoadedState<State>> {
    return this.load(aggregate, aggregateId, true);
  }

  /** {@link loadState}; `fromSnapshot` false folds from the first event without looking a snapshot up. */
  private async load<State>(aggregate: AggregateDefinition<IssuedCommand, DomainEvent, State>, aggregateId: string, fromSnapshot: boolean): Promise<LoadedState<State>> {
    const settings = fromSnapshot && this.deps.snapshots !== undefined ? this.snapshotSettings.get(aggregate.aggregateType) : undefined;
    const { state, version, snapshotVersion } = await rehydrate(this.rehydration, aggregate, aggregateId, settings, this.clock());
    return { state, version, snapshotVersion };
  }

  /**
   * The trigger, after a successful append: cheap and synchronous (a subtraction; the size only
   * when `maxStateBytes` is declared). A request that fails to be taken is logged, never thrown:
   * the events are stored, and the next trigger or the sweep makes the snapshot.
   */
  private evaluateSnapshotTrigger(
    aggregate: AggregateDefinition,
    aggregateId: string,
    after: { state: unknown; events: readonly DomainEvent[]; version: number; snapshotVersion: number },
  ): void {
    const snapshots = this.deps.snapshots;
    const settings = this.snapshotSettings.get(aggregate.aggregateType);
    if (snapshots === undefined || settings === undefined) return;
    try {
      const reason = triggerReason(aggregate, settings, after);
      if (reason === undefined) return;
      snapshots.scheduler.request({ aggregateType: aggregate.aggregateType, aggregateId, version: after.version, reason });
    } catch (error) {
      this.logger.warn('snapshot not requested', { aggregateType: aggregate.aggregateType, aggregateId, version: after.version, error });
    }
  }

  /** Takes `expectedVersion` out of the body and fills in the id of a new aggregate. */
  private splitBody(body: unknown, definition: CommandDefinition): { expectedVersion?: number; fields: unknown; generatedId?: true } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { fields: body };
    const { expectedVersion, ...fields } = body as Record<string, unknown>;
    // Safe integers only: 1e308 is an integer to Number.isInteger, and no stream gets that long.
    if (expectedVersion !== undefined && expectedVersion !== null && !(Number.isSafeInteger(expectedVersion) && (expectedVersion as number) >= 0)) {
      throw new CommandValidationError('expectedVersion', `expectedVersion must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
    }
    const generatedId = definition.createsAggregate && (fields[definition.aggregateIdField] === undefined || fields[definition.aggregateIdField] === null);
    if (generatedId) fields[definition.aggregateIdField] = this.newId();
    return { fields, ...(typeof expectedVersion === 'number' ? { expectedVersion } : {}), ...(generatedId ? { generatedId } : {}) };
  }
}

/** The append's completion of the command's idempotency claim, answering with the command's result. */
function appendOptions(context: CommandContext): AppendOptions | undefined {
  const completion = context.idempotency;
  if (!completion) return undefined;
  return {
    idempotency: {
      claim: completion.claim,
      response: (appended) => completion.response({ ...appended, correlationId: context.correlationId }),
    },
  };
}

/** Which trigger fires after an append, if any; see SnapshotOptions. */
function triggerReason(
  aggregate: AggregateDefinition,
  settings: SnapshotSettings,
  after: { state: unknown; events: readonly DomainEvent[]; version: number; snapshotVersion: number },
): 'events' | 'size' | undefined {
  if (settings.everyEvents !== undefined && after.version - after.snapshotVersion >= settings.everyEvents) return 'events';
  if (settings.maxStateBytes === undefined) return undefined;
  const state = after.events.reduce((folded, event) => aggregate.decider.evolve(folded, event), after.state);
  return Buffer.byteLength(JSON.stringify(state) ?? '', 'utf8') >= settings.maxStateBytes ? 'size' : undefined;
}

function toNewEvent(event: DomainEvent): NewEvent {
  return { eventType: event.type, payload: event.data };
}
