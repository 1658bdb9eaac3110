import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SqliteEventStore, SqliteIdempotencyStore, SqliteSchemaRegistry } from '../../../adapters/embedded';
import { CommandService } from '../../../core/command/CommandService';
import { AvroEventCodec } from '../../../core/schema/AvroEventCodec';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../../core/schema/syncSchemas';
import { IdempotentCommandGateway } from '../../../core/saga/IdempotentCommandGateway';
import type { GatewayCommand } from '../../../core/saga/CommandGateway';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { aggregates } from '../../../domain';

interface Gateway {
  gateway: IdempotentCommandGateway;
  events: SqliteEventStore;
  close(): void;
}

async function openGateway(): Promise<Gateway> {
  const db = new Database(':memory:');
  const registry = new SqliteSchemaRegistry(db);
  await syncSchemas(registry, loadSchemaCatalog(resolve(__dirname, '..', '..', '..', 'schemas')));
  const codec = new AvroEventCodec(registry);
  const events = new SqliteEventStore(db, codec);
  const commands = new CommandService({ eventStore: events, codec, upcasters: new UpcasterRegistry([]), aggregates });
  return { gateway: new IdempotentCommandGateway(commands, new SqliteIdempotencyStore(db)), events, close: () => db.close() };
}

function reserveUnder(key: number, quantity = 1): GatewayCommand {
  return {
    commandType: 'ReserveStock',
    body: { reservationId: `reservation-${key}`, orderId: `o-${key}`, items: [{ sku: 'sku-a', quantity }] },
    sender: 'saga:test',
    idempotencyKey: `saga-${key}/reserve/action`,
    correlationId: `c-${key}`,
  };
}

describe('IdempotentCommandGateway over the command service and SQLite', () => {
  it('decides each key once, however often and in whatever order its command is sent again', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 20 }), async (sends) => {
        // given a gateway over a fresh store
        const subject = await openGateway();
        try {
          // when the commands of these keys are sent, with repeats
          const outcomes = [];
          for (const key of sends) outcomes.push({ key, sent: await subject.gateway.send(reserveUnder(key)) });
          // then every key's reservation holds one StockReserved, the first send ran it and every later one replayed its result
          for (const key of new Set(sends)) {
            const stream = await subject.events.readStream(`reservation-${key}`);
            expect(stream.items.map((event) => event.eventType)).toEqual(['StockReserved']);
            const ofKey = outcomes.filter((outcome) => outcome.key === key).map((outcome) => outcome.sent);
            expect(ofKey.map((sent) => sent.replayed)).toEqual(ofKey.map((_, index) => index > 0));
            expect(new Set(ofKey.map((sent) => (sent.outcome === 'accepted' ? sent.result.eventIds.join() : sent.code))).size).toBe(1);
          }
        } finally {
          subject.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('answers a refused command as rejected, and its resend the same refusal, replayed', async () => {
    // given a gateway
    const subject = await openGateway();
    try {
      // when an invalid command (zero units) is sent twice under one key
      const first = await subject.gateway.send(reserveUnder(7, 0));
      const again = await subject.gateway.send(reserveUnder(7, 0));
      // then both are the command service's refusal, the second from the key
      expect(first).toMatchObject({ outcome: 'rejected', code: 'INVALID_COMMAND', replayed: false });
      expect(again).toEqual({ ...first, replayed: true });
    } finally {
      subject.close();
    }
  });

  it('refuses the reuse of a key for another command', async () => {
    // given a key used for one reservation
    const subject = await openGateway();
    try {
      await subject.gateway.send(reserveUnder(1));
      // when the same key is sent with another body
      const reused = subject.gateway.send({ ...reserveUnder(2), idempotencyKey: reserveUnder(1).idempotencyKey });
      // then the idempotency store refuses it and nothing is decided
      await expect(reused).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect((await subject.events.readStream('reservation-2')).items).toEqual([]);
    } finally {
      subject.close();
    }
  });
});
