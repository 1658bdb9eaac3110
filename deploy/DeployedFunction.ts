/**
 * The model of one deployed Lambda function, shared by the pieces of the CloudFormation template:
 * deploy/functions.ts makes one per declared pipeline plus the fixed ones; the IAM roles, alarms
 * and dashboard are derived from these.
 */
import type { LambdaEventSourceOptions, PipelinePort } from '../core/pipeline/PipelineDeployment';

/** What a function is for. */
export type FunctionKind = 'api' | 'pipeline' | 'redrive' | 'deadLetterGauge' | 'schemas' | 'snapshotSweep' | 'webSocket' | 'sagaTimeouts';

/** Where a pipeline function's records come from. */
export type DeployedSource =
  /** The events table's DynamoDB stream (the event store's change feed). */
  | { type: 'events' }
  /** A Kinesis stream; `core` is the only one today (logical id CoreStream). */
  | { type: 'stream'; stream: string }
  /** A subscriber queue of a topic (SQS). */
  | { type: 'queue'; queue: string };

/** A pipeline function's part of the model. */
export interface DeployedPipeline {
  name: string;
  source: DeployedSource;
  uses: readonly PipelinePort[];
  lambda: Required<LambdaEventSourceOptions>;
}

/** One function of the service. */
export interface DeployedFunction {
  /** The serverless.yml function key (camelCase), e.g. `orderListPipeline`. */
  key: string;
  /** The function's CloudFormation logical id as the framework names it, e.g. `OrderListPipelineLambdaFunction`. */
  logicalId: string;
  /** The logical id of its own IAM role, e.g. `OrderListPipelineRole`. */
  roleLogicalId: string;
  /** The logical id of its log group as the framework names it, e.g. `OrderListPipelineLogGroup`. */
  logGroupLogicalId: string;
  kind: FunctionKind;
  /** `handlers/aws/lambda/<file>.handler`. */
  handler: string;
  /** Present on kind `pipeline`. */
  pipeline?: DeployedPipeline;
}
