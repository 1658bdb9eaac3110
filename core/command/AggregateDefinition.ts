import type { Decider, DomainEvent } from './Decider';
import type { CommandDefinition, IssuedCommand } from './CommandDefinition';

/**
 * Everything the command service needs to know about one aggregate type: its name (stored in
 * every envelope), its decider, and the commands it accepts. Event types are the decider's
 * `type` values; event data is stored as the payload of the latest registered schema version.
 */
export interface AggregateDefinition<
  Command extends IssuedCommand = IssuedCommand,
  Event extends DomainEvent = DomainEvent,
  State = unknown,
> {
  readonly aggregateType: string;
  readonly decider: Decider<Command, Event, State>;
  readonly commands: readonly CommandDefinition<Command>[];
}
