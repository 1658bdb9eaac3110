import type { AuthConfig } from '../../../core/auth/authConfig';
import { mintDevelopmentToken } from '../../../core/auth/mintToken';
import { fulfilmentIdOf } from '../../../domain';
import { createEmbeddedApi } from '../../../handlers/local/embeddedSystem';
import { openSagaSystem, placeOrderBody } from './sagaHarness';
import type { SagaSystem } from './sagaHarness';

jest.setTimeout(60_000);

const SECRET = 'saga-route-test-secret-0123456789-0123456789';
const AUTH: AuthConfig = { keys: { secret: SECRET }, verifier: {} };

describe('GET /api/sagas/{sagaId}', () => {
  let harness: SagaSystem;
  let app: ReturnType<typeof createEmbeddedApi>;

  beforeAll(async () => {
    harness = await openSagaSystem();
    app = createEmbeddedApi(harness.system, AUTH);
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-ok', { customerId: 'alice' }), { correlationId: 'req-ok' });
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-declined', { customerId: 'alice', unitPrice: 4000 }), { correlationId: 'req-declined' });
    await harness.settle();
  });

  afterAll(async () => {
    await harness.close();
    harness.remove();
  });

  async function get(path: string, subject: string, roles: string[]): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
    const token = await mintDevelopmentToken(SECRET, { subject, roles });
    const response = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  }

  it("answers a completed saga's status, steps and audit trail to its customer", async () => {
    // given alice's completed fulfilment
    // when alice asks for it
    const answer = await get(`/api/sagas/${fulfilmentIdOf('o-ok')}`, 'alice', ['customer']);
    // then the status is folded from the stream, with every transition in order
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sagaId: 'fulfilment-o-ok', sagaType: 'fulfilment', status: 'completed', currentStep: null, completedSteps: ['reserve-stock', 'take-payment', 'ship'], compensatedSteps: [], version: 8 });
    expect((answer.body.trail as { type: string }[]).map((entry) => entry.type)).toEqual(['SagaStarted', 'StepStarted', 'StepCompleted', 'StepStarted', 'StepCompleted', 'StepStarted', 'StepCompleted', 'SagaCompleted']);
  });

  it('shows an aborted saga with its failure and its compensated steps to support', async () => {
    // given alice's fulfilment whose payment was declined
    // when support asks for it
    const answer = await get(`/api/sagas/${fulfilmentIdOf('o-declined')}`, 'sam', ['support']);
    // then it says what failed and what was undone
    expect(answer.body).toMatchObject({ status: 'aborted', completedSteps: ['reserve-stock'], compensatedSteps: ['reserve-stock'], failure: { step: 'take-payment', reason: 'event', detail: 'PaymentDeclined' } });
  });

  it("refuses another customer's saga with 403 naming sagas:read", async () => {
    // given alice's saga
    // when bob asks for it
    const answer = await get(`/api/sagas/${fulfilmentIdOf('o-ok')}`, 'bob', ['customer']);
    // then he is refused
    expect(answer).toMatchObject({ status: 403, type: 'application/problem+json', body: { code: 'PERMISSION_DENIED', permission: 'sagas:read' } });
  });

  it('answers 404 problem+json naming sagaId for an unknown saga and for a stream that is not a saga', async () => {
    // given no saga "fulfilment-nope", and the stream of order o-ok, which is no saga
    // when an auditor asks for both
    const unknown = await get('/api/sagas/fulfilment-nope', 'audrey', ['auditor']);
    const order = await get('/api/sagas/o-ok', 'audrey', ['auditor']);
    // then both are not found
    for (const answer of [unknown, order]) {
      expect(answer).toMatchObject({ status: 404, type: 'application/problem+json', body: { code: 'NOT_FOUND', field: 'sagaId' } });
    }
  });

  it('answers 404, not 403, to a customer asking for an unknown saga', async () => {
    // when alice asks for a saga that does not exist
    const answer = await get('/api/sagas/fulfilment-nope', 'alice', ['customer']);
    // then it is not found (nobody owns it)
    expect(answer.status).toBe(404);
  });
});
