import { Type } from 'avsc';
import type { Database } from 'better-sqlite3';
import { SqliteCheckpointStore, SqliteDeadLetterStore, SqliteReadModelStore, SqliteSchemaRegistry, SqliteStreamLog } from '../../adapters/embedded';
import { silentLogger } from '../../core/logging/Logger';
import { EmbeddedPipelineRunner } from '../../core/pipeline/EmbeddedPipelineRunner';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { bytesToUuid, GLUE_HEADER_LENGTH } from '../../core/wire/GlueWireFormat';
import { collectionOf, collectionOptionsOf } from '../../core/readmodel/ReadModelDeclaration';
import { orderListReadModel, orderListReducer, orderUpcasters } from '../../domain';
import type { OrderListItem } from '../../domain';
import orderList from '../../pipelines/order-list';
import { readModelTableLayout } from '../../adapters/embedded/ReadModelTableLayout';
import { ReadModelRowUpdates } from '../../adapters/embedded/ReadModelRowUpdate';
import { benchCodec, coreRecords, scratch } from './benchFixtures';
import type { BenchRecord } from './benchFixtures';

/** One run: events/s of the pipeline and of the hand-written loop on the same records. */
export interface ThroughputRun {
  pipelinePerSecond: number;
  handLoopPerSecond: number;
  /**
   * The order list's SQL alone: the hand loop's writes (changed-column UPDATE or INSERT into the
   * declared table, its indexes maintained, a checkpoint per 1,000) with every value computed
   * before the clock, and no read: what any projection writing once per event pays on this layout.
   */
  writesOnlyPerSecond: number;
  /**
   * The issue's physical anchor, re-measured: Avro decode -> filter -> map -> upsert of the
   * payload into a plain `(id, version, data)` table, 1,000 per transaction.
   */
  plainTablePerSecond: number;
}

const WANTED = new Set(['OrderPlaced', 'OrderItemAdded', 'OrderConfirmed', 'OrderCancelled']);
const HAND_LOOP_BATCH = 1000;

/**
 * decode -> upcast -> ofType -> project into the SQLite read model: the real order-list pipeline
 * under the embedded runner, against a hand-written loop doing the same work with the same
 * libraries (avsc decode, the same upcasters and reducer, better-sqlite3 upserts in
 * transactions of 1,000). Each side gets fresh databases with the same records in the core stream.
 */
export async function measurePipelineThroughput(orders: number, pipelineFirst = false): Promise<ThroughputRun> {
  const setup = scratch();
  try {
    const codec = await benchCodec(setup.open('schemas.db'));
    const records = await coreRecords(codec, orders);
    // Whoever runs first in a process runs colder (see appendThroughput.ts): callers alternate.
    const registry = new SqliteSchemaRegistry(setup.open('schemas.db'));
    const measureHandLoop = (): Promise<number> => handLoop(setup.open('hand.db'), registry, records);
    const measurePipeline = (): Promise<number> => pipeline(setup.open('pipeline.db'), codec, records);
    const floors = async (): Promise<Pick<ThroughputRun, 'writesOnlyPerSecond' | 'plainTablePerSecond'>> => ({
      writesOnlyPerSecond: await writesOnly(setup.open('writes.db'), registry, records),
      plainTablePerSecond: await plainTable(setup.open('plain.db'), registry, records),
    });
    if (pipelineFirst) {
      const pipelinePerSecond = await measurePipeline();
      return { pipelinePerSecond, handLoopPerSecond: await measureHandLoop(), ...(await floors()) };
    }
    const handLoopPerSecond = await measureHandLoop();
    return { pipelinePerSecond: await measurePipeline(), handLoopPerSecond, ...(await floors()) };
  } finally {
    setup.dispose();
  }
}

async function pipeline(db: Database, codec: Awaited<ReturnType<typeof benchCodec>>, records: readonly BenchRecord[]): Promise<number> {
  const streams = new SqliteStreamLog(db);
  await publishAll(streams, records);
  const runner = new EmbeddedPipelineRunner(orderList, {
    source: streams.source('core'),
    checkpoints: new SqliteCheckpointStore(db),
    deadLetters: new SqliteDeadLetterStore(db),
    context: {
      pipelineName: orderList.name,
      codec,
      upcasters: new UpcasterRegistry(orderUpcasters),
      readModels: new SqliteReadModelStore(db),
      publisher: streams,
      logger: silentLogger,
    },
  });
  const startedAt = performance.now();
  await runner.start();
  await runner.whenCaughtUp(120_000);
  const elapsedMs = performance.now() - startedAt;
  await runner.stop();
  const { recordsOut, recordsParked } = runner.metrics();
  if (recordsOut !== records.length || recordsParked !== 0) throw new Error(`pipeline applied ${recordsOut} of ${records.length} records (${recordsParked} parked)`);
  return (records.length * 1000) / elapsedMs;
}

