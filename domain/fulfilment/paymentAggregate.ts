import type { AggregateDefinition } from '../../core/command/AggregateDefinition';
import { defineCommand } from '../../core/command/CommandDefinition';
import type { CommandOf } from '../../core/command/CommandDefinition';
import type { Decider, DomainEvent } from '../../core/command/Decider';
import { PayloadReader } from '../../core/command/PayloadReader';
import { FULFILMENT_ID } from './fulfilmentFields';

/** The largest amount the example's payment provider accepts: above it, PaymentDeclined (deterministic, for the tour). */
export const PAYMENT_LIMIT = 5000;

const CURRENCY = { minLength: 3, maxLength: 3, pattern: { regex: /^[A-Z]{3}$/, description: 'an ISO 4217 code, e.g. EUR' } };

/** `TakePayment { paymentId, orderId, customerId, amount, currency }`: charges the customer. */
export const takePayment = defineCommand({
  commandType: 'TakePayment',
  aggregateIdField: 'paymentId',
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = {
      paymentId: body.string('paymentId', FULFILMENT_ID),
      orderId: body.string('orderId', FULFILMENT_ID),
      customerId: body.string('customerId', FULFILMENT_ID),
      amount: body.number('amount', { min: 0, max: 1_000_000_000, maxDecimals: 2 }),
      currency: body.string('currency', CURRENCY),
    };
    body.end();
    return data;
  },
});

/** `RefundPayment { paymentId }`: pays a taken payment back; nothing happens when none was taken. */
export const refundPayment = defineCommand({
  commandType: 'RefundPayment',
  aggregateIdField: 'paymentId',
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = { paymentId: body.string('paymentId', FULFILMENT_ID) };
    body.end();
    return data;
  },
});

export type TakePayment = CommandOf<typeof takePayment>;
export type RefundPayment = CommandOf<typeof refundPayment>;
export type PaymentCommand = TakePayment | RefundPayment;

/** `nexus.payment.*` v1. */
export type PaymentEvent =
  | DomainEvent<'PaymentTaken', { paymentId: string; orderId: string; customerId: string; amount: number; currency: string }>
  | DomainEvent<'PaymentDeclined', { paymentId: string; orderId: string; reason: string }>
  | DomainEvent<'PaymentRefunded', { paymentId: string; orderId: string; amount: number; currency: string }>;

export type PaymentState =
  | { status: 'NONE' }
  | { status: 'TAKEN' | 'REFUNDED'; orderId: string; amount: number; currency: string }
  | { status: 'DECLINED'; orderId: string };

/**
 * A payment per order. TakePayment on a new payment takes it, or records PaymentDeclined when the
 * amount is above {@link PAYMENT_LIMIT}; again on an existing one it decides nothing.
 * RefundPayment refunds a taken payment and decides nothing otherwise.
 */
export const paymentDecider: Decider<PaymentCommand, PaymentEvent, PaymentState> = {
  initialState: () => ({ status: 'NONE' }),
  decide: (command, state) => {
    if (command.type === 'TakePayment') {
      if (state.status !== 'NONE') return [];
      const { paymentId, orderId, amount } = command.data;
      if (amount > PAYMENT_LIMIT) return [{ type: 'PaymentDeclined', data: { paymentId, orderId, reason: `amount ${amount} is above the limit of ${PAYMENT_LIMIT}` } }];
      return [{ type: 'PaymentTaken', data: { ...command.data } }];
    }
    if (state.status !== 'TAKEN') return [];
    const { orderId, amount, currency } = state;
    return [{ type: 'PaymentRefunded', data: { paymentId: command.data.paymentId, orderId, amount, currency } }];
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'PaymentTaken': {
        const { orderId, amount, currency } = event.data;
        return { status: 'TAKEN', orderId, amount, currency };
      }
      case 'PaymentDeclined':
        return { status: 'DECLINED', orderId: event.data.orderId };
      case 'PaymentRefunded':
        return state.status === 'TAKEN' ? { ...state, status: 'REFUNDED' } : state;
    }
  },
};

/** The Payment aggregate (aggregate type `Payment`, one per order) as the command service consumes it. */
export const paymentAggregate: AggregateDefinition<PaymentCommand, PaymentEvent, PaymentState> = {
  aggregateType: 'Payment',
  decider: paymentDecider,
  commands: [takePayment, refundPayment],
};
