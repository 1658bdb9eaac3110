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
  // one page of reads. No size trigger: at most 100 lines of 64-character SKUs stay near 12 KB,
  // and the size check would fold and serialize the state after every command for nothing.
  // Bump foldVersion whenever orderDecider's evolve or initialState changes.
  snapshots: { foldVersion: 1, everyEvents: 100 },
};
