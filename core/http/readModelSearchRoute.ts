import type { Hono } from 'hono';
import { errorCodeOf } from '../errors/NexusError';
import { collectionOf, collectionOptionsOf } from '../readmodel/ReadModelDeclaration';
import { isSearchableReadModelCollection, READ_MODEL_SEARCH_DEFAULTS, searchTermsOf } from '../readmodel/ReadModelSearch';
import type { ReadModelSearchHit, ReadModelSearchQuery } from '../readmodel/ReadModelSearch';
import { READ_MODEL_ERRORS } from '../readmodel/ReadModelStore';
import type { ApiEnv } from './authenticate';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { pathParameterOf } from './pathParameter';
import { queryParametersOf } from './queryParameters';
import { ReadModelCursors } from './readModelCursor';
import type { CursorBinding } from './readModelCursor';
import type { ReadModelRoutesDependencies } from './readModelRoutes';

const SEARCH_PATH = '/api/queries/:resourceType/search';
const PARAMETERS = ['q', 'limit', 'cursor'];
/** Longest cursor. */
const MAX_CURSOR_LENGTH = 256;

/**
 * Adds `GET /api/queries/:resourceType/search?q=&limit=&cursor=` for every declared read model:
 * its full-text fields searched, best match first, `{ items: [{ ...data, version, score,
 * highlights }], nextCursor? }`. Register it before `/:resourceType/:id`, which would take
 * `search` for an id.
 *
 * Authorized as the list (`query:<resourceType>.list`, the declared permission): a search shows
 * the documents a list would, ranked. A grant on own documents only searches the caller's own
 * (filtered on the owner field); without an owner field it reads nothing (403, from the policy).
 *
 * Problems: `UNKNOWN_RESOURCE_TYPE` (404) for an undeclared type; `NOT_FOUND` (404, field
 * `resourceType`) for a read model without full-text fields, whose search does not exist;
 * `INVALID_QUERY_PARAMETER` (400) naming `q` (missing, no word, too long), `limit` or an unknown
 * parameter; `CURSOR_MALFORMED`, `CURSOR_TAMPERED`, `CURSOR_QUERY_MISMATCH` (400, field `cursor`)
 * as for lists: cursors are sealed as list cursors are, bound to the search's text and owner.
 */
export function addReadModelSearchRoute(app: Hono<ApiEnv>, deps: ReadModelRoutesDependencies): void {
  // Opened now, as the list route does: a store lays out its search index before the first query.
  const declared = new Map(deps.readModels.map((declaration) => [declaration.resourceType, { declaration, collection: deps.store.collection(collectionOf(declaration), collectionOptionsOf(declaration)) }]));
  const { guard } = deps;
  const cursors = new ReadModelCursors(deps.cursorKey);

  app.get(SEARCH_PATH, async (c) => {
    const resourceType = pathParameterOf(c.req.url, SEARCH_PATH, 'resourceType', 'resourceType');
    const { declaration, collection } = declared.get(resourceType) ?? {};
    if (declaration === undefined || collection === undefined) {
      throw new HttpRequestError(HTTP_ERRORS.UNKNOWN_RESOURCE_TYPE, `no read model is declared with resource type "${resourceType}"`, { field: 'resourceType', resourceType });
    }
    if (!Object.values(declaration.fields).some((field) => field.fullText === true) || !isSearchableReadModelCollection(collection)) {
      throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `read model "${resourceType}" declares no full-text field: it cannot be searched`, { field: 'resourceType', resourceType });
    }
    const { cursor, ...query } = parseSearchQuery(new URL(c.req.url));
    // Opened before authorizing: a malformed or altered cursor is refused alike for everyone.
    const opened = cursor === undefined ? undefined : cursors.open(cursor);
    const principal = c.get('principal');
    const { ownerField } = declaration;
    const decision = await guard.authorize({
      principal,
      action: `query:${resourceType}.list`,
      permission: declaration.permission ?? resourceType,
      correlationId: c.get('correlationId'),
      // As the list without an owner filter: without an owner field nobody owns the documents.
      ...(ownerField === undefined ? { resource: async () => ({ type: declaration.documentType }) } : {}),
    });
    if (decision.scope === 'own' && ownerField !== undefined) query.where = { [ownerField]: principal.id };
    const binding = bindingOf(resourceType, query);
    const inner = opened === undefined ? {} : { cursor: cursors.innerFor(opened, binding) };
    const page = await collection.search({ ...query, ...inner }).catch((error: unknown) => {
      throw asParameterProblem(error);
    });
    const nextCursor = page.nextCursor === undefined ? {} : { nextCursor: cursors.seal(page.nextCursor, binding) };
    return c.json({ items: page.hits.map(viewOf), ...nextCursor });
  });
}

function parseSearchQuery(url: URL): ReadModelSearchQuery {
  const params = queryParametersOf(url);
  for (const name of params.keys()) {
    if (!PARAMETERS.includes(name)) throw invalid(name, `unknown query parameter "${name}"; use ${PARAMETERS.join(', ')}`);
    if (params.getAll(name).length > 1) throw invalid(name, `query parameter "${name}" is given more than once`);
  }
  const text = params.get('q');
  if (text === null) throw invalid('q', 'q is required: the words to search for, e.g. q=blue or q=blu*');
  try {
    searchTermsOf(text);
  } catch (error) {
    throw asParameterProblem(error);
  }
  const limit = params.get('limit');
  const { maxLimit } = READ_MODEL_SEARCH_DEFAULTS;
  if (limit !== null && !(/^[1-9][0-9]{0,2}$/.test(limit) && Number(limit) <= maxLimit)) throw invalid('limit', `limit must be an integer from 1 to ${maxLimit}`);
  const cursor = params.get('cursor');
  if (cursor !== null && (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH)) throw invalid('cursor', 'cursor is not a cursor of this search');
  return { text, ...(limit === null ? {} : { limit: Number(limit) }), ...(cursor === null ? {} : { cursor }) };
}

// The list's cursor seal, bound to the search: its text and the owner filter it ran with.
function bindingOf(resourceType: string, query: ReadModelSearchQuery): CursorBinding {
  return { resourceType: `${resourceType}/search`, query: { where: { ...query.where, '?q': query.text } } };
}

// The store's refusals of q, limit or cursor are the client's parameters at fault.
function asParameterProblem(error: unknown): unknown {
  if (errorCodeOf(error) !== READ_MODEL_ERRORS.INVALID_QUERY) return error;
  const field = (error as { details?: { field?: unknown } }).details?.field;
  const message = error instanceof Error ? error.message : String(error);
  return new HttpRequestError(HTTP_ERRORS.INVALID_QUERY_PARAMETER, message, { field: typeof field === 'string' ? field : 'q' }, error);
}

function invalid(field: string, message: string): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.INVALID_QUERY_PARAMETER, message, { field });
}

/** A hit as the API shows it: the document's data, its version, score and highlights. */
function viewOf(hit: ReadModelSearchHit<Record<string, unknown>>): Record<string, unknown> {
  return { ...hit.document.data, version: hit.document.version, score: hit.score, highlights: hit.highlights };
}
