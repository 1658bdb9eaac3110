/**
 * Ranked full-text search, an optional capability of a read-model collection: the fields a
 * declaration marks `fullText: true` (they reach the store through
 * `ReadModelCollectionOptions.fields`) are searched, best match first. The user's text never
 * reaches an engine's query language: it is cut into terms here ({@link searchTermsOf}) and each
 * engine builds its query from the terms.
 */
import { createHash } from 'node:crypto';
import type { ReadModelCollection, ReadModelCollectionOptions, ReadModelDocument } from './ReadModelStore';
import { InvalidReadModelQueryError } from './ReadModelErrors';

/** A search of one collection. */
export interface ReadModelSearchQuery {
  /** What the user typed: words, each ending in `*` to match as a prefix. */
  text: string;
  /** Equality filters on top-level fields of `data` (an own-scoped grant names the owner here). */
  where?: Record<string, string>;
  /** @defaultValue 20 (at most 100) */
  limit?: number;
  /** `nextCursor` of the previous page of the same search. */
  cursor?: string;
}

/** One match, with its score (higher is better; engines differ in scale) and highlighted fragments. */
export interface ReadModelSearchHit<T> {
  document: ReadModelDocument<T>;
  score: number;
  /** Per full-text field that matched: fragments with each matched term in `<mark>…</mark>`. */
  highlights: Record<string, string[]>;
}

export interface ReadModelSearchPage<T> {
  hits: ReadModelSearchHit<T>[];
  nextCursor?: string;
}

/** A collection that can be searched. */
export interface SearchableReadModelCollection<T = Record<string, unknown>> {
  /**
   * The documents matching every term of `query.text` in any full-text field, best first (ties
   * by id). Throws `INVALID_READ_MODEL_QUERY` (field `q`) for a text without a word or too long,
   * (field `cursor`) for a cursor of another search, (field `where`) for an unknown filter.
   */
  search(query: ReadModelSearchQuery): Promise<ReadModelSearchPage<T>>;
}

/** Does `collection` offer {@link SearchableReadModelCollection}? */
export function isSearchableReadModelCollection<T>(collection: ReadModelCollection<T>): collection is ReadModelCollection<T> & SearchableReadModelCollection<T> {
  return typeof (collection as Partial<SearchableReadModelCollection<T>>).search === 'function';
}

/** Bounds of a search. */
export const READ_MODEL_SEARCH_DEFAULTS = {
  /** @defaultValue 20 */
  limit: 20,
  /** @defaultValue 100 */
  maxLimit: 100,
  /** Longest text, in characters. @defaultValue 256 */
  maxTextLength: 256,
  /** Most terms in one text. @defaultValue 16 */
  maxTerms: 16,
  /** Deepest result reachable by paging: ranked search is for the top of a list. @defaultValue 1000 */
  maxOffset: 1000,
  /** Marks around a matched term in highlights. */
  highlightOpen: '<mark>',
  highlightClose: '</mark>',
} as const;

/** One word of a search: a term to match whole, or a prefix. */
export interface SearchTerm {
  /** Lower-case letters and digits only. */
  term: string;
  prefix: boolean;
}

/** A word: letters, digits and marks, as both engines' tokenizers cut text; `*` right after it is a prefix. */
const WORD = /([\p{L}\p{N}\p{M}]+)(\*?)/gu;

/**
 * The terms of a search text: each run of letters and digits is a term, a `*` right after one
 * makes it a prefix; everything else (quotes, operators, `:`, `-`, parentheses) separates terms
 * and means nothing, so no text can change the query's structure.
 * Throws `INVALID_READ_MODEL_QUERY` with field `q` when the text is too long or holds no word.
 */
export function searchTermsOf(text: string): SearchTerm[] {
  const { maxTextLength, maxTerms } = READ_MODEL_SEARCH_DEFAULTS;
  if (text.length > maxTextLength) throw invalidText(`q must be at most ${maxTextLength} characters long`);
  const terms = new Map<string, SearchTerm>();
  for (const match of text.normalize('NFC').matchAll(WORD)) {
    const term = (match[1] ?? '').toLowerCase();
    const prefix = match[2] === '*';
    terms.set(`${term}${prefix ? '*' : ''}`, { term, prefix });
  }
  if (terms.size === 0) throw invalidText('q must hold at least one word (letters or digits), e.g. q=blue or q=blu*');
  if (terms.size > maxTerms) throw invalidText(`q may hold at most ${maxTerms} words`);
  return [...terms.values()];
}

/** The limit of a search, checked (field `limit`). */
export function searchLimitOf(query: ReadModelSearchQuery): number {
  const { limit = READ_MODEL_SEARCH_DEFAULTS.limit } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > READ_MODEL_SEARCH_DEFAULTS.maxLimit) {
    throw new InvalidReadModelQueryError(`limit must be an integer from 1 to ${READ_MODEL_SEARCH_DEFAULTS.maxLimit}`, { field: 'limit' });
  }
  return limit;
}

/** The full-text fields of a collection's options, in declaration order. */
export function fullTextFieldsOf(options: ReadModelCollectionOptions | undefined): string[] {
  return Object.entries(options?.fields ?? {})
    .filter(([, field]) => field.fullText === true)
    .map(([name]) => name);
}

/**
 * Where a page of a search starts: the opaque cursor is the offset of the next hit, bound to the
 * search it came from (its terms and filters), so a cursor of another search is refused rather
 * than silently paging something else. Ranked results have no stable keyset, hence an offset.
 */
export function searchOffsetOf(query: ReadModelSearchQuery, terms: readonly SearchTerm[]): number {
  if (query.cursor === undefined) return 0;
  const refuse = (): never => {
    throw new InvalidReadModelQueryError('cursor is not a cursor of this search', { field: 'cursor' });
  };
  const match = /^([0-9]{1,6})\.([0-9a-f]{16})$/.exec(Buffer.from(query.cursor, 'base64url').toString('latin1'));
  if (match === null) return refuse();
  const offset = Number(match[1]);
  if (match[2] !== searchFingerprint(query, terms) || offset > READ_MODEL_SEARCH_DEFAULTS.maxOffset) return refuse();
  return offset;
}

/** The cursor of the page after one that ended at `offset` (undefined past the deepest page). */
export function searchCursorAt(query: ReadModelSearchQuery, terms: readonly SearchTerm[], offset: number): string | undefined {
  if (offset > READ_MODEL_SEARCH_DEFAULTS.maxOffset) return undefined;
  return Buffer.from(`${offset}.${searchFingerprint(query, terms)}`, 'latin1').toString('base64url');
}

function searchFingerprint(query: ReadModelSearchQuery, terms: readonly SearchTerm[]): string {
  const where = Object.entries(query.where ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([terms, where]))
    .digest('hex')
    .slice(0, 16);
}

function invalidText(message: string): InvalidReadModelQueryError {
  return new InvalidReadModelQueryError(message, { field: 'q' });
}