async function handLoop(db: Database, registry: SqliteSchemaRegistry, records: readonly BenchRecord[]): Promise<number> {
  const { layout, fields, types, upcasters } = await orderListTable(db, registry, records);
  const read = db.prepare<[number, number], { position: number; record: Buffer }>(
    "SELECT position, record FROM stream_records WHERE stream = 'core' AND position > ? ORDER BY position LIMIT ?",
  );
  const select = db.prepare<[string], { version: number; data: string }>(`SELECT version, data FROM "${layout.table}" WHERE id = ?`);
  const columns = layout.columns.map((c) => c.column);
  const upsert = db.prepare(`
    INSERT INTO "${layout.table}" (id, version, data, ${columns.join(', ')}) VALUES (?, ?, ?, ${columns.map(() => '?').join(', ')})
    ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data, ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE excluded.version > "${layout.table}".version`);
  // As the store writes an existing row: only the columns that changed, so only their indexes move.
  const updates = new ReadModelRowUpdates(db, layout);
  const checkpoint = db.prepare("INSERT OR REPLACE INTO checkpoints (pipeline_name, position, updated_at) VALUES ('hand', ?, ?)");
  const apply = db.transaction((batch: { position: number; record: Buffer }[]) => {
    for (const row of batch) {
      const wanted = decodeWanted(types, row.record);
      if (!wanted) continue;
      const { envelope, writer, decoded } = wanted;
      const { payload } = upcasters.upcast(writer.eventType, writer.version, decoded);
      const current = select.get(envelope.aggregateId);
      if (current && current.version >= envelope.aggregateVersion) continue;
      const event = { eventType: writer.eventType, payload, envelope };
      const previous = current ? (JSON.parse(current.data) as Record<string, unknown>) : undefined;
      const next = orderListReducer(previous as OrderListItem | undefined, event) as Record<string, unknown> | null;
      if (next === null) continue;
      // The order list's columns are strings and numbers: bound as they are.
      const values = fields.map((field) => next[field] ?? null);
      const json = JSON.stringify(next);
      const stored = current && previous ? { id: envelope.aggregateId, version: current.version, values: fields.map((field) => previous[field] ?? null) } : undefined;
      if (!stored || !updates.update(envelope.aggregateId, envelope.aggregateVersion, json, values, stored)) upsert.run(envelope.aggregateId, envelope.aggregateVersion, json, ...values);
    }
    const last = batch[batch.length - 1];
    if (last) checkpoint.run(last.position, new Date().toISOString());
  });
  const startedAt = performance.now();
  let position = 0;
  for (let batch = read.all(0, HAND_LOOP_BATCH); batch.length > 0; batch = read.all(position, HAND_LOOP_BATCH)) {
    apply.immediate(batch);
    position = batch[batch.length - 1]?.position ?? position;
  }
  return (records.length * 1000) / (performance.now() - startedAt);
}

/**
 * The writer schemas of `records` (envelope and payloads), looked up before any clock starts, as
 * the codec's warm cache would have them. Records come in three steps (placed, item added,
 * confirmed): one of each.
 */
async function writerTypes(registry: SqliteSchemaRegistry, records: readonly BenchRecord[]): Promise<Map<string, WriterType>> {
  const types = new Map<string, WriterType>();
  const load = async (bytes: Buffer): Promise<WriterType> => {
    const id = frameId(bytes);
    const known = types.get(id);
    if (known) return known;
    const registered = await registry.getByVersionId(id);
    const eventType = registered.schemaName.slice(registered.schemaName.lastIndexOf('.') + 1);
    const loaded = { type: Type.forSchema(JSON.parse(registered.definition) as Parameters<typeof Type.forSchema>[0]), eventType, version: registered.version };
    types.set(id, loaded);
    return loaded;
  };
  for (const record of [0, 1, 2].map((step) => records[Math.floor((step * records.length) / 3)]).filter((r) => r !== undefined)) {
    const envelope = (await load(record.record)).type.fromBuffer(record.record.subarray(GLUE_HEADER_LENGTH)) as HandEnvelope;
    await load(envelope.payload);
  }
  return types;
}

/** One decoded record of the order list's event types, with its writer's type name and version. */
function decodeWanted(types: Map<string, WriterType>, bytes: Buffer): { envelope: HandEnvelope; writer: WriterType; decoded: Record<string, unknown> } | undefined {
  const envelope = typeOf(types, bytes).type.fromBuffer(bytes.subarray(GLUE_HEADER_LENGTH)) as HandEnvelope;
  const writer = typeOf(types, envelope.payload);
  const decoded = writer.type.fromBuffer(envelope.payload.subarray(GLUE_HEADER_LENGTH)) as Record<string, unknown>;
  return WANTED.has(writer.eventType) ? { envelope, writer, decoded } : undefined;
}

/**
 * `records` in the core stream of `db`, and the order list's table laid out from its declaration
 * (columns and indexes, as the pipeline's store lays it out): every write fills the columns and
 * maintains the indexes. With the writer schemas and the upcasters, looked up before any clock.
 */
