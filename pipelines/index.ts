import type { PipelineDefinition } from '../core/pipeline/PipelineDefinition';
import router from './router';
import orderList from './order-list';

export { CORE_STREAM } from './router';

/** Every pipeline the system runs, in start order. */
export const pipelines: readonly PipelineDefinition[] = [router, orderList];
