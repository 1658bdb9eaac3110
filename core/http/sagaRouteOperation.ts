import type { JsonSchema, OpenApiPaths } from './openapi/OpenApiDocument';
import { AUTHENTICATED } from './openapi/operationSecurity';
import { problemResponses } from './openapi/problemResponses';

const STEP = { type: 'string', description: 'A step name, e.g. `take-payment`.' } as const;

const SAGA_STATUS: JsonSchema = {
  type: 'object',
  properties: {
    sagaId: { type: 'string' },
    sagaType: { type: 'string', description: 'The declared saga, e.g. `fulfilment`.' },
    status: { type: 'string', enum: ['running', 'compensating', 'completed', 'aborted'] },
    currentStep: { type: ['string', 'null'], description: 'The step being done or undone; null once the saga ended.' },
    inFlight: {
      // No `type`: an object, or null (the JsonSchema subset here has no type arrays with object).
      description: 'The command sent and not settled yet (an object), or null.',
      properties: { step: STEP, kind: { type: 'string', enum: ['action', 'compensation'] }, commandType: { type: 'string' }, commandId: { type: 'string' }, deadline: { type: ['string', 'null'], format: 'date-time' } },
    },
    completedSteps: { type: 'array', items: STEP },
    compensatedSteps: { type: 'array', items: STEP, description: 'In the order they were undone: the reverse of completion.' },
    failure: { description: 'Why a step failed (an object), or null.', properties: { step: STEP, reason: { type: 'string', enum: ['event', 'rejected', 'timeout'] }, detail: { type: 'string' } } },
    version: { type: 'integer', description: "The saga stream's version." },
    trail: {
      type: 'array',
      description: "Every transition of the saga's stream, in order: its audit trail.",
      items: { type: 'object', properties: { version: { type: 'integer' }, type: { type: 'string' }, occurredAt: { type: 'string', format: 'date-time' }, step: STEP, kind: { type: 'string' }, reason: { type: 'string' } }, required: ['version', 'type', 'occurredAt'] },
    },
  },
  required: ['sagaId', 'sagaType', 'status', 'completedSteps', 'compensatedSteps', 'version', 'trail'],
};

/** The OpenAPI description of `GET /api/sagas/{sagaId}` (see sagaRoute.ts). */
export const SAGA_STATUS_PATHS: OpenApiPaths = {
  '/api/sagas/{sagaId}': {
    get: {
      operationId: 'sagaStatus',
      summary: "A saga's status and audit trail",
      description: "Folded from the saga's own event stream. Needs `sagas:read` (a customer: the sagas of its own orders).",
      tags: ['Sagas'],
      parameters: [{ name: 'sagaId', in: 'path', required: true, description: 'The saga id, e.g. `fulfilment-<orderId>`.', schema: { type: 'string', minLength: 1 } }],
      responses: { '200': { description: 'The saga.', content: { 'application/json': { schema: SAGA_STATUS } } }, ...problemResponses([400, 401, 403, 404, 429, 503]) },
      security: AUTHENTICATED,
    },
  },
};
