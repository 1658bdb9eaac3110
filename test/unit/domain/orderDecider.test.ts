import { DOMAIN_RULE_VIOLATION } from '../../../core/command/DomainRuleViolation';
import type { CommandMetadata } from '../../../core/command/CommandDefinition';
import { orderDecider, placeOrder, addItem, confirmOrder, cancelOrder, MAX_ORDER_LINES } from '../../../domain';
import type { OrderCommand, OrderEvent } from '../../../domain';

const NOW = new Date('2025-03-01T10:00:00.000Z');
const metadata: CommandMetadata = { now: NOW, correlationId: 'corr-1' };

/** Given these events, when this command: the decided events, or the thrown error. */
function spec(given: OrderEvent[], when: OrderCommand): { events?: OrderEvent[]; error?: unknown } {
  const state = given.reduce(orderDecider.evolve, orderDecider.initialState());
  try {
    return { events: orderDecider.decide(when, state) };
  } catch (error) {
    return { error };
  }
}

const placed = (items = [{ sku: 'A-1', quantity: 2, unitPrice: 10.5 }]): OrderEvent => ({
  type: 'OrderPlaced',
  data: { orderId: 'o-1', customerId: 'c-1', items, total: { amount: items.reduce((s, l) => s + l.quantity * l.unitPrice, 0), currency: 'EUR' } },
});
const itemAdded: OrderEvent = { type: 'OrderItemAdded', data: { orderId: 'o-1', sku: 'B-2', quantity: 1, unitPrice: 3 } };
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId: 'o-1', confirmedAt: '2025-02-01T00:00:00.000Z' } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId: 'o-1', reason: 'changed mind', cancelledAt: '2025-02-02T00:00:00.000Z' } };

const place = (body: Record<string, unknown> = {}): OrderCommand => ({
  type: 'PlaceOrder',
  data: placeOrder.parse({ orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'A-1', quantity: 3, unitPrice: 0.1 }], ...body }),
  metadata,
});
const add = (): OrderCommand => ({ type: 'AddItem', data: addItem.parse({ orderId: 'o-1', sku: 'B-2', quantity: 1, unitPrice: 3 }), metadata });
const confirm = (): OrderCommand => ({ type: 'ConfirmOrder', data: confirmOrder.parse({ orderId: 'o-1' }), metadata });
const cancel = (): OrderCommand => ({ type: 'CancelOrder', data: cancelOrder.parse({ orderId: 'o-1', reason: 'out of stock' }), metadata });

function expectRule(result: { error?: unknown }, rule: string): void {
  expect(result.error).toMatchObject({ code: DOMAIN_RULE_VIOLATION, rule, details: expect.objectContaining({ rule, orderId: 'o-1' }) });
}

