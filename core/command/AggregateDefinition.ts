import type { Decider, DomainEvent } from './Decider';
import type { CommandDefinition, IssuedCommand } from './CommandDefinition';
import type { SnapshotOptions } from '../snapshot/SnapshotOptions';

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
  /**
   * Snapshots of this aggregate type: the trigger (`everyEvents`, `maxStateBytes`), the
   * `foldVersion` to bump when `evolve` changes, time to live and sweep age (see SnapshotOptions
   * for the defaults). Absent: every load folds from the first event.
   */
  readonly snapshots?: SnapshotOptions;
}
