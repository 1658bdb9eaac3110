/**
 * The response half of the CloudFormation custom resource protocol. A custom resource that never
 * answers holds its stack for an hour, so {@link answerCustomResource} answers every request it
 * can: SUCCESS with the work's result, FAILED with the reason on an error, on a malformed event,
 * and when the work outlives the time left before Lambda's timeout.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errorCodeOf, NexusError } from '../../../core/errors/NexusError';
import type { Logger } from '../../../core/logging/Logger';
import { silentLogger } from '../../../core/logging/Logger';
import { definedOnly } from '../../../core/options/definedOnly';
import { echoOf, parseCustomResourceEvent, responseUrlOf } from './customResourceEvent';
import type { CustomResourceEcho, CustomResourceRequest } from './customResourceEvent';
import { MalformedCustomResourceEventError } from './customResourceEvent';

/** What a custom resource's work returns when it succeeds. */
export interface CustomResourceSuccess {
  /** The resource's id; answering another one than the request's replaces the resource (CloudFormation then deletes the old id). */
  physicalResourceId: string;
  /** Shown in the stack's events. */
  reason?: string;
  /** Attributes `Fn::GetAtt` can read. */
  data?: Readonly<Record<string, string | number>>;
}

/** The body PUT to the response URL, as CloudFormation reads it. */
export interface CustomResourceResponseBody {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string | number>;
}

/** The resource's work; `signal` aborts when the answer can wait no longer (the work's result is then ignored). */
export type CustomResourceWork = (request: CustomResourceRequest, signal: AbortSignal) => Promise<CustomResourceSuccess>;

/** The part of Lambda's context the protocol uses. */
export interface CustomResourceContext {
  getRemainingTimeInMillis(): number;
  /** Named in a FAILED reason, so the stack's events lead to the logs. */
  logStreamName?: string;
}

/** Options of {@link answerCustomResource}. */
export interface CustomResourceOptions {
  /** Time kept before Lambda's timeout to send the answer; the work is given up when only this much is left. @defaultValue 10000 */
  responseReserveMs?: number;
  /** PUT attempts (a socket error or a 5xx is tried again; a 4xx is not). @defaultValue 3 */
  responseAttempts?: number;
  /** One PUT attempt's timeout. @defaultValue 3000 */
  responseTimeoutMs?: number;
  /** @defaultValue silentLogger */
  logger?: Logger;
}

/** Defaults of {@link CustomResourceOptions}: 3 attempts of 3 s and their pauses fit in the 10 s kept. */
export const CUSTOM_RESOURCE_DEFAULTS = {
  responseReserveMs: 10_000,
  responseAttempts: 3,
  responseTimeoutMs: 3_000,
} as const;

type Settings = Required<CustomResourceOptions>;

/** CloudFormation refuses a response body over 4096 bytes; the reason is cut to fit. */
const MAX_RESPONSE_BYTES = 4096;

/** Error code of {@link CustomResourceDeadlineError}. */
export const CUSTOM_RESOURCE_DEADLINE = 'CUSTOM_RESOURCE_DEADLINE';
/** Error code of {@link CustomResourceResponseError}. */
export const CUSTOM_RESOURCE_RESPONSE_FAILED = 'CUSTOM_RESOURCE_RESPONSE_FAILED';

/** The work was still running when only the time kept to answer was left. */
export class CustomResourceDeadlineError extends NexusError {
  constructor(budgetMs: number, reserveMs: number) {
    super(CUSTOM_RESOURCE_DEADLINE, `not finished within ${budgetMs} ms (Lambda's timeout less ${reserveMs} ms kept to answer CloudFormation)`, { details: { budgetMs, reserveMs } });
  }
}

/** The answer could not be delivered to the response URL. */
export class CustomResourceResponseError extends NexusError {
  constructor(message: string, cause?: unknown) {
    super(CUSTOM_RESOURCE_RESPONSE_FAILED, `the custom resource response could not be sent: ${message}`, { cause });
  }
}

/**
 * Runs `work` for a custom resource event and PUTs the answer to its ResponseURL; resolves with
 * the body sent. The work gets the time left before Lambda's timeout less `responseReserveMs`.
 * Throws MALFORMED_CUSTOM_RESOURCE_EVENT only for an event without a usable ResponseURL (nothing
 * can be answered), and CUSTOM_RESOURCE_RESPONSE_FAILED when every PUT attempt failed.
 *
 * @example export const handler = (event: unknown, context: Context) => answerCustomResource(event, context, work);
 */