async function orderListTable(db: Database, registry: SqliteSchemaRegistry, records: readonly BenchRecord[]) {
  await publishAll(new SqliteStreamLog(db), records);
  const options = collectionOptionsOf(orderListReadModel);
  new SqliteReadModelStore(db).collection(collectionOf(orderListReadModel), options);
  const layout = readModelTableLayout(collectionOf(orderListReadModel), options);
  new SqliteCheckpointStore(db);
  return { layout, fields: layout.columns.map((c) => c.field), types: await writerTypes(registry, records), upcasters: new UpcasterRegistry(orderUpcasters) };
}

/** One write of the order list as the hand loop makes it, every value already computed. */
interface PlannedWrite {
  id: string;
  version: number;
  json: string;
  values: unknown[];
  stored?: { id: string; version: number; values: unknown[] };
}

async function writesOnly(db: Database, registry: SqliteSchemaRegistry, records: readonly BenchRecord[]): Promise<number> {
  const { layout, fields, types, upcasters } = await orderListTable(db, registry, records);
  // Before the clock: decode, upcast and reduce every record in order, against documents in memory.
  const documents = new Map<string, { version: number; data: Record<string, unknown> }>();
  const writes: PlannedWrite[] = [];
  for (const record of records) {
    const wanted = decodeWanted(types, record.record);
    if (!wanted) continue;
    const { envelope, writer, decoded } = wanted;
    const current = documents.get(envelope.aggregateId);
    if (current && current.version >= envelope.aggregateVersion) continue;
    const { payload } = upcasters.upcast(writer.eventType, writer.version, decoded);
    const next = orderListReducer(current?.data as OrderListItem | undefined, { eventType: writer.eventType, payload, envelope }) as Record<string, unknown> | null;
    if (next === null) continue;
    documents.set(envelope.aggregateId, { version: envelope.aggregateVersion, data: next });
    writes.push({
      id: envelope.aggregateId,
      version: envelope.aggregateVersion,
      json: JSON.stringify(next),
      values: fields.map((field) => next[field] ?? null),
      ...(current ? { stored: { id: envelope.aggregateId, version: current.version, values: fields.map((field) => current.data[field] ?? null) } } : {}),
    });
  }
  const columns = layout.columns.map((c) => c.column);
  const insert = db.prepare(`INSERT INTO "${layout.table}" (id, version, data, ${columns.join(', ')}) VALUES (?, ?, ?, ${columns.map(() => '?').join(', ')})`);
  const updates = new ReadModelRowUpdates(db, layout);
  const checkpoint = db.prepare("INSERT OR REPLACE INTO checkpoints (pipeline_name, position, updated_at) VALUES ('writes', ?, ?)");
  const apply = db.transaction((batch: PlannedWrite[], position: number) => {
    for (const write of batch) {
      if (!write.stored || !updates.update(write.id, write.version, write.json, write.values, write.stored)) insert.run(write.id, write.version, write.json, ...write.values);
    }
    checkpoint.run(position, new Date().toISOString());
  });
  const startedAt = performance.now();
  for (let i = 0; i < writes.length; i += HAND_LOOP_BATCH) apply.immediate(writes.slice(i, i + HAND_LOOP_BATCH), i);
  return (records.length * 1000) / (performance.now() - startedAt);
}

async function plainTable(db: Database, registry: SqliteSchemaRegistry, records: readonly BenchRecord[]): Promise<number> {
  const streams = new SqliteStreamLog(db);
  await publishAll(streams, records);
  const types = await writerTypes(registry, records);
  db.exec('CREATE TABLE plain (id TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL)');
  const read = db.prepare<[number, number], { position: number; record: Buffer }>(
    "SELECT position, record FROM stream_records WHERE stream = 'core' AND position > ? ORDER BY position LIMIT ?",
  );
  const upsert = db.prepare('INSERT INTO plain (id, version, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data WHERE excluded.version > plain.version');
  const apply = db.transaction((batch: { position: number; record: Buffer }[]) => {
    for (const row of batch) {
      const wanted = decodeWanted(types, row.record);
      if (wanted) upsert.run(wanted.envelope.aggregateId, wanted.envelope.aggregateVersion, JSON.stringify(wanted.decoded));
    }
  });
  const startedAt = performance.now();
  let position = 0;
  for (let batch = read.all(0, HAND_LOOP_BATCH); batch.length > 0; batch = read.all(position, HAND_LOOP_BATCH)) {
    apply.immediate(batch);
    position = batch[batch.length - 1]?.position ?? position;
  }
  return (records.length * 1000) / (performance.now() - startedAt);
}

interface HandEnvelope {
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: string;
  payload: Buffer;
}

function frameId(bytes: Buffer): string {
  return bytesToUuid(bytes.subarray(2, GLUE_HEADER_LENGTH));
}

interface WriterType {
  type: Type;
  eventType: string;
  version: number;
}

function typeOf(types: Map<string, WriterType>, bytes: Buffer): WriterType {
  const found = types.get(frameId(bytes));
  if (!found) throw new Error(`unknown schema version ${frameId(bytes)}`);
  return found;
}

async function publishAll(streams: SqliteStreamLog, records: readonly BenchRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 5000) {
    await streams.publish('core', records.slice(i, i + 5000).map((r) => ({ key: r.key, record: r.record, deduplicationId: r.eventId })));
  }
}
