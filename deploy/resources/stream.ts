/**
 * The core Kinesis stream and the enhanced fan-out consumers of the pipelines that ask for one.
 */
import { awsResourceNames } from '../../handlers/aws/awsConfig';
import type { CfnResources } from '../cloudFormation';
import { getAtt } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';
import { CORE_STREAM } from '../../pipelines/routing';
import { pascalCase } from '../names';

/** The logical id of the Kinesis stream behind a stream name: `core` -> `CoreStream`. */
export function streamLogicalId(streamName: string): string {
  return `${pascalCase(streamName)}Stream`;
}

/** The logical id of the core stream. */
export const CORE_STREAM_LOGICAL_ID = streamLogicalId(CORE_STREAM);

/** How long the core stream keeps a record: Kinesis's minimum, the pipelines read within seconds. */
const RETENTION_HOURS = 24;

/** The logical id of a function's enhanced fan-out consumer: `routerPipeline` -> `RouterPipelineStreamConsumer`. */
export function streamConsumerLogicalId(fn: Pick<DeployedFunction, 'key'>): string {
  return `${pascalCase(fn.key)}StreamConsumer`;
}

/** Does the function read its stream through a dedicated enhanced fan-out consumer? */
export function usesEnhancedFanOut(fn: DeployedFunction): boolean {
  return fn.pipeline?.source.type === 'stream' && fn.pipeline.lambda.enhancedFanOut;
}

/**
 * CoreStream: encrypted with the AWS managed key (alias/aws/kinesis: no key policy to keep, no
 * KMS grant in the roles), on-demand. On-demand because its write rate is the event rate, which
 * nobody sizes in advance: a provisioned stream throttles the router at 1 MB/s or 1,000 records/s
 * per shard until someone reshards, while on-demand follows the load (up to 200 MB/s) at a floor
 * of one stream-hour. One consumer per pipeline with `lambda.enhancedFanOut`.
 */
export function streamResources(stage: string, functions: readonly DeployedFunction[]): CfnResources {
  const resources: CfnResources = {
    [CORE_STREAM_LOGICAL_ID]: {
      Type: 'AWS::Kinesis::Stream',
      Properties: {
        Name: awsResourceNames(stage).coreStream,
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: RETENTION_HOURS,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      },
    },
  };
  for (const fn of functions.filter(usesEnhancedFanOut)) {
    resources[streamConsumerLogicalId(fn)] = {
      Type: 'AWS::Kinesis::StreamConsumer',
      Properties: { ConsumerName: `nexus-${stage}-${fn.key}`, StreamARN: getAtt(CORE_STREAM_LOGICAL_ID, 'Arn') },
    };
  }
  return resources;
}
