import type { Hono } from 'hono';
import type { AccessGuard } from '../auth/AccessGuard';
import type { EventStore } from '../events/EventStore';
import type { EventCodec } from '../schema/EventCodec';
import { SagaJournal } from '../saga/SagaJournal';
import type { SagaTransition } from '../saga/SagaJournal';
import { evolveSaga } from '../saga/SagaState';
import type { NoSaga, SagaState } from '../saga/SagaState';
import type { ApiEnv } from './authenticate';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { once } from './once';
import { pathParameterOf } from './pathParameter';

/** The route of a saga's status. */
export const SAGA_STATUS_PATH = '/api/sagas/:sagaId';

/** The action the authorization policy is asked for (permission `sagas:read`). */
export const SAGA_READ_ACTION = 'query:sagas.get';

/** What {@link addSagaRoute} needs besides the app. */
export interface SagaRouteDependencies {
  eventStore: EventStore;
  codec: EventCodec;
  guard: AccessGuard;
}

/** One entry of a saga's audit trail, as the route answers it. */
export interface SagaTrailEntry {
  version: number;
  type: string;
  occurredAt: string;
  step?: string;
  kind?: string;
  reason?: string;
}

/**
 * Adds `GET /api/sagas/{sagaId}`: the saga's status (`running`, `compensating`, `completed`,
 * `aborted`), current step, the command in flight, completed and compensated steps, the failure,
 * and its audit trail (every transition of its stream, in order), folded from the saga's stream.
 *
 * Authorization: `query:sagas.get` (permission `sagas:read`); a grant on own sagas only is
 * settled with the saga's owner (the fulfilment saga's customer). An id without a saga stream (or
 * the stream of another aggregate type) is 404 naming `sagaId`.
 */
export function addSagaRoute(app: Hono<ApiEnv>, deps: SagaRouteDependencies): void {
  const journal = new SagaJournal(deps.eventStore, deps.codec);

  app.get(SAGA_STATUS_PATH, async (c) => {
    const sagaId = pathParameterOf(c.req.url, SAGA_STATUS_PATH, 'sagaId', 'sagaId');
    const load = once(async () => foldTrail(sagaId, journal));
    const known = async (): Promise<{ state: SagaState; trail: SagaTransition[] }> => {
      const loaded = await load();
      if (loaded.state.status === 'none') throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `saga ${sagaId} does not exist`, { field: 'sagaId' });
      return { state: loaded.state, trail: loaded.trail };
    };
    await deps.guard.authorize({
      principal: c.get('principal'),
      action: SAGA_READ_ACTION,
      correlationId: c.get('correlationId'),
      resource: async () => {
        const { state } = await known();
        return { type: 'saga', id: sagaId, ...(state.ownerId === null ? {} : { ownerId: state.ownerId }) };
      },
    });
    const { state, trail } = await known();
    return c.json({
      sagaId: state.sagaId,
      sagaType: state.sagaType,
      status: state.status,
      currentStep: state.currentStep,
      inFlight: state.inFlight,
      completedSteps: state.completedSteps,
      compensatedSteps: state.compensatedSteps,
      failure: state.failure,
      version: state.version,
      trail: trail.map(entryOf),
    });
  });
}

async function foldTrail(sagaId: string, journal: SagaJournal): Promise<{ state: SagaState | NoSaga; trail: SagaTransition[] }> {
  let state: SagaState | NoSaga = { status: 'none', version: 0 };
  const trail: SagaTransition[] = [];
  for await (const transition of journal.transitions(sagaId)) {
    state = evolveSaga(state, transition.event, transition.version);
    trail.push(transition);
  }
  return { state, trail };
}

function entryOf(transition: SagaTransition): SagaTrailEntry {
  const data = transition.event.data as unknown as Record<string, unknown>;
  return {
    version: transition.version,
    type: transition.event.type,
    occurredAt: transition.occurredAt,
    ...(typeof data.step === 'string' ? { step: data.step } : {}),
    ...(typeof data.kind === 'string' ? { kind: data.kind } : {}),
    ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
  };
}
