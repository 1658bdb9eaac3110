import type { PipelineDefinition } from '../core/pipeline/PipelineDefinition';
import type { ReadModelDeclaration } from '../core/readmodel/ReadModelDeclaration';
import { orderListReadModel } from '../domain';
import router from './router';
import orderList from './order-list';
import orderNotices, { orderNoticesReadModel } from './order-notices';
import fulfilment from './fulfilment';
import type { SagaDefinition } from '../core/saga/SagaDefinition';
import { fulfilmentSaga } from '../domain';

export { CORE_STREAM, ORDER_EVENTS_TOPIC, ORDER_NOTICES_QUEUE, routing, topics } from './routing';
export { ORDER_NOTICES_COLLECTION, orderNoticesReadModel } from './order-notices';
export type { OrderNotice } from './order-notices';

/** Every pipeline the system runs, in start order (a runner's source is fed by those before it). */
export const pipelines: readonly PipelineDefinition[] = [router, orderList, orderNotices, fulfilment];

/** Every declared saga, timed out by the saga timer of the backend that runs its pipeline. */
export const sagas: readonly SagaDefinition[] = [fulfilmentSaga as unknown as SagaDefinition];

/** Every read model the pipelines project, served at `/api/queries/{resourceType}`. */
export const readModels: readonly ReadModelDeclaration[] = [orderListReadModel, orderNoticesReadModel];
