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
};