export async function answerCustomResource(event: unknown, context: CustomResourceContext, work: CustomResourceWork, options: CustomResourceOptions = {}): Promise<CustomResourceResponseBody> {
  const settings: Settings = { ...CUSTOM_RESOURCE_DEFAULTS, logger: silentLogger, ...definedOnly(options) };
  const responseUrl = responseUrlOf(event);
  if (responseUrl === undefined) {
    const error = new MalformedCustomResourceEventError('ResponseURL', 'must be an http(s) URL: there is nowhere to answer');
    settings.logger.error('custom resource event cannot be answered', { error });
    throw error;
  }
  const body = await outcomeOf(event, context, work, settings);
  settings.logger.info('custom resource answered', { status: body.Status, reason: body.Reason, logicalResourceId: body.LogicalResourceId, data: body.Data });
  await sendResponse(responseUrl, JSON.stringify(body), settings);
  return body;
}

async function outcomeOf(event: unknown, context: CustomResourceContext, work: CustomResourceWork, settings: Settings): Promise<CustomResourceResponseBody> {
  let request: CustomResourceRequest;
  try {
    request = parseCustomResourceEvent(event);
  } catch (error) {
    return failed(echoOf(event), error, context);
  }
  settings.logger.info('custom resource request', { requestType: request.requestType, logicalResourceId: request.logicalResourceId, stackId: request.stackId });
  const budgetMs = Math.max(0, context.getRemainingTimeInMillis() - settings.responseReserveMs);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CustomResourceDeadlineError(budgetMs, settings.responseReserveMs)), budgetMs);
  });
  try {
    const success = await Promise.race([work(request, controller.signal), deadline]);
    return {
      Status: 'SUCCESS',
      ...(success.reason === undefined ? {} : { Reason: success.reason }),
      PhysicalResourceId: success.physicalResourceId,
      StackId: request.stackId,
      RequestId: request.requestId,
      LogicalResourceId: request.logicalResourceId,
      ...(success.data === undefined ? {} : { Data: { ...success.data } }),
    };
  } catch (error) {
    settings.logger.error('custom resource failed', { error, requestType: request.requestType });
    return failed(request, error, context);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** A FAILED answer; it keeps the request's physical id, so a failed Update never reads as a replacement. */
function failed(echo: CustomResourceEcho, error: unknown, context: CustomResourceContext): CustomResourceResponseBody {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const logs = context.logStreamName === undefined ? '' : ` (CloudWatch log stream ${context.logStreamName})`;
  const body: CustomResourceResponseBody = {
    Status: 'FAILED',
    Reason: '',
    PhysicalResourceId: echo.physicalResourceId ?? (echo.logicalResourceId || 'unknown'),
    StackId: echo.stackId,
    RequestId: echo.requestId,
    LogicalResourceId: echo.logicalResourceId,
  };
  const room = MAX_RESPONSE_BYTES - Buffer.byteLength(JSON.stringify(body));
  body.Reason = fitted(`${code === undefined ? '' : `${code}: `}${message}`, logs, room);
  return body;
}

/** `text` + `suffix`, the text cut (marked with …) so the JSON string takes at most `room` bytes. */
function fitted(text: string, suffix: string, room: number): string {
  const whole = text + suffix;
  if (Buffer.byteLength(JSON.stringify(whole)) <= room) return whole;
  let kept = text;
  while (kept.length > 0 && Buffer.byteLength(JSON.stringify(`${kept}…${suffix}`)) > room) kept = kept.slice(0, Math.floor(kept.length * 0.9));
  return `${kept}…${suffix}`;
}

async function sendResponse(url: string, json: string, settings: Settings): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= settings.responseAttempts; attempt++) {
    try {
      const status = await put(url, json, settings.responseTimeoutMs);
      if (status >= 200 && status < 300) return;
      lastError = new Error(`HTTP ${status}`);
      // A 4xx is the URL's verdict (expired, signature mismatch): another attempt gets the same.
      if (status < 500) break;
    } catch (error) {
      lastError = error;
    }
    settings.logger.warn('custom resource response not delivered', { attempt, error: lastError });
    if (attempt < settings.responseAttempts) await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
  const error = new CustomResourceResponseError(lastError instanceof Error ? lastError.message : String(lastError), lastError);
  settings.logger.error('custom resource response lost', { error });
  throw error;
}

/** One PUT; the pre-signed S3 URL is signed without a content type, so none is sent. */
function put(url: string, json: string, timeoutMs: number): Promise<number> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(json) }, timeout: timeoutMs }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? 0));
      answer.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(json);
  });
}
