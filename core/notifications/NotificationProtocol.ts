/**
 * The live-notification wire protocol, the same on every transport (embedded `ws` at `/ws`, API
 * Gateway WebSocket on AWS): JSON text frames, one object each, told apart by `type`.
 *
 * Client -> server:
 * - `{"type":"subscribe","subscriptionId":"s1","resourceType":"orders"}`: changes of every
 *   document of `orders` the caller may read (a customer: its own orders); with `"after": 42`,
 *   first the changes after notification position 42 (resume; see {@link SubscribedFrame.resumeAfter}).
 * - `{"type":"subscribe","subscriptionId":"s2","resourceType":"orders","id":"order-1","lastVersion":3}`:
 *   changes of one document, authorized like `GET /api/queries/orders/order-1`; with
 *   `lastVersion`, the current version at once when it is newer.
 * - `{"type":"unsubscribe","subscriptionId":"s1"}`.
 *
 * Server -> client: `subscribed`, `unsubscribed`, `changed` (a {@link DocumentChanged} with the
 * subscription id), `resync` (what was missed cannot be replayed: re-read by query) and `error`
 * (the fields of a problem+json document: status, code, message, field).
 */
import { AuthenticationError } from '../auth/AuthErrors';
import { bearerTokenOf } from '../http/bearerToken';
import { HttpRequestError, HTTP_ERRORS } from '../http/HttpErrors';
import { isWellFormedText } from '../text/wellFormedText';
import type { DocumentChanged } from './DocumentChanged';

/** The subprotocol the server selects; a browser offers it beside `bearer.<jwt>` (see the README). */
export const NOTIFICATION_SUBPROTOCOL = 'nexus.notifications.v1';

/** The prefix of the subprotocol that carries a browser's token: `bearer.<jwt>`. */
const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

/** The subprotocols a handshake offers (its `Sec-WebSocket-Protocol` header), in order. */
export function offeredSubprotocols(header: string | undefined): string[] {
  return (header ?? '').split(',').map((protocol) => protocol.trim()).filter((protocol) => protocol !== '');
}

/**
 * The bearer token of a WebSocket handshake, the same on every transport: the `Authorization:
 * Bearer <jwt>` header, else (browsers cannot set headers on a WebSocket) the subprotocol
 * `bearer.<jwt>` offered beside {@link NOTIFICATION_SUBPROTOCOL}. Never the query string, which
 * access logs and proxies record. Throws `AuthenticationError` (`UNAUTHENTICATED`) as
 * `bearerTokenOf` does: `missing` without either, `malformed` for a token that is not a JWT.
 */
