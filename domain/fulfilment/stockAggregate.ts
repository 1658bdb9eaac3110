import type { AggregateDefinition } from '../../core/command/AggregateDefinition';
import { defineCommand } from '../../core/command/CommandDefinition';
import type { CommandOf } from '../../core/command/CommandDefinition';
import type { Decider, DomainEvent } from '../../core/command/Decider';
import { PayloadReader } from '../../core/command/PayloadReader';
import { FULFILMENT_ID, readStockLines } from './fulfilmentFields';
import type { StockLine } from './fulfilmentFields';

/** Most units of one SKU the warehouse can set aside: a larger line is StockUnavailable (deterministic, for the tour). */
export const MAX_RESERVABLE_QUANTITY = 1000;

/** `ReserveStock { reservationId, orderId, items }`: sets goods aside for an order. */
export const reserveStock = defineCommand({
  commandType: 'ReserveStock',
  aggregateIdField: 'reservationId',
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = { reservationId: body.string('reservationId', FULFILMENT_ID), orderId: body.string('orderId', FULFILMENT_ID), items: readStockLines(body) };
    body.end();
    return data;
  },
});

/** `ReleaseStock { reservationId }`: gives reserved goods back; nothing happens when none are reserved. */
export const releaseStock = defineCommand({
  commandType: 'ReleaseStock',
  aggregateIdField: 'reservationId',
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = { reservationId: body.string('reservationId', FULFILMENT_ID) };
    body.end();
    return data;
  },
});

export type ReserveStock = CommandOf<typeof reserveStock>;
export type ReleaseStock = CommandOf<typeof releaseStock>;
export type StockCommand = ReserveStock | ReleaseStock;

/** `nexus.stock.*` v1. */
export type StockEvent =
  | DomainEvent<'StockReserved', { reservationId: string; orderId: string; items: StockLine[] }>
  | DomainEvent<'StockUnavailable', { reservationId: string; orderId: string; sku: string }>
  | DomainEvent<'StockReleased', { reservationId: string; orderId: string }>;

/** A reservation: none yet, held, released, or refused for lack of stock. */
export type StockState = { status: 'NONE' } | { status: 'RESERVED' | 'RELEASED' | 'UNAVAILABLE'; orderId: string };

/**
 * A stock reservation per order. ReserveStock on a new reservation reserves every line, or
 * records StockUnavailable naming the first line above {@link MAX_RESERVABLE_QUANTITY}; again on
 * an existing one it decides nothing. ReleaseStock releases a held reservation and decides
 * nothing otherwise (a compensation may come when there is nothing to undo).
 */
export const stockDecider: Decider<StockCommand, StockEvent, StockState> = {
  initialState: () => ({ status: 'NONE' }),
  decide: (command, state) => {
    if (command.type === 'ReserveStock') {
      if (state.status !== 'NONE') return [];
      const { reservationId, orderId, items } = command.data;
      const short = items.find((line) => line.quantity > MAX_RESERVABLE_QUANTITY);
      if (short) return [{ type: 'StockUnavailable', data: { reservationId, orderId, sku: short.sku } }];
      return [{ type: 'StockReserved', data: { reservationId, orderId, items } }];
    }
    if (state.status !== 'RESERVED') return [];
    return [{ type: 'StockReleased', data: { reservationId: command.data.reservationId, orderId: state.orderId } }];
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'StockReserved':
        return { status: 'RESERVED', orderId: event.data.orderId };
      case 'StockUnavailable':
        return { status: 'UNAVAILABLE', orderId: event.data.orderId };
      case 'StockReleased':
        return state.status === 'NONE' ? state : { ...state, status: 'RELEASED' };
    }
  },
};

/** The Stock aggregate (aggregate type `Stock`, one per reservation) as the command service consumes it. */
export const stockAggregate: AggregateDefinition<StockCommand, StockEvent, StockState> = {
  aggregateType: 'Stock',
  decider: stockDecider,
  commands: [reserveStock, releaseStock],
};