describe('orderDecider', () => {
  describe('PlaceOrder', () => {
    it('places a new order with its total in the requested currency, rounded to cents', () => {
      // given no events
      // when
      const result = spec([], place({ currency: 'GBP' }));
      // then
      expect(result.events).toEqual([
        {
          type: 'OrderPlaced',
          data: { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'A-1', quantity: 3, unitPrice: 0.1 }], total: { amount: 0.3, currency: 'GBP' } },
        },
      ]);
    });

    it('defaults the currency to EUR and accepts an order without items', () => {
      // given no events
      // when
      const result = spec([], place({ items: [], currency: undefined }));
      // then
      expect(result.events?.[0]?.data).toMatchObject({ items: [], total: { amount: 0, currency: 'EUR' } });
    });

    it('refuses to place an order that already exists', () => {
      // given
      const given = [placed()];
      // when
      const result = spec(given, place());
      // then
      expectRule(result, 'ORDER_ALREADY_EXISTS');
    });
  });

  describe('AddItem', () => {
    it('adds a line to a placed order', () => {
      // given
      const given = [placed()];
      // when
      const result = spec(given, add());
      // then
      expect(result.events).toEqual([itemAdded]);
    });

    it('refuses to add an item to an order that does not exist', () => {
      // given no events
      // when
      const result = spec([], add());
      // then
      expectRule(result, 'ORDER_NOT_FOUND');
    });

    it('refuses to add an item to a confirmed order', () => {
      // given
      const given = [placed(), confirmed];
      // when
      const result = spec(given, add());
      // then
      expectRule(result, 'ORDER_ALREADY_CONFIRMED');
    });

    it('refuses to add an item to a cancelled order', () => {
      // given
      const given = [placed(), cancelled];
      // when
      const result = spec(given, add());
      // then
      expectRule(result, 'ORDER_ALREADY_CANCELLED');
    });

    it('refuses a line beyond the line limit', () => {
      // given
      const given = [placed(Array.from({ length: MAX_ORDER_LINES }, (_, i) => ({ sku: `S-${i}`, quantity: 1, unitPrice: 1 })))];
      // when
      const result = spec(given, add());
      // then
      expectRule(result, 'ORDER_LINE_LIMIT');
    });
  });

  describe('ConfirmOrder', () => {
    it('confirms a placed order with items, stamped with the command time', () => {
      // given
      const given = [placed()];
      // when
      const result = spec(given, confirm());
      // then
      expect(result.events).toEqual([{ type: 'OrderConfirmed', data: { orderId: 'o-1', confirmedAt: NOW.toISOString() } }]);
    });

    it('confirms an order whose only items were added after placing it', () => {
      // given
      const given = [placed([]), itemAdded];
      // when
      const result = spec(given, confirm());
      // then
      expect(result.events?.map((e) => e.type)).toEqual(['OrderConfirmed']);
    });

    it('refuses to confirm an order without items', () => {
      // given
      const given = [placed([])];
      // when
      const result = spec(given, confirm());
      // then
      expectRule(result, 'EMPTY_ORDER');
    });

    it('refuses to confirm an order that does not exist', () => {
      // given no events
      // when
      const result = spec([], confirm());
      // then
      expectRule(result, 'ORDER_NOT_FOUND');
    });

    it('refuses to confirm an order twice', () => {
      // given
      const given = [placed(), confirmed];
      // when
      const result = spec(given, confirm());
      // then
      expectRule(result, 'ORDER_ALREADY_CONFIRMED');
    });

    it('refuses to confirm a cancelled order', () => {
      // given
      const given = [placed(), cancelled];
      // when
      const result = spec(given, confirm());
      // then
      expectRule(result, 'ORDER_ALREADY_CANCELLED');
    });
  });

  describe('CancelOrder', () => {
    it('cancels a placed order with the reason and the command time', () => {
      // given
      const given = [placed()];
      // when
      const result = spec(given, cancel());
      // then
      expect(result.events).toEqual([{ type: 'OrderCancelled', data: { orderId: 'o-1', reason: 'out of stock', cancelledAt: NOW.toISOString() } }]);
    });

    it('cancels a confirmed order', () => {
      // given
      const given = [placed(), confirmed];
      // when
      const result = spec(given, cancel());
      // then
      expect(result.events?.map((e) => e.type)).toEqual(['OrderCancelled']);
    });

    it('refuses to cancel an order twice', () => {
      // given
      const given = [placed(), cancelled];
      // when
      const result = spec(given, cancel());
      // then
      expectRule(result, 'ORDER_ALREADY_CANCELLED');
    });

    it('refuses to cancel an order that does not exist', () => {
      // given no events
      // when
      const result = spec([], cancel());
      // then
      expectRule(result, 'ORDER_NOT_FOUND');
    });
  });
});

describe('orderDecider refusal kinds', () => {
  it.each([
    ['AddItem', add],
    ['ConfirmOrder', confirm],
    ['CancelOrder', cancel],
  ])('refuses %s on a missing order as not-found (answered 404)', (_type, command) => {
    // given no events
    // when
    const result = spec([], command());
    // then
    expect(result.error).toMatchObject({ rule: 'ORDER_NOT_FOUND', kind: 'not-found' });
  });

  it.each([
    ['placing an order twice', [placed()], place, 'ORDER_ALREADY_EXISTS'],
    ['confirming a confirmed order', [placed(), confirmed], confirm, 'ORDER_ALREADY_CONFIRMED'],
    ['cancelling a cancelled order', [placed(), cancelled], cancel, 'ORDER_ALREADY_CANCELLED'],
    ['confirming an empty order', [placed([])], confirm, 'EMPTY_ORDER'],
  ])('refuses %s as a conflict with the current state (answered 409)', (_case, given, command, rule) => {
    // given the events
    // when
    const result = spec(given, command());
    // then
    expect(result.error).toMatchObject({ rule, kind: 'conflict' });
  });
});
