import type { AggregateDefinition } from '../../../core/command';
import { TemporalAggregates, temporalAggregateOf } from '../../../core/http/temporalAggregates';
import { orderAggregate } from '../../../domain';

function aggregateNamed(aggregateType: string): AggregateDefinition {
  return { aggregateType, commands: [], decider: { decide: () => [], evolve: (state) => state, initialState: () => ({}) } };
}

describe('temporalAggregateOf', () => {
  it("names Order exactly as today's order URL: orders, query:orders.temporal, order, orderId", () => {
    // given the Order aggregate
    // when
    const served = temporalAggregateOf(orderAggregate);
    // then
    expect(served).toMatchObject({ segment: 'orders', action: 'query:orders.temporal', resourceType: 'order', idField: 'orderId', ownerField: 'customerId' });
  });

  it.each([
    ['ShippingLabel', 'shipping-labels', 'shippingLabel'],
    ['Box', 'boxes', 'box'],
    ['Category', 'categories', 'category'],
    ['Day', 'days', 'day'],
    ['invoice_line', 'invoice-lines', 'invoiceLine'],
  ])('derives the URL segment and resource type of %s', (aggregateType, segment, resourceType) => {
    // given an aggregate type
    // when
    const served = temporalAggregateOf(aggregateNamed(aggregateType));
    // then
    expect({ segment: served.segment, resourceType: served.resourceType }).toEqual({ segment, resourceType });
  });
});

describe('TemporalAggregates', () => {
  it('refuses two aggregate types that would share a URL', () => {
    // given Box and box
    // when
    const building = (): TemporalAggregates => new TemporalAggregates([aggregateNamed('Box'), aggregateNamed('box')]);
    // then
    expect(building).toThrow('would share /api/queries/temporal/boxes');
  });

  it('accepts the same aggregate twice', () => {
    // given Order passed as the single aggregate and in the list
    // when
    const served = new TemporalAggregates([orderAggregate, orderAggregate]);
    // then
    expect(served.resolve('orders').aggregate).toBe(orderAggregate);
  });
});
