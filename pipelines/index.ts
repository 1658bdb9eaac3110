import type { PipelineDefinition } from '../core/pipeline/PipelineDefinition';
import router from './router';
import orderList from './order-list';
import orderNotices from './order-notices';

export { CORE_STREAM, ORDER_EVENTS_TOPIC, ORDER_NOTICES_QUEUE, routing, topics } from './routing';
export { ORDER_NOTICES_COLLECTION } from './order-notices';
export type { OrderNotice } from './order-notices';

/** Every pipeline the system runs, in start order (a runner's source is fed by those before it). */
export const pipelines: readonly PipelineDefinition[] = [router, orderList, orderNotices];
