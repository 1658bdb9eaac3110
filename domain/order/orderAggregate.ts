import type { AggregateDefinition } from '../../core/command/AggregateDefinition';
import type { OrderCommand } from './OrderCommands';
import { orderCommands } from './OrderCommands';
import type { OrderEvent } from './OrderEvents';
import type { OrderState } from './OrderState';
import { orderDecider } from './orderDecider';

/** The Order aggregate as the command service consumes it. */
export const orderAggregate: AggregateDefinition<OrderCommand, OrderEvent, OrderState> = {
  aggregateType: 'Order',
  decider: orderDecider,
  commands: orderCommands,
  // An order folds to a few lines and a status: a snapshot every 100 events keeps a load under
  // one page of reads; 32 KiB catches an order whose lines grow before its event count does.
  // Bump foldVersion whenever orderDecider's evolve or initialState changes.
  snapshots: { foldVersion: 1, everyEvents: 100, maxStateBytes: 32 * 1024 },
};
