/**
 * Snapshots, embedded: (1) trigger -> snapshot stored, from the command service's request to the
 * end of the SQLite write, for the Order aggregate as declared (a snapshot every 100 events), while
 * commands keep coming; (2) command latency on an aggregate of 10,000 events with and without
 * snapshots, through the real CommandService, SQLite event store and snapshots.db.
 */
import { performance } from 'node:perf_hooks';
import { SqliteEventStore } from '../../adapters/embedded';
import type { AggregateDefinition } from '../../core/command/AggregateDefinition';
import { defineCommand } from '../../core/command/CommandDefinition';
import { CommandService } from '../../core/command/CommandService';
import { PayloadReader } from '../../core/command/PayloadReader';
import { silentLogger } from '../../core/logging/Logger';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderUpcasters } from '../../domain';
import { wireSnapshots } from '../../handlers/local/snapshotWiring';
import { LatencyHistogram } from '../loadgen/LatencyHistogram';
import type { LatencySummary } from '../loadgen/LatencyHistogram';
import { benchCodec, scratch } from './benchFixtures';

/** Sizes of one run. */
export interface SnapshotBenchOptions {
  /** Orders driven to the Order trigger (100 events each): one trigger -> stored sample per order. */
  orders: number;
  /** Events of the tall aggregate. */
  tallEvents: number;
  /** Commands timed per side on the tall aggregate. */
  tallCommands: number;
}

/** What one run measured. */
export interface SnapshotBenchRun {
  triggerToStored: LatencySummary;
  /** Requests that did not end in a stored snapshot (failed or superseded). */
  notStored: number;
  withSnapshots: LatencySummary;
  withoutSnapshots: LatencySummary;
}

/**
 * A bench-only aggregate whose every command is accepted however long its stream (an order stops
 * at 100 lines): `BumpCounter` appends an OrderItemAdded (a registered schema), the state counts
 * them, so the cost measured is the load, not the size of the state.
 */
function counterAggregate(snapshots: boolean): AggregateDefinition {
  const bump = defineCommand({
    commandType: 'BumpCounter',
    aggregateIdField: 'orderId',
    parse: (json) => {
      const body = PayloadReader.of(json);
      const data = { orderId: body.string('orderId') };
      body.end();
      return data;
    },
  });
  return {
    aggregateType: 'BenchCounter',
    commands: [bump],
    decider: {
      initialState: () => ({ count: 0 }),
      decide: (command) => [{ type: 'OrderItemAdded', data: { orderId: String(command.data.orderId), sku: 'BUMP', quantity: 1, unitPrice: 1 } }],
      evolve: (state) => ({ count: (state as { count: number }).count + 1 }),
    },
    ...(snapshots ? { snapshots: { foldVersion: 1, everyEvents: 100 } } : {}),
  } as AggregateDefinition;
}

/** One run of both measurements; `reversed` times the side with snapshots first. */
export async function measureSnapshots(options: SnapshotBenchOptions, reversed = false): Promise<SnapshotBenchRun> {
  const space = scratch();
  try {
    const eventsDb = space.open('nexus.db');
    const codec = await benchCodec(eventsDb);
    const eventStore = new SqliteEventStore(eventsDb, codec);
    const upcasters = new UpcasterRegistry(orderUpcasters);
    const withCounter = counterAggregate(true);
    const triggerToStored = new LatencyHistogram();
    let notStored = 0;
    const snapshots = wireSnapshots({
      dataDir: space.dir,
      synchronous: 'NORMAL',
      eventStore,
      codec,
      upcasters,
      aggregates: [orderAggregate as AggregateDefinition, withCounter],
      logger: silentLogger,
      sweepIntervalMs: 0,
      onSettled: (settled) => {
        if (settled.request.aggregateType !== 'Order') return;
        if (settled.outcome === 'stored') triggerToStored.record(settled.elapsedMs);
        else notStored += 1;
      },
    });
    try {
      const commands = new CommandService({ eventStore, codec, upcasters, aggregates: [orderAggregate as AggregateDefinition, withCounter], logger: silentLogger, snapshots: snapshots.forCommands });
      await driveOrdersToTrigger(commands, options.orders);
      await snapshots.scheduler.whenIdle();

      const plain = new CommandService({ eventStore, codec, upcasters, aggregates: [counterAggregate(false)], logger: silentLogger });
      await fillCounter(eventStore, 'tall-without', options.tallEvents);
      await fillCounter(eventStore, 'tall-with', options.tallEvents);
      // The snapshot the trigger would have made on the way to 10,000 events.
      snapshots.scheduler.request({ aggregateType: 'BenchCounter', aggregateId: 'tall-with', version: options.tallEvents, reason: 'events' });
      await snapshots.scheduler.whenIdle();
      // Taking turns at going first across runs, so that neither side always meets a warmer cache.
      const withoutFirst = reversed ? undefined : await timeCommands(plain, 'tall-without', options.tallCommands);
      const withSnapshots = await timeCommands(commands, 'tall-with', options.tallCommands);
      const withoutSnapshots = withoutFirst ?? (await timeCommands(plain, 'tall-without', options.tallCommands));
      await snapshots.scheduler.whenIdle();
      return { triggerToStored: triggerToStored.summary(), notStored, withSnapshots, withoutSnapshots };
    } finally {
      await snapshots.close();
    }
  } finally {
    space.dispose();
  }
}

/**
 * Orders of 100 events each (PlaceOrder, then 99 AddItem), the last command of each firing the
 * trigger. One command per turn of the event loop, as the HTTP server receives requests: a loop
 * of awaits that never yields would starve every macrotask, the scheduler's included, which no
 * server does.
 */
async function driveOrdersToTrigger(commands: CommandService, orders: number): Promise<void> {
  const everyEvents = orderAggregate.snapshots?.everyEvents ?? 100;
  for (let order = 0; order < orders; order += 1) {
    const { aggregateId } = await commands.handle('PlaceOrder', { customerId: `c-${order}`, items: [] }, { correlationId: `p-${order}` });
    for (let event = 1; event < everyEvents; event += 1) {
      await nextTurn();
      await commands.handle('AddItem', { orderId: aggregateId, sku: `S-${event}`, quantity: 1, unitPrice: 1 }, { correlationId: `a-${order}-${event}` });
    }
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `events` BumpCounter events appended 100 at a time (direct appends: a command each would replay the stream each time). */
async function fillCounter(eventStore: SqliteEventStore, id: string, events: number): Promise<void> {
  for (let version = 0; version < events; version += 100) {
    const batch = Array.from({ length: Math.min(100, events - version) }, () => ({ eventType: 'OrderItemAdded', payload: { orderId: id, sku: 'BUMP', quantity: 1, unitPrice: 1 } }));
    await eventStore.append(id, version, batch, { aggregateType: 'BenchCounter', correlationId: `fill-${id}` });
  }
}

async function timeCommands(commands: CommandService, id: string, count: number): Promise<LatencySummary> {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < count; i += 1) {
    await nextTurn();
    const started = performance.now();
    await commands.handle('BumpCounter', { orderId: id }, { correlationId: `bump-${id}-${i}` });
    histogram.record(performance.now() - started);
  }
  return histogram.summary();
}
