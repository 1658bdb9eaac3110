/**
 * Dead-letter operations on AWS, invoked directly (`aws lambda invoke`, the console):
 * `{ "action": "list" | "redrive" | "skip", "pipeline"?, "key"?, "id"?, "limit"? }`, doing what
 * `npx nexus --backend aws dlq list|redrive|skip` does, through the same core functions
 * (redriveDeadLetters, skipDeadLetter, the dead-letter store). A request that cannot be done is
 * answered with `{ error: { code, message, field } }`, not a failed invocation; an engine failure
 * fails the invocation (Lambda reports it; nothing was half done that a retry would not redo).
 */
import type { Context } from 'aws-lambda';
import type { DeadLetter } from '../../../core/deadletter/DeadLetterStore';
import { DEAD_LETTER_ERRORS } from '../../../core/deadletter/DeadLetterStore';
import { errorCodeOf } from '../../../core/errors/NexusError';
import { REDRIVE_ERRORS, redriveDeadLetters, skipDeadLetter } from '../../../core/pipeline/redriveDeadLetters';
import type { RedriveSummary } from '../../../core/pipeline/redriveDeadLetters';
import { pipelines } from '../../../pipelines';
import { lambdaObservability, observed, perContainer } from './lambdaObservability';
import { openLambdaSystem } from './lambdaSystem';
import type { LambdaSystem } from './lambdaSystem';

/** Error codes of the redrive function's answers (beside the dead-letter store's own). */
export const REDRIVE_REQUEST_ERRORS = {
  /** A field of the request is missing or not of its type; `field` names it. */
  INVALID_REQUEST: 'INVALID_REDRIVE_REQUEST',
  /** `pipeline` names no declared pipeline. */
  UNKNOWN_PIPELINE: 'UNKNOWN_PIPELINE',
} as const;

/** What the redrive function is asked. */
export interface RedriveRequest {
  action: 'list' | 'redrive' | 'skip';
  /** list: only this pipeline; redrive: required. */
  pipeline?: string;
  /** list, redrive: only this key. */
  key?: string;
  /** redrive: this entry's key up to and including it; skip: required. */
  id?: number;
  /** list: at most this many entries. @defaultValue 100 */
  limit?: number;
}

/** A dead letter as the function answers it: the record's bytes in base64. */
export type DeadLetterView = Omit<DeadLetter, 'record'> & { record: string };

/** What the redrive function answers. */
export type RedriveResponse =
  | { action: 'list'; entries: DeadLetterView[] }
  | ({ action: 'redrive' } & RedriveSummary)
  | { action: 'skip'; entry: DeadLetterView }
  | { error: { code: string; message: string; field?: string } };

const LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;

const observability = lambdaObservability(process.env);
const system = perContainer(() => openLambdaSystem(process.env, observability.logger, observability.tracer));

/** The redrive function's handler. */
export const handler = observed(observability, 'redrive', async (event: unknown, _context: Context): Promise<RedriveResponse> => {
  const request = parseRequest(event);
  if ('error' in request) return request;
  try {
    return await perform(await system(), request);
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return refusal;
    throw error;
  }
});

async function perform(wired: LambdaSystem, request: RedriveRequest): Promise<RedriveResponse> {
  if (request.action === 'list') {
    const entries = await wired.deadLetters.list({ pipelineName: request.pipeline, key: request.key, limit: request.limit ?? LIST_LIMIT });
    return { action: 'list', entries: entries.map(view) };
  }
  if (request.action === 'skip') return { action: 'skip', entry: view(await skipDeadLetter(wired.deadLetters, request.id as number)) };
  const definition = pipelines.find((pipeline) => pipeline.name === request.pipeline);
  if (!definition) return refusal(REDRIVE_REQUEST_ERRORS.UNKNOWN_PIPELINE, `pipeline "${request.pipeline}" is not declared; declared: ${pipelines.map((p) => p.name).join(', ')}`, 'pipeline');
  const summary = await redriveDeadLetters(definition, { deadLetters: wired.deadLetters, context: wired.contextFor(definition.name) }, { key: request.key, id: request.id });
  observability.logger.info('dead letters redriven', { pipeline: definition.name, redriven: summary.redriven, failed: summary.failed.length });
  return { action: 'redrive', ...summary };
}

/** The request, or the refusal naming its first bad field. */
export function parseRequest(event: unknown): RedriveRequest | { error: { code: string; message: string; field: string } } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return invalid('action', 'the request must be a JSON object with an action');
  const fields = event as Record<string, unknown>;
  const { action, pipeline, key, id, limit } = fields;
  if (action !== 'list' && action !== 'redrive' && action !== 'skip') return invalid('action', `action must be one of list, redrive, skip; got ${JSON.stringify(action) ?? 'nothing'}`);
  if (pipeline !== undefined && (typeof pipeline !== 'string' || pipeline === '')) return invalid('pipeline', 'pipeline must be a non-empty string');
  if (key !== undefined && (typeof key !== 'string' || key === '')) return invalid('key', 'key must be a non-empty string');
  if (id !== undefined && !(typeof id === 'number' && Number.isInteger(id) && id >= 1)) return invalid('id', `id must be a positive integer; got ${JSON.stringify(id)}`);
  if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIST_LIMIT)) return invalid('limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  if (action === 'redrive' && pipeline === undefined) return invalid('pipeline', 'redrive needs the pipeline whose dead letters to redrive');
  if (action === 'skip' && id === undefined) return invalid('id', 'skip needs the id of the dead letter to skip');
  return { action, ...(pipeline === undefined ? {} : { pipeline }), ...(key === undefined ? {} : { key }), ...(id === undefined ? {} : { id }), ...(limit === undefined ? {} : { limit }) } as RedriveRequest;
}

/** The store's and the redrive's refusals of a request, answered with the field they concern. */
function refusalOf(error: unknown): RedriveResponse | undefined {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === DEAD_LETTER_ERRORS.NOT_FOUND || code === DEAD_LETTER_ERRORS.NOT_PARKED || code === REDRIVE_ERRORS.WRONG_PIPELINE) return refusal(code, message, 'id');
  if (code === REDRIVE_ERRORS.WRONG_KEY) return refusal(code, message, 'key');
  return undefined;
}

function invalid(field: string, message: string): { error: { code: string; message: string; field: string } } {
  return refusal(REDRIVE_REQUEST_ERRORS.INVALID_REQUEST, message, field);
}

function refusal(code: string, message: string, field: string): { error: { code: string; message: string; field: string } } {
  return { error: { code, message, field } };
}

function view(entry: DeadLetter): DeadLetterView {
  return { ...entry, record: entry.record.toString('base64') };
}