export function handshakeTokenOf(authorization: string | undefined, subprotocols: string | undefined): string {
  if (authorization !== undefined) return bearerTokenOf(authorization);
  const bearer = offeredSubprotocols(subprotocols).find((protocol) => protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  if (bearer === undefined) throw new AuthenticationError('missing', 'an Authorization: Bearer <token> header, or the subprotocols nexus.notifications.v1 and bearer.<token>, are required');
  return bearerTokenOf(`Bearer ${bearer.slice(BEARER_SUBPROTOCOL_PREFIX.length)}`);
}

/** Subscribe to the changes of a resource type, or of one document of it. */
export interface SubscribeFrame {
  type: 'subscribe';
  /** Chosen by the client, unique on its connection: 1-64 of A-Z a-z 0-9 . _ : - */
  subscriptionId: string;
  /** A declared read model's resource type, as in `/api/queries/{resourceType}`. */
  resourceType: string;
  /** One document; absent: every document of the type the caller may read. */
  id?: string;
  /** With `id`: the version the client has; a newer current version is sent at once. */
  lastVersion?: number;
  /** Without `id`: the last `resumeAfter` the client saw; what came after it is sent first. */
  after?: number;
}

/** Ends a subscription. */
export interface UnsubscribeFrame {
  type: 'unsubscribe';
  subscriptionId: string;
}

/** What a client sends. */
export type ClientFrame = SubscribeFrame | UnsubscribeFrame;

/** The subscription is in place; changes follow. */
export interface SubscribedFrame {
  type: 'subscribed';
  subscriptionId: string;
  resourceType: string;
  id?: string;
  /** `own`: only the caller's own documents are delivered (the policy's scope). */
  scope: 'any' | 'own';
  /** Where the server's log stands (backends with a log): resume from here if nothing else came. */
  resumeAfter?: number;
}

/** The subscription ended. */
export interface UnsubscribedFrame {
  type: 'unsubscribed';
  subscriptionId: string;
}

/**
 * A document changed. `version` is the aggregate version the document now reflects: a client
 * keeps the highest per document, so repeats and late frames are harmless.
 */
export interface ChangedFrame extends Omit<DocumentChanged, 'eventId'> {
  type: 'changed';
  subscriptionId: string;
  /** The event that made this version; absent on the catch-up of `lastVersion` (read models keep versions, not event ids). */
  eventId?: string;
  /** How many earlier changes of this document this frame replaces (throttled); absent when none. */
  coalesced?: number;
  /** Resume position: every change up to here was delivered; send it back as `after` (backends with a log). */
  resumeAfter?: number;
}

/** The server cannot replay what the subscription missed: re-read by query, then carry on. */
export interface ResyncFrame {
  type: 'resync';
  subscriptionId: string;
  /** `pruned` (the log no longer holds `after`), `unknown-position` (`after` is ahead of the log) or `overflow` (too many documents waiting for the client). */
  reason: 'pruned' | 'unknown-position' | 'overflow';
  /** Resume from here after re-reading (backends with a log). */
  resumeAfter?: number;
}

/** A refused frame or subscription, with the members of a problem+json document. */
export interface ErrorFrame {
  type: 'error';
  /** The subscription the refused frame named, when it named one. */
  subscriptionId?: string;
  status: number;
  code: string;
  message: string;
  field?: string;
}

/** What a server sends. */
export type ServerFrame = SubscribedFrame | UnsubscribedFrame | ChangedFrame | ResyncFrame | ErrorFrame;

const SUBSCRIPTION_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const RESOURCE_TYPE = /^[a-z][a-z0-9-]{0,62}$/;
const MAX_ID_LENGTH = 512;

/**
 * Reads one client frame. Throws `HttpRequestError`: `MALFORMED_JSON` for text that is not a JSON
 * object, `MALFORMED_REQUEST` naming the `field` at fault (and `subscriptionId` in its details
 * when it was readable), `ILL_FORMED_TEXT` for a lone surrogate.
 */
export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpRequestError(HTTP_ERRORS.MALFORMED_JSON, 'a frame must be one JSON object', {}, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpRequestError(HTTP_ERRORS.MALFORMED_JSON, 'a frame must be one JSON object');
  const frame = value as Record<string, unknown>;
  const subscriptionId = typeof frame.subscriptionId === 'string' && SUBSCRIPTION_ID.test(frame.subscriptionId) ? frame.subscriptionId : undefined;
  const refuse = (field: string, message: string): never => {
    throw new HttpRequestError(HTTP_ERRORS.MALFORMED_REQUEST, message, { field, ...(subscriptionId === undefined || field === 'subscriptionId' ? {} : { subscriptionId }) });
  };
  if (frame.type !== 'subscribe' && frame.type !== 'unsubscribe') refuse('type', 'type must be "subscribe" or "unsubscribe"');
  if (subscriptionId === undefined) return refuse('subscriptionId', 'subscriptionId must be 1-64 characters of A-Z a-z 0-9 . _ : -');
  if (frame.type === 'unsubscribe') return { type: 'unsubscribe', subscriptionId };
  if (typeof frame.resourceType !== 'string' || !RESOURCE_TYPE.test(frame.resourceType)) refuse('resourceType', 'resourceType must be a declared read model (kebab-case)');
  const resourceType = frame.resourceType as string;
  const { id, lastVersion, after } = frame;
  if (id !== undefined) {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) refuse('id', `id must be a string of 1-${MAX_ID_LENGTH} characters`);
    if (!isWellFormedText(id as string)) throw new HttpRequestError(HTTP_ERRORS.ILL_FORMED_TEXT, 'id holds a lone UTF-16 surrogate', { field: 'id', subscriptionId });
  }
  if (lastVersion !== undefined && !isCount(lastVersion)) refuse('lastVersion', 'lastVersion must be an integer >= 0');
  if (after !== undefined && !isCount(after)) refuse('after', 'after must be an integer >= 0');
  if (lastVersion !== undefined && id === undefined) refuse('lastVersion', 'lastVersion applies to a subscription with an id; use after for a resource type');
  if (after !== undefined && id !== undefined) refuse('after', 'after applies to a resource-type subscription; use lastVersion with an id');
  return {
    type: 'subscribe',
    subscriptionId,
    resourceType,
    ...(id === undefined ? {} : { id: id as string }),
    ...(lastVersion === undefined ? {} : { lastVersion: lastVersion as number }),
    ...(after === undefined ? {} : { after: after as number }),
  };
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
