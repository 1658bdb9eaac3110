/**
 * A temporal query started on one API instance and resumed on others, for the tests of the
 * shared continuation key (embedded and AWS): each instance is only a `fetch`.
 */
import type { CommandService } from '../../core/command/CommandService';

/** An API instance: its app's fetch. */
export type ApiFetch = (request: Request) => Response | Promise<Response>;

/** A reply's status and parsed body. */
export interface TemporalAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Places an order and adds `items` lines to it: an aggregate of `1 + items` events. */
export async function orderWithItems(commands: CommandService, customerId: string, items: number): Promise<string> {
  const { aggregateId } = await commands.handle('PlaceOrder', { customerId, items: [{ sku: 'SKU-0', quantity: 1, unitPrice: 1 }], currency: 'EUR' }, { correlationId: `place-${customerId}` });
  for (let line = 1; line <= items; line += 1) {
    await commands.handle('AddItem', { orderId: aggregateId, sku: `SKU-${line}`, quantity: 1, unitPrice: 1 }, { correlationId: `add-${customerId}-${line}` });
  }
  return aggregateId;
}

/** Asks `api` for the order's state as of `asOf`, resuming `continuation` when given. */
export async function askTemporal(api: ApiFetch, token: string, orderId: string, asOf: string, continuation?: string): Promise<TemporalAnswer> {
  const resume = continuation === undefined ? '' : `&continuation=${encodeURIComponent(continuation)}`;
  const request = new Request(`http://nexus.test/api/queries/temporal/orders/${encodeURIComponent(orderId)}?asOf=${encodeURIComponent(asOf)}${resume}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const response = await api(request);
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** The continuation of a partial answer; fails the test when the answer is not one. */
export function continuationOf(answer: TemporalAnswer): string {
  const token = answer.body.continuation;
  if (answer.status !== 200 || answer.body.complete !== false || typeof token !== 'string') {
    throw new Error(`expected a partial answer with a continuation, got ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return token;
}
