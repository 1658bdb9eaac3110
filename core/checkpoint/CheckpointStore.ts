/** Where each pipeline has got to in its source. */
export interface CheckpointStore {
  /** The last fully processed position of `pipelineName`, or 0. */
  get(pipelineName: string): Promise<number>;
  /** Stores `position`; never moves a checkpoint backwards. */
  set(pipelineName: string, position: number): Promise<void>;
}
