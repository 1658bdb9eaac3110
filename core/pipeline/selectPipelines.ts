import { NexusError } from '../errors/NexusError';
import type { PipelineDefinition } from './PipelineDefinition';

/** A selection (`--pipelines`, NEXUS_PIPELINES, `pipelineNames`) named a pipeline that is not declared. */
export class UnknownPipelineError extends NexusError {
  constructor(
    readonly names: readonly string[],
    readonly declared: readonly string[],
    source: string,
  ) {
    super('UNKNOWN_PIPELINE', `${source} names ${names.map((name) => `"${name}"`).join(', ')}, not a declared pipeline; declared: ${declared.join(', ')}`, {
      details: { names, declared },
    });
  }
}

/**
 * The declared pipelines whose names `names` lists, in declaration order (a runner's source is
 * fed by those before it); every declared one when `names` is undefined. A name that is not
 * declared is refused with an {@link UnknownPipelineError} naming `source` (the flag or variable).
 */
export function selectPipelines(declared: readonly PipelineDefinition[], names: readonly string[] | undefined, source = 'pipelineNames'): PipelineDefinition[] {
  if (names === undefined) return [...declared];
  const known = declared.map((pipeline) => pipeline.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UnknownPipelineError(unknown, known, source);
  return declared.filter((pipeline) => names.includes(pipeline.name));
}

/**
 * Whether a saga timer belongs with `pipelines`: only a process running a saga pipeline (one that
 * uses the `sagas` port) times sagas' steps out, so a process that leaves the sagas out never
 * compensates a step whose completion nobody is there to see.
 */
export function runsSagas(pipelines: readonly PipelineDefinition[]): boolean {
  return pipelines.some((pipeline) => pipeline.uses?.includes('sagas') === true);
}
