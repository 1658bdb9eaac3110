import { createBareRouteApp } from '../../../load-tests/bench/bareRouteServer';

// The knee bench's baseline route: it must accept what PlaceOrder accepts (a JSON body, 202) and
// nothing more, so that the comparison is the HTTP stack alone against the whole command path.

describe('bare route app (knee bench baseline)', () => {
  it('reads a JSON command body and answers 202 without authentication', async () => {
    // given
    const app = createBareRouteApp();
    // when
    const response = await app.request('/api/commands/PlaceOrder', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'order-1', customerId: 'customer-1' }),
    });
    // then
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ aggregateId: 'order-1', version: 1, eventIds: [], correlationId: null });
  });

  it('answers its health route so the bench can wait for it', async () => {
    // given
    const app = createBareRouteApp();
    // when
    const response = await app.request('/health');
    // then
    expect(response.status).toBe(200);
  });
});
