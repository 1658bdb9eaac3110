/**
 * The OpenSearch body of a full-text search of a read model index: the same matches and order
 * as the FTS5 search (ReadModelFtsSearch.ts), built from the terms of `searchTermsOf`, never from
 * the user's text as query syntax.
 */
import { InvalidReadModelQueryError } from '../../core/readmodel/ReadModelErrors';
import { READ_MODEL_SEARCH_DEFAULTS } from '../../core/readmodel/ReadModelSearch';
import type { ReadModelSearchQuery, SearchTerm } from '../../core/readmodel/ReadModelSearch';
import { checkFieldName } from './openSearchReadModelIndex';

/** Characters of a highlight fragment (about the 12 tokens of the FTS5 snippet). */
const FRAGMENT_CHARS = 80;

/**
 * One `bool.must` clause per term, so every term must match, each in any full-text field (FTS5's
 * implicit AND over the whole row; a single `multi_match` with `operator: and` would need every
 * term in the same field). A term scores as `most_fields` (summed over fields, as bm25 sums over
 * columns). A prefix term `blu*` is a `multi_match` of `type: bool_prefix` (a prefix query per
 * field, at query time: no edge n-grams to pay for at every write) OR the term itself, so the
 * word outranks longer words that start with it, as in FTS5.
 */
export function openSearchSearchBody(terms: readonly SearchTerm[], query: ReadModelSearchQuery, fullText: readonly string[], declared: ReadonlySet<string>, page: { offset: number; limit: number }): Record<string, unknown> {
  const fields = fullText.map((field) => `text.${field}`);
  const exact = (term: string): Record<string, unknown> => ({ multi_match: { query: term, fields, type: 'most_fields' } });
  const must = terms.map(({ term, prefix }) =>
    prefix ? { bool: { should: [exact(term), { multi_match: { query: term, fields, type: 'bool_prefix' } }], minimum_should_match: 1 } } : exact(term),
  );
  const filter = Object.entries(query.where ?? {}).map(([field, value]) => {
    checkFieldName(field);
    if (!declared.has(field)) throw new InvalidReadModelQueryError(`field '${field}' is not declared in this collection's indexedFields or compositeIndexes: OpenSearch filters on declared fields only`, { field });
    return { term: { [`fields.${field}.s`]: value } };
  });
  const { highlightOpen, highlightClose } = READ_MODEL_SEARCH_DEFAULTS;
  return {
    from: page.offset,
    size: page.limit + 1,
    version: true,
    track_total_hits: false,
    track_scores: true,
    _source: ['data'],
    query: { bool: { must, filter, must_not: [{ term: { deleted: true } }] } },
    sort: [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }],
    highlight: {
      pre_tags: [highlightOpen],
      post_tags: [highlightClose],
      fields: Object.fromEntries(fields.map((field) => [field, { number_of_fragments: 1, fragment_size: FRAGMENT_CHARS }])),
    },
  };
}

/** `text.<field>` highlights of a hit -> per declared field. */
export function highlightsOfHit(highlight: Record<string, string[]> | undefined): Record<string, string[]> {
  const highlights: Record<string, string[]> = {};
  for (const [path, fragments] of Object.entries(highlight ?? {})) if (path.startsWith('text.')) highlights[path.slice('text.'.length)] = fragments;
  return highlights;
}
