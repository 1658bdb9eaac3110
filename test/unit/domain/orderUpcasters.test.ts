import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderListReducer, orderUpcasters } from '../../../domain';
import type { OrderListEvent } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';

const envelope = { aggregateId: 'o-1', aggregateVersion: 1, occurredAt: '2024-06-01T12:00:00.000Z' };
const items = [{ sku: 'A', quantity: 2, unitPrice: 12.5 }];

describe('orderUpcasters', () => {
  let env: SchemaEnvironment;
  const upcasters = new UpcasterRegistry(orderUpcasters);

  beforeAll(async () => {
    env = await createSchemaEnvironment();
  });

  afterAll(() => env.db.close());

  async function decodeAndUpcast(bytes: Buffer): Promise<OrderListEvent & { schemaVersion: number }> {
    const decoded = await env.codec.decode(bytes);
    const { schemaVersion, payload } = upcasters.upcast(decoded.eventType, decoded.schemaVersion, decoded.payload);
    return { eventType: decoded.eventType, schemaVersion, payload, envelope };
  }

  it('upcasts a stored OrderPlaced v1 to v2 with the amount in USD', async () => {
    // given
    const { bytes } = await env.codec.encode('OrderPlaced', { orderId: 'o-1', customerId: 'c-1', items, totalAmount: 25 }, 1);
    // when
    const event = await decodeAndUpcast(bytes);
    // then
    expect(event.schemaVersion).toBe(2);
    expect(event.payload).toEqual({ orderId: 'o-1', customerId: 'c-1', items, total: { amount: 25, currency: 'USD' } });
  });

  it('projects a stored v1 event exactly as the equivalent v2 event', async () => {
    // given
    const v1 = await env.codec.encode('OrderPlaced', { orderId: 'o-1', customerId: 'c-1', items, totalAmount: 25 }, 1);
    const v2 = await env.codec.encode('OrderPlaced', { orderId: 'o-1', customerId: 'c-1', items, total: { amount: 25, currency: 'USD' } });
    // when
    const fromV1 = orderListReducer(undefined, await decodeAndUpcast(v1.bytes));
    const fromV2 = orderListReducer(undefined, await decodeAndUpcast(v2.bytes));
    // then
    expect(v1.schemaVersion).toBe(1);
    expect(v2.schemaVersion).toBe(2);
    expect(fromV1).toEqual(fromV2);
    expect(fromV1).toMatchObject({ total: { amount: 25, currency: 'USD' } });
  });

  it('leaves a v2 payload untouched', async () => {
    // given
    const payload = { orderId: 'o-1', customerId: 'c-1', items, total: { amount: 25, currency: 'EUR' } };
    const { bytes } = await env.codec.encode('OrderPlaced', payload);
    // when
    const event = await decodeAndUpcast(bytes);
    // then
    expect(event).toMatchObject({ schemaVersion: 2, payload });
  });
});
