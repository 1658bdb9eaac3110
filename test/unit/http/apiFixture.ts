import Database from 'better-sqlite3';
import { SqliteEventStore, SqliteReadModelStore } from '../../../adapters/embedded';
import { CommandService } from '../../../core/command';
import { createApi } from '../../../core/http';
import type { ApiOptions } from '../../../core/http';
import { createJsonLogger } from '../../../core/logging/Logger';
import type { ReadModelDeclaration } from '../../../core/readmodel/ReadModelDeclaration';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderListReadModel, orderUpcasters } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import { securityFor } from '../auth/securedApi';

export type Json = Record<string, unknown>;

/** The API over real engines: an in-memory SQLite event store and read model, the compiled policies. */
export interface TestApi {
  app: ReturnType<typeof createApi>;
  store: SqliteEventStore;
  /** Where the API reads its declared read models (in-memory SQLite). */
  readModelStore: SqliteReadModelStore;
  /** Every log line, parsed. */
  logLines: Json[];
  close(): void;
}

/** Builds {@link TestApi} with the API options given (e.g. a short `bodyTimeoutMs`) and the read models it serves. */
export async function createTestApi(options: ApiOptions = {}, readModels: readonly ReadModelDeclaration[] = [orderListReadModel]): Promise<TestApi> {
  const env = await createSchemaEnvironment();
  const store = new SqliteEventStore(env.db, env.codec);
  const readDb = new Database(':memory:');
  const readModelStore = new SqliteReadModelStore(readDb);
  const upcasters = new UpcasterRegistry(orderUpcasters);
  const logLines: Json[] = [];
  const logger = createJsonLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line) as Json) });
  const aggregates = [orderAggregate];
  const commands = new CommandService({ eventStore: store, codec: env.codec, upcasters, aggregates, logger });
  const security = await securityFor(commands, aggregates, logger);
  const app = createApi({ commands, readModels, readModelStore, logger, security: security.security, history: { eventStore: store, codec: env.codec, upcasters, aggregate: orderAggregate } }, options);
  return {
    app,
    store,
    readModelStore,
    logLines,
    close: () => {
      security.close();
      env.db.close();
      readDb.close();
    },
  };
}

/** The parts of a response a test looks at, the body parsed when there is one. */
export async function answerOf(response: Response): Promise<{ status: number; headers: Headers; body: Json }> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

/** Asserts an RFC 9457 problem document with this status, code and field. */
export function expectProblem(answer: { status: number; headers: Headers; body: Json }, status: number, code: string, field?: string): void {
  expect({ status: answer.status, type: answer.headers.get('content-type'), code: answer.body.code, field: answer.body.field, bodyStatus: answer.body.status }).toEqual({
    status,
    type: 'application/problem+json',
    code,
    field,
    bodyStatus: status,
  });
  expect(answer.body.detail).toEqual(expect.any(String));
}

/** No log line at error level: refusals of bad input are the client's doing. */
export function expectNoErrorLogs(logLines: Json[]): void {
  expect(logLines.filter((line) => line.level === 'error')).toEqual([]);
}
