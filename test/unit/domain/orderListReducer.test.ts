import { orderListReducer } from '../../../domain';
import type { OrderListEvent, OrderListItem } from '../../../domain';

let version = 0;
function event(eventType: string, payload: Record<string, unknown>, occurredAt: string): OrderListEvent {
  version += 1;
  return { eventType, payload, envelope: { aggregateId: 'o-1', aggregateVersion: version, occurredAt } };
}

function fold(events: OrderListEvent[]): OrderListItem | null {
  let current: OrderListItem | undefined;
  let result: OrderListItem | null = null;
  for (const e of events) {
    result = orderListReducer(current, e);
    current = result ?? undefined;
  }
  return result;
}

const placed = event(
  'OrderPlaced',
  { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'A', quantity: 2, unitPrice: 10 }], total: { amount: 20, currency: 'EUR' } },
  '2025-01-01T00:00:00.000Z',
);
const itemAdded = event('OrderItemAdded', { orderId: 'o-1', sku: 'B', quantity: 3, unitPrice: 0.1 }, '2025-01-02T00:00:00.000Z');
const confirmed = event('OrderConfirmed', { orderId: 'o-1', confirmedAt: '2025-01-03T00:00:00.000Z' }, '2025-01-03T00:00:01.000Z');
const cancelled = event('OrderCancelled', { orderId: 'o-1', reason: 'late', cancelledAt: '2025-01-04T00:00:00.000Z' }, '2025-01-04T00:00:01.000Z');

describe('orderListReducer', () => {
  it('creates a PLACED document from OrderPlaced, timestamps from the envelope', () => {
    // given no document
    // when
    const doc = fold([placed]);
    // then
    expect(doc).toEqual({
      orderId: 'o-1',
      customerId: 'c-1',
      status: 'PLACED',
      items: [{ sku: 'A', quantity: 2, unitPrice: 10 }],
      itemCount: 2,
      total: { amount: 20, currency: 'EUR' },
      totalAmount: 20,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    });
  });

  it('adds a line and recomputes item count and total in the order currency', () => {
    // given
    const events = [placed, itemAdded];
    // when
    const doc = fold(events);
    // then
    expect(doc).toMatchObject({ itemCount: 5, total: { amount: 20.3, currency: 'EUR' }, totalAmount: 20.3, updatedAt: '2025-01-02T00:00:00.000Z' });
    expect(doc?.items).toHaveLength(2);
  });

  it('marks a confirmed then cancelled order CANCELLED with its reason', () => {
    // given
    const events = [placed, confirmed, cancelled];
    // when
    const doc = fold(events);
    // then
    expect(doc).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'late',
      confirmedAt: '2025-01-03T00:00:00.000Z',
      cancelledAt: '2025-01-04T00:00:00.000Z',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-04T00:00:01.000Z',
    });
  });

  it('writes no document for an event of an order it has not seen placed', () => {
    // given no document
    // when
    const doc = orderListReducer(undefined, cancelled);
    // then
    expect(doc).toBeNull();
  });

  it('leaves the document unchanged for an event type it does not know', () => {
    // given
    const current = fold([placed]) as OrderListItem;
    // when
    const doc = orderListReducer(current, event('OrderShipped', { orderId: 'o-1' }, '2025-02-01T00:00:00.000Z'));
    // then
    expect(doc).toEqual(current);
  });
});
