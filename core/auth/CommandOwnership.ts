import type { AggregateDefinition } from '../command/AggregateDefinition';
import type { CommandService } from '../command/CommandService';
import { UnknownCommandError } from '../command/CommandErrors';
import type { ResourceRef } from './Authorizer';

/** Tunables of {@link CommandOwnership}. */
export interface CommandOwnershipOptions {
  /**
   * The field naming an aggregate's owner, both in the data of the command that creates it and
   * in the aggregate's state. @defaultValue 'customerId'
   */
  ownerField?: string;
  /** The time handed to the decider when a missing aggregate is tried. @defaultValue () => new Date() */
  clock?: () => Date;
}

/** Defaults of {@link CommandOwnershipOptions}. */
export const COMMAND_OWNERSHIP_DEFAULTS: Required<CommandOwnershipOptions> = {
  ownerField: 'customerId',
  clock: () => new Date(),
};

/**
 * Finds whom the target of a command belongs to, so that the authorization policy can refuse a
 * customer's command on another customer's order before anything is decided or appended.
 *
 * A creating command's owner is the one it names (`PlaceOrder.customerId`); any other command's
 * owner is read from the aggregate's current state, loaded from the event store (never from a
 * read model, which may lag behind a just-placed order). A body that does not parse is refused
 * here with the command service's own `INVALID_COMMAND`, so validation answers stay the same.
 *
 * A command on an aggregate that does not exist has no owner to check, and must not be refused
 * as `PERMISSION_DENIED` when it would fail anyway: the decider (a pure function) is asked what
 * it says to the command on the initial state, and its refusal (e.g. `ORDER_NOT_FOUND`, 404) is
 * what every caller gets. This leaks nothing: the answer for a missing aggregate does not depend
 * on who asks. Only if the decider would accept the command is the owner-less resource handed to
 * the policy, which then refuses grants on own resources.
 *
 * @example
 * ```ts
 * const ownership = new CommandOwnership(commands, [orderAggregate]);
 * await ownership.resourceOf('CancelOrder', { orderId: 'order-1', reason: 'x' }); // { type: 'Order', id: 'order-1', ownerId: 'alice' }
 * ```
 */
export class CommandOwnership {
  private readonly ownerField: string;
  private readonly clock: () => Date;

  constructor(
    private readonly commands: CommandService,
    private readonly aggregates: readonly AggregateDefinition[],
    options: CommandOwnershipOptions = {},
  ) {
    ({ ownerField: this.ownerField, clock: this.clock } = { ...COMMAND_OWNERSHIP_DEFAULTS, ...options });
  }

  /** The aggregate a command targets and its owner (absent when the aggregate does not exist). */
  async resourceOf(commandType: string, body: unknown): Promise<ResourceRef> {
    const aggregate = this.aggregates.find((candidate) => candidate.commands.some((c) => c.commandType === commandType));
    const definition = aggregate?.commands.find((c) => c.commandType === commandType);
    if (aggregate === undefined || definition === undefined) throw new UnknownCommandError(commandType);
    const fields = fieldsOf(body);
    if (definition.createsAggregate) {
      return {
        type: aggregate.aggregateType,
        ...optional('id', fields[definition.aggregateIdField]),
        ...optional('ownerId', fields[this.ownerField]),
      };
    }
    const data = definition.parse(isObject(body) ? fields : body);
    const id = data[definition.aggregateIdField];
    if (typeof id !== 'string') return { type: aggregate.aggregateType };
    const { state, version } = await this.commands.loadState(aggregate, id);
    // Throws the decider's own refusal of a command on a missing aggregate (ORDER_NOT_FOUND).
    if (version === 0) aggregate.decider.decide({ type: commandType, data, metadata: { now: this.clock(), correlationId: 'ownership-check' } }, state);
    const owner = version === 0 ? undefined : fieldsOf(state)[this.ownerField];
    return { type: aggregate.aggregateType, id, ...optional('ownerId', owner) };
  }
}

/** The body without `expectedVersion`, which the command service strips before parsing too. */
function fieldsOf(value: unknown): Record<string, unknown> {
  if (!isObject(value)) return {};
  const { expectedVersion: _ignored, ...fields } = value as Record<string, unknown>;
  return fields;
}

function optional<Name extends string>(name: Name, value: unknown): { [K in Name]?: string } {
  return (typeof value === 'string' && value !== '' ? { [name]: value } : {}) as { [K in Name]?: string };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
