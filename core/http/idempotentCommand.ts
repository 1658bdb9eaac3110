import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { CommandResult } from '../command/CommandService';
import { errorCodeOf } from '../errors/NexusError';
import { EVENT_STORE_ERRORS } from '../events/EventStore';
import { AUTH_ERRORS } from '../auth/AuthErrors';
import { IDEMPOTENCY_ERRORS } from '../idempotency/IdempotencyStore';
import type { IdempotencyClaim, IdempotencyCompletion, IdempotencyStore, StoredResponse } from '../idempotency/IdempotencyStore';
import { requestFingerprint } from '../idempotency/requestFingerprint';
import { acceptedCommandResponse } from '../idempotency/acceptedCommandResponse';
import type { Logger } from '../logging/Logger';
import type { ApiEnv } from './authenticate';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problemDetails';

/** The request header naming an idempotency key (IETF httpapi draft "The Idempotency-Key HTTP Header Field"). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** The response header that marks a stored response replayed to a retry. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** Longest accepted key, as Stripe's. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A bare key: visible ASCII, not starting with a quote. */
const BARE_KEY = /^[\x21\x23-\x7e][\x21-\x7e]*$/;
/** The draft's form, a structured-field string: printable ASCII in quotes, `\"` and `\\` escaped. */
const QUOTED_KEY = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
/** Refusals a retry may turn into a success: never stored, the key is released instead. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT, AUTH_ERRORS.RATE_LIMITED, ...Object.values(IDEMPOTENCY_ERRORS)]);

/** What {@link idempotentCommand} needs besides the request. */
export interface IdempotentCommandOptions {
  /** Absent: the API has no idempotency store, and a request with a key is refused. */
  store: IdempotencyStore | undefined;
  logger: Logger;
  commandType: string;
  body: unknown;
}

/**
 * Runs a command at most once per `Idempotency-Key` and client, answering 202 with its result.
 *
 * Without the header the command just runs. With it: the key is claimed for the client
 * (`principal.clientId`) and the request's fingerprint (command type, subject, canonical body).
 * The first request runs the command and its answer is stored: with the events, in the append's
 * transaction, or on its own when it appended nothing; a refusal the command itself gave (4xx
 * such as `INVALID_COMMAND` or a business rule) is stored too, as Stripe does. A transient
 * failure (5xx, `CONCURRENCY_CONFLICT`, `RATE_LIMITED`) releases the key so that a retry runs
 * again. A retry with the same request gets the stored status and body with
 * `Idempotent-Replayed: true` and runs nothing.
 *
 * Errors: `INVALID_HEADER` (400, field `Idempotency-Key`) for a malformed key or a server without
 * a store; `IDEMPOTENCY_KEY_REUSED` (422) for the key of another request;
 * `IDEMPOTENCY_KEY_IN_USE` (409) while the first request runs; whatever the command raises.
 *
 * @example
 * ```ts
 * return idempotentCommand(c, { store, logger, commandType, body }, (idempotency) => commands.handle(commandType, body, { correlationId, idempotency }));
 * ```
 */
export async function idempotentCommand(
  c: Context<ApiEnv>,
  options: IdempotentCommandOptions,
  run: (idempotency?: IdempotencyCompletion<CommandResult>) => Promise<CommandResult>,
): Promise<Response> {
  const header = c.req.header(IDEMPOTENCY_KEY_HEADER);
  if (header === undefined) return c.json(await run(), 202);
  const key = parseIdempotencyKey(header);
  const { store } = options;
  if (store === undefined) throw invalidKey('this server keeps no idempotency keys; send the command without an Idempotency-Key header');
  const principal = c.get('principal');
  const fingerprint = requestFingerprint({ operation: options.commandType, subject: principal.id, body: options.body });
  const claimed = await store.claim({ clientId: principal.clientId, key, fingerprint });
  if (claimed.outcome === 'replay') return replay(c, claimed.response);

  const { claim } = claimed;
  let result: CommandResult;
  try {
    result = await run({ claim, response: acceptedCommandResponse });
  } catch (error) {
    await settleRefusal(c, options, claim, error);
    throw error;
  }
  const response = acceptedCommandResponse(result);
  // A command that decided no events wrote no completion with them: store its answer now.
  if (result.eventIds.length === 0) await store.complete(claim, response);
  return c.body(response.body, 202, { 'content-type': response.contentType });
}

/** The key of an `Idempotency-Key` header value: bare, or a quoted string as in the IETF draft. */
export function parseIdempotencyKey(value: string): string {
  const quoted = QUOTED_KEY.exec(value);
  const key = quoted ? (quoted[1] ?? '').replace(/\\(["\\])/g, '$1') : value;
  const wellFormed = quoted ? key.trim() !== '' : BARE_KEY.test(value);
  if (!wellFormed || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw invalidKey(`${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, bare or in double quotes`);
  }
  return key;
}

function replay(c: Context<ApiEnv>, response: StoredResponse): Response {
  return c.body(response.body, response.status as ContentfulStatusCode, { 'content-type': response.contentType, [IDEMPOTENT_REPLAYED_HEADER]: 'true' });
}

/**
 * Stores a refusal the command gave (the same problem document the error handler will send) or
 * releases the key after a transient failure. A store failure here is logged, not answered: the
 * client gets the command's own answer, and at worst its retry runs the command again.
 */
async function settleRefusal(c: Context<ApiEnv>, options: IdempotentCommandOptions, claim: IdempotencyClaim, error: unknown): Promise<void> {
  const store = options.store as IdempotencyStore;
  const problem = toProblem(error, { correlationId: c.get('correlationId'), instance: c.req.path });
  const code = errorCodeOf(error);
  const storable = problem.status >= 400 && problem.status < 500 && (code === undefined || !TRANSIENT_CODES.has(code));
  try {
    if (storable) await store.complete(claim, { status: problem.status, contentType: PROBLEM_CONTENT_TYPE, body: JSON.stringify(problem) });
    else await store.release(claim);
  } catch (failure) {
    options.logger.warn('idempotency key not settled', { key: claim.key, clientId: claim.clientId, storable, correlationId: c.get('correlationId'), error: failure });
    if (storable) await store.release(claim).catch(() => undefined);
  }
}

function invalidKey(message: string): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.INVALID_HEADER, message, { field: IDEMPOTENCY_KEY_HEADER });
}
