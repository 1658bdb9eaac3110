import { defineCommand } from '../../core/command/CommandDefinition';
import type { CommandOf } from '../../core/command/CommandDefinition';
import { PayloadReader } from '../../core/command/PayloadReader';
import type { StringRule } from '../../core/command/PayloadReader';
import type { OrderLine } from './OrderEvents';

/** Most lines one order may hold. */
export const MAX_ORDER_LINES = 100;

/** Most units of one SKU per line (Avro `int` leaves room; this is a business bound). */
export const MAX_LINE_QUANTITY = 10_000;

const ID: StringRule = {
  maxLength: 128,
  pattern: { regex: /^[A-Za-z0-9._:-]+$/, description: 'letters, digits, ".", "_", ":" or "-"' },
};
const SKU: StringRule = {
  maxLength: 64,
  pattern: { regex: /^[A-Za-z0-9._-]+$/, description: 'letters, digits, ".", "_" or "-"' },
};
const CURRENCY: StringRule = {
  minLength: 3,
  maxLength: 3,
  pattern: { regex: /^[A-Z]{3}$/, description: 'an ISO 4217 code of three capital letters, e.g. EUR' },
};
const QUANTITY = { min: 1, max: MAX_LINE_QUANTITY };
const UNIT_PRICE = { min: 0, max: 1_000_000, maxDecimals: 2 };

/** Currency of a PlaceOrder that names none. */
export const DEFAULT_CURRENCY = 'EUR';

/**
 * `PlaceOrder { orderId?, customerId, items: [{ sku, quantity, unitPrice }], currency? }`:
 * starts an order. The command service generates `orderId` when absent; `currency` defaults to
 * {@link DEFAULT_CURRENCY}; `items` may be empty (lines can be added before confirmation).
 */
export const placeOrder = defineCommand({
  commandType: 'PlaceOrder',
  aggregateIdField: 'orderId',
  createsAggregate: true,
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = {
      orderId: body.string('orderId', ID),
      customerId: body.string('customerId', ID),
      items: body.array('items', { maxItems: MAX_ORDER_LINES }, readLine),
      currency: body.optionalString('currency', CURRENCY) ?? DEFAULT_CURRENCY,
    };
    body.end();
    return data;
  },
});

/** `AddItem { orderId, sku, quantity, unitPrice }`: adds a line to an open order. */
export const addItem = defineCommand({
  commandType: 'AddItem',
  aggregateIdField: 'orderId',
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = {
      orderId: body.string('orderId', ID),
      sku: body.string('sku', SKU),
      quantity: body.integer('quantity', QUANTITY),
      unitPrice: body.number('unitPrice', UNIT_PRICE),
    };
    body.end();
    return data;
  },
});

/** `ConfirmOrder { orderId }`: confirms an order that has at least one line. */
export const confirmOrder = defineCommand({
  commandType: 'ConfirmOrder',
  aggregateIdField: 'orderId',
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = { orderId: body.string('orderId', ID) };
    body.end();
    return data;
  },
});

/** `CancelOrder { orderId, reason }`: cancels a placed or confirmed order. */
export const cancelOrder = defineCommand({
  commandType: 'CancelOrder',
  aggregateIdField: 'orderId',
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = { orderId: body.string('orderId', ID), reason: body.string('reason', { maxLength: 500 }) };
    body.end();
    return data;
  },
});

/** Every Order command definition, as the command service registers them. */
export const orderCommands = [placeOrder, addItem, confirmOrder, cancelOrder] as const;

export type PlaceOrder = CommandOf<typeof placeOrder>;
export type AddItem = CommandOf<typeof addItem>;
export type ConfirmOrder = CommandOf<typeof confirmOrder>;
export type CancelOrder = CommandOf<typeof cancelOrder>;

/** Every Order command, as the decider receives it. */
export type OrderCommand = PlaceOrder | AddItem | ConfirmOrder | CancelOrder;

function readLine(item: unknown, path: string): OrderLine {
  const line = PayloadReader.of(item, path);
  const data = {
    sku: line.string('sku', SKU),
    quantity: line.integer('quantity', QUANTITY),
    unitPrice: line.number('unitPrice', UNIT_PRICE),
  };
  line.end();
  return data;
}
