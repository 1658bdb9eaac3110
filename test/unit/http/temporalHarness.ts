import Database from 'better-sqlite3';
import { SqliteReadModelStore } from '../../../adapters/embedded';
import type { AggregateDefinition } from '../../../core/command';
import { CommandService } from '../../../core/command';
import type { DomainEvent } from '../../../core/command/Decider';
import type { EventStore } from '../../../core/events/EventStore';
import { createApi } from '../../../core/http';
import type { TemporalQueryOptions } from '../../../core/http';
import { createJsonLogger } from '../../../core/logging/Logger';
import type { EventCodec } from '../../../core/schema/EventCodec';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderListReadModel, orderUpcasters } from '../../../domain';
import { securityFor } from '../auth/securedApi';

export type Json = Record<string, unknown>;

/** A reply's status and parsed body. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

/** The state of the {@link tallyAggregate}: how many items it counted and the skus. */
export interface TallyState {
  count: number;
  skus: string[];
}

/**
 * A second aggregate type, declared here and nowhere in core/ or domain/: it reuses the order
 * event schemas (the registry knows them) and counts the items they carry.
 */
export const tallyAggregate: AggregateDefinition = {
  aggregateType: 'Tally',
  commands: [],
  decider: {
    decide: () => [],
    initialState: (): TallyState => ({ count: 0, skus: [] }),
    evolve: (state: unknown, event: DomainEvent): TallyState => {
      const tally = state as TallyState;
      const sku = event.data.sku;
      return typeof sku === 'string' ? { count: tally.count + 1, skus: [...tally.skus, sku] } : { ...tally, count: tally.count + 1 };
    },
  },
};

/** The API over `eventStore` serving temporal queries for orders and tallies, with real policies and a real rate-limit store. */
export interface TemporalApi {
  request(path: string, headers: Record<string, string>): Promise<Answer>;
  /** Every log line, parsed. */
  logLines: Json[];
  /** The time the rate limiter sees; move it to open a new minute. */
  setNow(now: Date): void;
  close(): void;
}

/** Builds {@link TemporalApi} on any event store, with `temporal` options (a small event cap, a clock). */
export async function createTemporalApi(eventStore: EventStore, codec: EventCodec, temporal: TemporalQueryOptions = {}): Promise<TemporalApi> {
  const upcasters = new UpcasterRegistry(orderUpcasters);
  const logLines: Json[] = [];
  const logger = createJsonLogger({ level: 'info', write: (line) => logLines.push(JSON.parse(line) as Json) });
  const aggregates = [orderAggregate];
  const commands = new CommandService({ eventStore, codec, upcasters, aggregates, logger });
  let now = new Date('2030-01-01T00:00:00Z');
  const security = await securityFor(commands, aggregates, logger, () => now);
  const readDb = new Database(':memory:');
  const app = createApi(
    {
      commands,
      readModels: [orderListReadModel],
      readModelStore: new SqliteReadModelStore(readDb),
      logger,
      security: security.security,
      history: { eventStore, codec, upcasters, aggregate: orderAggregate, aggregates: [tallyAggregate] },
    },
    { temporal },
  );
  return {
    request: async (path, headers) => {
      const response = await app.request(path, { headers });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Json) };
    },
    logLines,
    setNow: (next) => {
      now = next;
    },
    close: () => {
      security.close();
      readDb.close();
    },
  };
}

/** Every answer of a continuation chain, from `path` (resuming `from` when given) until an answer is complete (or not 200). */
export async function followChain(api: TemporalApi, path: string, headers: Record<string, string>, from?: string): Promise<Answer[]> {
  const maxLinks = 1_000;
  const answers: Answer[] = [];
  let next: string | undefined = from === undefined ? path : `${path}&continuation=${encodeURIComponent(from)}`;
  while (next !== undefined && answers.length < maxLinks) {
    const answer = await api.request(next, headers);
    answers.push(answer);
    const token = answer.body.continuation;
    next = answer.status === 200 && answer.body.complete === false && typeof token === 'string' ? `${path}&continuation=${encodeURIComponent(token)}` : undefined;
  }
  return answers;
}

/** What a chain adds up to: the last answer's state and version, and every answer's changes in order. */
export function chainResult(answers: readonly Answer[]): Json {
  const last = answers[answers.length - 1]?.body ?? {};
  const changes = answers.flatMap((answer) => (Array.isArray(answer.body.changes) ? (answer.body.changes as Json[]) : []));
  return { status: answers[answers.length - 1]?.status, version: last.version, state: last.state, complete: last.complete, changes };
}
