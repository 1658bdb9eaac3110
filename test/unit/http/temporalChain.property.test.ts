import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SqliteEventStore } from '../../../adapters/embedded';
import type { NewEvent } from '../../../core/events/EventStore';
import { orderContext, orderItemAdded, orderPlaced } from '../../contract/eventFixtures';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { bearer } from '../auth/securedApi';
import { chainResult, createTemporalApi, followChain } from './temporalHarness';
import type { TemporalApi } from './temporalHarness';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

let env: SchemaEnvironment;
let store: SqliteEventStore;
let occurredAt: number;
let full: TemporalApi;

beforeAll(async () => {
  env = await createSchemaEnvironment();
  store = new SqliteEventStore(env.db, env.codec, { clock: () => new Date(occurredAt) });
  full = await createTemporalApi(store, env.codec);
});

afterAll(() => {
  full.close();
  env.db.close();
});

/** One generated history: a placing (v1 or v2 schema) then items, each `gapsMs` after the previous. */
const history = fc.record({
  v1: fc.boolean(),
  items: fc.array(fc.record({ sku: fc.stringMatching(/^[A-Z]{1,3}$/), quantity: fc.integer({ min: 1, max: 9 }) }), { maxLength: 8 }),
  // Zero gaps: several events in one millisecond, where asOf falls on a tie.
  gapsMs: fc.array(fc.constantFrom(0, 1, 60_000), { minLength: 9, maxLength: 9 }),
  asOfMs: fc.integer({ min: -1, max: 9 * 60_000 + 1 }),
  sinceBackMs: fc.option(fc.integer({ min: 0, max: 9 * 60_000 }), { nil: undefined }),
  cap: fc.integer({ min: 1, max: 4 }),
});

function placing(id: string, v1: boolean): NewEvent {
  if (!v1) return orderPlaced(id);
  return { eventType: 'OrderPlaced', schemaVersion: 1, payload: { orderId: id, customerId: 'c-1', items: [{ sku: 'V1', quantity: 1, unitPrice: 2 }], totalAmount: 2 } };
}

describe('a continuation chain of temporal queries', () => {
  it('adds up to one unbounded replay: the same state, version and changes, for any history, asOf, since and cap', async () => {
    await fc.assert(
      fc.asyncProperty(history, async ({ v1, items, gapsMs, asOfMs, sinceBackMs, cap }) => {
        // given a history appended one event at a time
        const id = `order-${randomUUID()}`;
        const events = [placing(id, v1), ...items.map((item) => orderItemAdded(id, item.sku, { quantity: item.quantity }))];
        occurredAt = T0;
        for (const [index, event] of events.entries()) {
          await store.append(id, index, [event], orderContext());
          occurredAt += gapsMs[index] ?? 0;
        }
        const since = sinceBackMs === undefined ? '' : `&since=${iso(T0 + asOfMs - sinceBackMs)}`;
        const path = `/api/queries/temporal/orders/${id}?asOf=${iso(T0 + asOfMs)}${since}`;
        // a fresh subject per history, so that the rate limit never cuts a chain short
        const headers = await bearer(`root-${id}`, 'admin');
        const capped = await createTemporalApi(store, env.codec, { maxEventsPerRequest: cap });
        try {
          // when following the chain under the cap, and asking once without one
          const chain = await followChain(capped, path, headers);
          const [unbounded] = await followChain(full, path, headers);
          // then they agree, and no link read more than the cap
          expect(unbounded?.body.continuation).toBeUndefined();
          expect(chainResult(chain)).toEqual(chainResult(unbounded === undefined ? [] : [unbounded]));
          expect(chain.slice(0, -1).every((answer) => answer.body.complete === false && answer.body.version === (chain.indexOf(answer) + 1) * cap)).toBe(true);
          const scanned = capped.logLines.filter((line) => line.message === 'temporal query').map((line) => line.eventsScanned as number);
          expect(Math.max(0, ...scanned)).toBeLessThanOrEqual(cap);
        } finally {
          capped.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
