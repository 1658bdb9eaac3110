import type { Context, Hono } from 'hono';
import type { AccessGuard } from '../auth/AccessGuard';
import type { ResourceRef } from '../auth/Authorizer';
import { hasErrorCode } from '../errors/NexusError';
import { ReadModelDeclarationError, collectionOf, collectionOptionsOf } from '../readmodel/ReadModelDeclaration';
import type { ReadModelDeclaration } from '../readmodel/ReadModelDeclaration';
import { READ_MODEL_ERRORS } from '../readmodel/ReadModelStore';
import type { ReadModelCollection, ReadModelDocument, ReadModelStore } from '../readmodel/ReadModelStore';
import type { ApiEnv } from './authenticate';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { once } from './once';
import { pathParameterOf } from './pathParameter';
import { parseReadModelListQuery } from './readModelListQuery';
import { addReadModelSearchRoute } from './readModelSearchRoute';
import { ReadModelCursors, queryMismatch } from './readModelCursor';
import type { OpenedCursor } from './readModelCursor';
import { READ_MODEL_CACHE_CONTROL, READ_MODEL_VARY, entityTagOf, ifNoneMatchMatches } from './readModelEtag';

/** What the read-model routes serve. */
export interface ReadModelRoutesDependencies {
  /** The declared read models, one route pair each. */
  readModels: readonly ReadModelDeclaration[];
  /** Where their collections live. */
  store: ReadModelStore;
  guard: AccessGuard;
  /**
   * The HMAC key of list cursors. Give one from configuration to refuse cursors made by anyone
   * without it; the same key in every process keeps cursors valid across restarts and instances.
   * @defaultValue PUBLIC_CURSOR_KEY (integrity against corruption and casual edits, not a secret)
   */
  cursorKey?: string | Uint8Array;
}

const LIST_PATH = '/api/queries/:resourceType';
const GET_PATH = '/api/queries/:resourceType/:id';
/** First segments under /api/queries that other routes own. */
const RESERVED_RESOURCE_TYPES = new Set(['temporal']);

interface Served {
  declaration: ReadModelDeclaration;
  collection: ReadModelCollection;
  /** The name of the id in problems, e.g. `orderId` (the document type in camelCase + `Id`). */
  idField: string;
}

/**
 * Adds `GET /api/queries/:resourceType` (filters, sort, cursor pagination) and
 * `GET /api/queries/:resourceType/:id` for every declared read model, each authorized by the
 * policy with action `query:<resourceType>.list|get`, the declared `permission`, and the resource
 * `{ type: documentType, id, ownerId: data[ownerField] }`.
 *
 * A grant on own resources only, on a list without an owner filter, lists the caller's own
 * documents; on a read model without an owner field it reads nothing (403, from the policy).
 * Collections are opened now, so that a store that lays out its indices from the declaration
 * (OpenSearch mappings) has done so before the first query.
 *
 * Cursors are sealed (readModelCursor.ts): a cursor cut short, altered, or of another query
 * (other filters, sort, order or caller) is refused with 400 `CURSOR_MALFORMED`,
 * `CURSOR_TAMPERED` or `CURSOR_QUERY_MISMATCH`. Answers carry a strong `ETag` (a hash of the
 * body), `Cache-Control: private, no-cache` and `Vary: Authorization`; an `If-None-Match` that
 * matches is answered 304 without a body, and only after authorization, so a 304 never tells
 * someone without the grant that a document exists.
 *
 * Throws `ReadModelDeclarationError` when two declarations share a resource type or one takes a
 * reserved segment (`temporal`).
 */
