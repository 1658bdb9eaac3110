import type { AggregateDefinition } from '../../core/command/AggregateDefinition';
import { defineCommand } from '../../core/command/CommandDefinition';
import type { CommandOf } from '../../core/command/CommandDefinition';
import type { Decider, DomainEvent } from '../../core/command/Decider';
import { PayloadReader } from '../../core/command/PayloadReader';
import { FULFILMENT_ID, readStockLines } from './fulfilmentFields';
import type { StockLine } from './fulfilmentFields';

/** `ShipOrder { shipmentId, orderId, items }`: hands the goods to the carrier. */
export const shipOrder = defineCommand({
  commandType: 'ShipOrder',
  aggregateIdField: 'shipmentId',
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = { shipmentId: body.string('shipmentId', FULFILMENT_ID), orderId: body.string('orderId', FULFILMENT_ID), items: readStockLines(body) };
    body.end();
    return data;
  },
});

export type ShipOrder = CommandOf<typeof shipOrder>;

/** `nexus.shipment.ShipmentDispatched` v1. */
export type ShipmentEvent = DomainEvent<'ShipmentDispatched', { shipmentId: string; orderId: string; items: StockLine[] }>;

export type ShipmentState = { status: 'NONE' } | { status: 'DISPATCHED'; orderId: string };

/** A shipment per order: ShipOrder dispatches it once; again, it decides nothing. */
export const shipmentDecider: Decider<ShipOrder, ShipmentEvent, ShipmentState> = {
  initialState: () => ({ status: 'NONE' }),
  decide: (command, state) => (state.status === 'NONE' ? [{ type: 'ShipmentDispatched', data: { ...command.data } }] : []),
  evolve: (_state, event) => ({ status: 'DISPATCHED', orderId: event.data.orderId }),
};

/** The Shipment aggregate (aggregate type `Shipment`, one per order) as the command service consumes it. */
export const shipmentAggregate: AggregateDefinition<ShipOrder, ShipmentEvent, ShipmentState> = {
  aggregateType: 'Shipment',
  decider: shipmentDecider,
  commands: [shipOrder],
};
