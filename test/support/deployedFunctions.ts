/**
 * Deployed-function models the deploy tests build their templates from, shaped as
 * deploy/functions.ts shapes them from the declared pipelines.
 */
import { LAMBDA_EVENT_SOURCE_DEFAULTS } from '../../core/pipeline/PipelineDeployment';
import type { PipelinePort } from '../../core/pipeline/PipelineDeployment';
import type { DeployedFunction, DeployedPipeline, DeployedSource } from '../../deploy/DeployedFunction';
import { functionLogicalIds, pipelineFunctionKey } from '../../deploy/names';

/** What a test pipeline function departs from the defaults in. */
export interface PipelineFunctionOptions {
  /** @defaultValue ['readModels'] */
  uses?: PipelinePort[];
  lambda?: Partial<DeployedPipeline['lambda']>;
}

/** A pipeline function: batch size 10, an on-failure queue unless it reads a queue. */
export function pipelineFunction(name: string, source: DeployedSource, options: PipelineFunctionOptions = {}): DeployedFunction {
  const key = pipelineFunctionKey(name);
  return {
    key,
    ...functionLogicalIds(key),
    kind: 'pipeline',
    handler: 'handlers/aws/lambda/pipeline.handler',
    pipeline: {
      name,
      source,
      uses: options.uses ?? ['readModels'],
      lambda: { ...LAMBDA_EVENT_SOURCE_DEFAULTS, batchSize: 10, onFailureQueue: source.type !== 'queue', ...options.lambda },
    },
  };
}

/** One of the fixed functions (api, redrive, deadLetterGauge, schemas). */
export function fixedFunction(key: string, kind: DeployedFunction['kind']): DeployedFunction {
  return { key, ...functionLogicalIds(key), kind, handler: `handlers/aws/lambda/${key}.handler` };
}
