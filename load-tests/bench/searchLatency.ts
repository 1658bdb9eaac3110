/**
 * Full-text search latency of the embedded read model store (issue 11, part 3): a collection
 * declared like the order notices (`text` full-text) filled with `documents` notices in a WAL
 * SQLite file, then `queries` searches of one page (20 hits) taking turns over a common word, a
 * rare word, two words and a prefix. The baseline is a list page of the same collection in the
 * same run (its default sort, 20 documents): what a read costs without full text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteDatabase } from '../../adapters/embedded/openSqliteDatabase';
import { SqliteReadModelStore } from '../../adapters/embedded/SqliteReadModelStore';
import { collectionOptionsOf } from '../../core/readmodel/ReadModelDeclaration';
import { isSearchableReadModelCollection } from '../../core/readmodel/ReadModelSearch';
import { isSyncReadModelCollection } from '../../core/readmodel/ReadModelStore';
import { orderNoticesReadModel } from '../../pipelines/order-notices';
import type { OrderNotice } from '../../pipelines/order-notices';

export interface SearchLatencyRun {
  search: { p50Ms: number; p99Ms: number };
  list: { p50Ms: number; p99Ms: number };
  /** Documents written (and indexed) per second while filling the collection. */
  loadPerSecond: number;
}

const REASONS = ['out of stock', 'customer request', 'payment declined', 'address not found', 'duplicate order', 'delivery window missed', 'price changed', 'fraud check failed'];
/** Words of the notices, few common and many rare, as text is. */
const WORDS = Array.from({ length: 2_000 }, (_, i) => `w${i.toString(36)}`);
/** The searches, in turn: a word in an eighth of the notices, a rare word, two words, a prefix. */
const QUERIES = ['stock', 'w1k', 'payment declined', 'deliv*'];
const BATCH = 1_000;

/** Fills a collection with `documents` notices, then times `queries` searches and as many list pages. */
export async function measureSearchLatency(documents: number, queries: number): Promise<SearchLatencyRun> {
  const directory = mkdtempSync(join(tmpdir(), 'nexus-bench-search-'));
  const db = openSqliteDatabase(join(directory, 'read.db'));
  try {
    const notices = new SqliteReadModelStore(db).collection<OrderNotice>('order-notices', collectionOptionsOf(orderNoticesReadModel));
    if (!isSyncReadModelCollection(notices) || !isSearchableReadModelCollection(notices)) throw new Error('the SQLite read model store must be synchronous and searchable');
    const write = db.transaction((from: number, to: number) => {
      for (let n = from; n < to; n += 1) notices.upsertIfNewerNow(`o-${n}`, 1, noticeOf(n));
    });
    const loadStarted = performance.now();
    for (let from = 0; from < documents; from += BATCH) write(from, Math.min(from + BATCH, documents));
    const loadPerSecond = documents / ((performance.now() - loadStarted) / 1000);
    // One round of each, discarded: statement preparation and page cache.
    for (const text of QUERIES) await notices.search({ text });
    await notices.query({ sortBy: 'at', direction: 'desc', limit: 20 });
    const searchMs: number[] = [];
    const listMs: number[] = [];
    for (let i = 0; i < queries; i += 1) {
      const started = performance.now();
      await notices.search({ text: QUERIES[i % QUERIES.length] ?? 'stock', limit: 20 });
      const between = performance.now();
      await notices.query({ sortBy: 'at', direction: 'desc', limit: 20 });
      listMs.push(performance.now() - between);
      searchMs.push(between - started);
    }
    return { search: percentiles(searchMs), list: percentiles(listMs), loadPerSecond };
  } finally {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

function noticeOf(n: number): OrderNotice {
  const at = new Date(Date.UTC(2026, 0, 1) + n * 1_000).toISOString();
  if (n % 2 === 0) return { orderId: `o-${n}`, kind: 'confirmed', text: `Your order o-${n} is confirmed ${wordsOf(n)}`, at };
  return { orderId: `o-${n}`, kind: 'cancelled', text: `Your order o-${n} was cancelled: ${REASONS[(n >> 1) % REASONS.length] ?? ''} ${wordsOf(n)}`, at };
}

// Four words per notice, word k drawn about 1/(k+1) as often as the first (a Zipf-like spread).
function wordsOf(n: number): string {
  const words: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    const u = (Math.imul(n * 4 + i + 1, 2_654_435_761) >>> 0) / 2 ** 32;
    words.push(WORDS[Math.min(WORDS.length - 1, Math.floor(Math.exp(u * Math.log(WORDS.length)) - 1))] ?? 'w0');
  }
  return words.join(' ');
}

function percentiles(samples: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (rank: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((rank / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { p50Ms: at(50), p99Ms: at(99) };
}
