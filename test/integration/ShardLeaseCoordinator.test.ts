import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { DynamoDbLeaseStore } from '../../adapters/aws/DynamoDbLeaseStore';
import { kinesisShardLister } from '../../adapters/aws/kinesisShardLister';
import { LEASES_TABLE } from '../../adapters/aws/leasesTable';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { SHARD_END, TRIM_HORIZON } from '../../core/leases/LeaseStore';
import type { ShardDescription } from '../../core/leases/LeaseStore';
import { ShardLeaseCoordinator } from '../../core/leases/ShardLeaseCoordinator';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';

const LEASE_MS = 10_000;

describe('shard leases in DynamoDB (moto)', () => {
  const dynamo = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  const kinesis = new KinesisClient({ ...motoClientConfig(), maxAttempts: 1 });
  let tableName: string;

  beforeAll(async () => {
    tableName = uniqueName('leases');
    await createDynamoDbTable(dynamo, tableName, LEASES_TABLE);
  });
  afterAll(() => {
    dynamo.destroy();
    kinesis.destroy();
  });

  const storeFor = (group: string) => new DynamoDbLeaseStore({ client: dynamo, tableName, group });
  const fixedShards = (...ids: string[]) => async (): Promise<ShardDescription[]> => ids.map((shardId) => ({ shardId, parentShardIds: [] }));

  describe('DynamoDbLeaseStore', () => {
    it('creates a lease once, and every write after that is conditional on owner and counter', async () => {
      // given
      const store = storeFor(uniqueName('group'));
      const shard = { shardId: 'shard-1', parentShardIds: [] };
      // when
      const created = [await store.createIfAbsent(shard, TRIM_HORIZON), await store.createIfAbsent(shard, 'ignored')];
      const taken = await store.take('shard-1', 'worker-a', 0);
      const lateTake = await store.take('shard-1', 'worker-b', 0);
      const renewedByOther = await store.renew('shard-1', 'worker-b', 1);
      const renewed = await store.renew('shard-1', 'worker-a', 1);
      const checkpointByOther = await store.checkpoint('shard-1', 'worker-b', '100');
      const checkpointed = await store.checkpoint('shard-1', 'worker-a', '49590338271490256608559692538361571095921575989136588898');
      // then
      expect(created).toEqual([true, false]);
      expect(taken).toMatchObject({ owner: 'worker-a', counter: 1, checkpoint: TRIM_HORIZON });
      expect(lateTake).toBeUndefined();
      expect(renewedByOther).toBeUndefined();
      expect(renewed).toMatchObject({ owner: 'worker-a', counter: 2 });
      expect(checkpointByOther).toBe(false);
      expect(checkpointed).toBe(true);
      expect(await store.list()).toEqual([
        { shardId: 'shard-1', owner: 'worker-a', counter: 2, checkpoint: '49590338271490256608559692538361571095921575989136588898', parentShardIds: [] },
      ]);
    });

    it('keeps groups apart: the same shard id in two groups is two leases', async () => {
      // given
      const left = storeFor(uniqueName('left'));
      const right = storeFor(uniqueName('right'));
      // when
      await left.createIfAbsent({ shardId: 'shard-1', parentShardIds: [] }, TRIM_HORIZON);
      // then
      expect(await left.list()).toHaveLength(1);
      expect(await right.list()).toEqual([]);
    });
  });

  describe('ShardLeaseCoordinator', () => {
    it('gives every shard to a lone worker', async () => {
      // given
      const worker = new ShardLeaseCoordinator(storeFor(uniqueName('group')), fixedShards('s1', 's2', 's3'), { workerId: 'a' });
      // when
      const assignment = await worker.tick();
      // then
      expect(assignment.ready.map((lease) => lease.shardId).sort()).toEqual(['s1', 's2', 's3']);
    });

    it('balances shards between two workers by stealing from the busier, and the victim learns it lost one', async () => {
      // given worker a holding all three shards
      const group = uniqueName('group');
      const shards = fixedShards('s1', 's2', 's3');
      const a = new ShardLeaseCoordinator(storeFor(group), shards, { workerId: 'a' });
      const b = new ShardLeaseCoordinator(storeFor(group), shards, { workerId: 'b' });
      await a.tick();
      // when b joins, then a ticks again
      const joined = await b.tick();
      const after = await a.tick();
      // then b took one, a lost exactly that one, and no shard is held twice
      expect(joined.held).toHaveLength(1);
      const stolen = joined.held[0]?.shardId as string;
      expect(after.lost).toEqual([stolen]);
      expect(after.held.map((lease) => lease.shardId).sort()).toEqual(['s1', 's2', 's3'].filter((id) => id !== stolen));
      expect(await a.checkpoint(stolen, '42')).toBe(false);
    });

    it('takes over the leases of a worker that stopped renewing, once they expired on its own clock', async () => {
      // given worker a holding both shards, and worker b with a clock it controls
      const group = uniqueName('group');
      const shards = fixedShards('s1', 's2');
      let nowMs = 1_000_000;
      const a = new ShardLeaseCoordinator(storeFor(group), shards, { workerId: 'a', leaseDurationMs: LEASE_MS });
      const b = new ShardLeaseCoordinator(storeFor(group), shards, { workerId: 'b', leaseDurationMs: LEASE_MS, now: () => nowMs });
      await a.tick();
      await b.tick(); // b steals one (balance), and sees a's counter on the other
      await a.tick(); // a renews what it kept
      const before = await b.tick();
      // when a dies (no more ticks) and b's clock passes the lease duration
      nowMs += LEASE_MS - 1;
      const notYet = await b.tick();
      nowMs += 1;
      const later = await b.tick();
      // then b holds both, but only after the lease duration
      expect(before.held).toHaveLength(1);
      expect(notYet.held).toHaveLength(1);
      expect(later.held.map((lease) => lease.shardId).sort()).toEqual(['s1', 's2']);
    });

    it('keeps a lease whose renewal ran while its checkpoint was being written', async () => {
      // given a worker holding one shard, over a store whose checkpoint answers arrive late
      const store = storeFor(uniqueName('group'));
      const slowCheckpoints = Object.assign(Object.create(store) as DynamoDbLeaseStore, {
        checkpoint: async (shardId: string, owner: string, checkpoint: string) => {
          const written = await store.checkpoint(shardId, owner, checkpoint);
          await new Promise((resolve) => setTimeout(resolve, 300));
          return written;
        },
      });
      const worker = new ShardLeaseCoordinator(slowCheckpoints, fixedShards('s1'), { workerId: 'a' });
      await worker.tick();
      // when a tick renews the lease while a checkpoint's answer is still on its way
      const renewedMeanwhile = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return worker.tick();
      })();
      await Promise.all([worker.checkpoint('s1', '7'), renewedMeanwhile]);
      const after = await worker.tick();
      // then the next renewal still succeeds: the lease is held, with the checkpoint
      expect(after.lost).toEqual([]);
      expect(after.held.map((lease) => lease.shardId)).toEqual(['s1']);
      expect(worker.checkpointOf('s1')).toBe('7');
    });

    it('takes back at once a lease recorded as its own that it does not hold (a restart with the same worker id)', async () => {
      // given worker a holding a shard, then restarted (a new coordinator, same id) with a clock that never moves
      const group = uniqueName('group');
      await new ShardLeaseCoordinator(storeFor(group), fixedShards('s1'), { workerId: 'a' }).tick();
      const restarted = new ShardLeaseCoordinator(storeFor(group), fixedShards('s1'), { workerId: 'a', now: () => 0 });
      // when
      const assignment = await restarted.tick();
      // then it holds the shard without waiting for the lease to expire
      expect(assignment.ready.map((lease) => lease.shardId)).toEqual(['s1']);
    });

    it('hands released leases over at once on a clean shutdown', async () => {
      // given
      const group = uniqueName('group');
      const shards = fixedShards('s1', 's2');
      const a = new ShardLeaseCoordinator(storeFor(group), shards, { workerId: 'a' });
      const b = new ShardLeaseCoordinator(storeFor(group), shards, { workerId: 'b' });
      await a.tick();
      // when
      await a.releaseAll();
      const assignment = await b.tick();
      // then
      expect(assignment.held.map((lease) => lease.shardId).sort()).toEqual(['s1', 's2']);
    });

    it('after a real reshard on Kinesis, reads the children only once their parent is finished', async () => {
      // given a one-shard stream split into two
      const stream = uniqueName('stream');
      await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
      await kinesis.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
      const lister = kinesisShardLister(kinesis, stream);
      const listed = await lister();
      const parent = listed.find((shard) => shard.parentShardIds.length === 0)?.shardId as string;
      const children = listed.filter((shard) => shard.parentShardIds.includes(parent)).map((shard) => shard.shardId);
      const worker = new ShardLeaseCoordinator(storeFor(uniqueName('group')), lister, { workerId: 'a' });
      // when the worker reads the parent to its end
      const first = await worker.tick();
      await worker.checkpoint(parent, SHARD_END);
      const second = await worker.tick();
      // then
      expect(children.length).toBeGreaterThanOrEqual(2);
      expect(first.held.map((lease) => lease.shardId).sort()).toEqual([parent, ...children].sort());
      expect(first.ready.map((lease) => lease.shardId)).toEqual([parent]);
      expect(second.ready.map((lease) => lease.shardId).sort()).toEqual([...children].sort());
    });
  });
});