export function addReadModelRoutes(app: Hono<ApiEnv>, deps: ReadModelRoutesDependencies): void {
  const served = servedReadModels(deps);
  const { guard } = deps;
  const cursors = new ReadModelCursors(deps.cursorKey);

  const find = (url: string, path: string): Served => {
    const resourceType = pathParameterOf(url, path, 'resourceType', 'resourceType');
    const found = served.get(resourceType);
    if (found === undefined) {
      throw new HttpRequestError(HTTP_ERRORS.UNKNOWN_RESOURCE_TYPE, `no read model is declared with resource type "${resourceType}"`, { field: 'resourceType', resourceType });
    }
    return found;
  };

  app.get(LIST_PATH, async (c) => {
    const { declaration, collection } = find(c.req.url, LIST_PATH);
    const { cursor, ...query } = parseReadModelListQuery(new URL(c.req.url), declaration);
    // Form and tag first, the same answer for every caller; the binding needs the query as run.
    const opened: OpenedCursor | undefined = cursor === undefined ? undefined : cursors.open(cursor);
    const principal = c.get('principal');
    const { ownerField } = declaration;
    const owner = ownerField === undefined ? undefined : query.where?.[ownerField];
    const decision = await guard.authorize({
      principal,
      action: `query:${declaration.resourceType}.list`,
      permission: permissionOf(declaration),
      correlationId: c.get('correlationId'),
      // An owner filter names whose documents are listed; without an owner field nobody owns them.
      ...(ownerField === undefined || typeof owner === 'string' ? { resource: async () => resourceOf(declaration, undefined, owner) } : {}),
    });
    // A grant on own documents only, without an owner filter: list the caller's own.
    if (decision.scope === 'own' && ownerField !== undefined) query.where = { ...query.where, [ownerField]: principal.id };
    const binding = { resourceType: declaration.resourceType, query };
    const inner = opened === undefined ? undefined : cursors.innerFor(opened, binding);
    const page = await collection.query(inner === undefined ? query : { ...query, cursor: inner }).catch((error: unknown) => {
      // Parameters are validated above and the cursor's tag checked, so the store can only object
      // to a position it no longer reads (a cursor of an older release, or forged with the public key).
      if (inner !== undefined && hasErrorCode(error, READ_MODEL_ERRORS.INVALID_QUERY)) throw queryMismatch(error);
      throw error;
    });
    const nextCursor = page.nextCursor === undefined ? {} : { nextCursor: cursors.seal(page.nextCursor, binding) };
    return taggedJson(c, { items: page.items.map(viewOf), ...nextCursor });
  });

  addReadModelSearchRoute(app, deps); // before GET_PATH, which would take `search` for an id

  app.get(GET_PATH, async (c) => {
    const { declaration, collection, idField } = find(c.req.url, GET_PATH);
    const id = pathParameterOf(c.req.url, GET_PATH, 'id', idField);
    const document = once(async () => {
      const found = await collection.get(id);
      if (!found) throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `${declaration.documentType} ${id} not found`, { [idField]: id });
      return found;
    });
    const { ownerField } = declaration;
    await guard.authorize({
      principal: c.get('principal'),
      action: `query:${declaration.resourceType}.get`,
      permission: permissionOf(declaration),
      correlationId: c.get('correlationId'),
      resource: async () => resourceOf(declaration, id, ownerField === undefined ? undefined : (await document()).data[ownerField]),
    });
    return taggedJson(c, viewOf(await document()));
  });
}

/**
 * The answer `body` with its entity tag and cache headers, or 304 without a body when the
 * request's `If-None-Match` matches (RFC 9110: a 304 carries the ETag and Cache-Control a 200 would).
 */
function taggedJson(c: Context<ApiEnv>, body: Record<string, unknown>): Response {
  const text = JSON.stringify(body);
  const etag = entityTagOf(text);
  const headers = { ETag: etag, 'Cache-Control': READ_MODEL_CACHE_CONTROL, Vary: READ_MODEL_VARY };
  if (ifNoneMatchMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
  return c.body(text, 200, { ...headers, 'Content-Type': 'application/json' });
}

function servedReadModels(deps: ReadModelRoutesDependencies): Map<string, Served> {
  const served = new Map<string, Served>();
  for (const declaration of deps.readModels) {
    const { resourceType } = declaration;
    if (served.has(resourceType)) throw new ReadModelDeclarationError(`read model "${resourceType}" is declared twice`);
    if (RESERVED_RESOURCE_TYPES.has(resourceType)) throw new ReadModelDeclarationError(`read model "${resourceType}": /api/queries/${resourceType} is taken by another route`);
    const collection = deps.store.collection(collectionOf(declaration), collectionOptionsOf(declaration));
    served.set(resourceType, { declaration, collection, idField: `${camelCase(declaration.documentType)}Id` });
  }
  return served;
}

function permissionOf(declaration: ReadModelDeclaration): string {
  return declaration.permission ?? declaration.resourceType;
}

function resourceOf(declaration: ReadModelDeclaration, id: string | undefined, ownerId: unknown): ResourceRef {
  return { type: declaration.documentType, ...(id === undefined ? {} : { id }), ...(typeof ownerId === 'string' ? { ownerId } : {}) };
}

/** A document as the API shows it: its data and the version it reflects. */
function viewOf(document: ReadModelDocument<Record<string, unknown>>): Record<string, unknown> {
  return { ...document.data, version: document.version };
}

function camelCase(name: string): string {
  return name.replace(/[-_ ]+([a-zA-Z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}
