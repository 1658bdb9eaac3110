import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import type { ShardDescription } from '../../core/leases/LeaseStore';
import type { ShardLister } from '../../core/leases/ShardLeaseCoordinator';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';

/**
 * Lists a Kinesis stream's shards, open and closed (a closed parent still holds records its
 * children must wait for), with their parents: a split has one parent, a merge two.
 */
export function kinesisShardLister(client: KinesisClient, streamName: string, retry?: AwsRetryOptions): ShardLister {
  return async () => {
    const shards: ShardDescription[] = [];
    let nextToken: string | undefined;
    do {
      const request = nextToken === undefined ? new ListShardsCommand({ StreamName: streamName }) : new ListShardsCommand({ NextToken: nextToken });
      const page = await callWithRetry(`ListShards ${streamName}`, () => client.send(request), retry);
      for (const shard of page.Shards ?? []) shards.push(describe(shard));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  };
}

function describe(shard: Shard): ShardDescription {
  const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => typeof id === 'string' && id.length > 0);
  return { shardId: shard.ShardId ?? '', parentShardIds: parents };
}
