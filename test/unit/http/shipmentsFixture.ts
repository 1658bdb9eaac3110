/**
 * A read model declared in the tests of the query API (issue 11, part 5): fields of every type,
 * filterable, sortable-only and plain ones, owned by a customer. Documents are written straight
 * into the API's SQLite store.
 */
import { defineReadModel } from '../../../core/readmodel/ReadModelDeclaration';
import { answerOf, createTestApi } from './apiFixture';
import type { Json, TestApi } from './apiFixture';

/** Owned by a customer; its queries need `orders:read`, which customers hold on their own only. */
export const shipments = defineReadModel({
  resourceType: 'shipments',
  documentType: 'shipment',
  permission: 'orders',
  ownerField: 'customerId',
  fields: {
    customerId: { type: 'string', filterable: true },
    carrier: { type: 'string', filterable: true, values: ['DHL', 'UPS'] },
    weightKg: { type: 'number', filterable: true, sortable: true },
    parcels: { type: 'integer', filterable: true },
    express: { type: 'boolean', filterable: true },
    shippedAt: { type: 'timestamp', filterable: true, sortable: true },
    /** Sortable, not filterable: ranges still apply (an order exists), equality does not. */
    declaredValue: { type: 'number', sortable: true },
    note: { type: 'string' },
  },
  defaultSort: { field: 'shippedAt', direction: 'asc' },
});

/** The data of shipment `n` (1-based): alice owns the odd ones, bob the even ones; one per day of March 2026. */
export function shipment(n: number, overrides: Json = {}): Json {
  return {
    customerId: n % 2 === 1 ? 'alice' : 'bob',
    carrier: n % 3 === 0 ? 'UPS' : 'DHL',
    weightKg: n * 1.5,
    parcels: n,
    express: n % 2 === 0,
    shippedAt: `2026-03-${String(n).padStart(2, '0')}T10:00:00.000Z`,
    declaredValue: n * 100,
    note: `shipment ${n}`,
    ...overrides,
  };
}

/** An API serving {@link shipments}, with shipments s-1..s-`count` written at version 1. */
export async function shipmentsApi(count: number): Promise<TestApi> {
  const api = await createTestApi({}, [shipments]);
  const collection = api.readModelStore.collection('shipments');
  for (let n = 1; n <= count; n += 1) await collection.upsertIfNewer(`s-${n}`, 1, shipment(n));
  return api;
}

/** GET `path` on `api` as the caller of `headers`, the answer parsed. */
export async function getAs(api: TestApi, path: string, headers: Record<string, string>): Promise<Awaited<ReturnType<typeof answerOf>>> {
  return answerOf(await api.app.request(path, { headers }));
}

/** The numbers of a list answer's shipments (from their note), in order. */
export function shipmentNumbersOf(body: Json): number[] {
  return (body.items as Json[]).map((item) => Number(String(item.note).replace('shipment ', '')));
}
