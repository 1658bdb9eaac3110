/**
 * Order events from the core stream -> the `orders` list read model (declared in
 * domain/order/orderReadModels.ts: filters by status and customer, sort, cursor pagination) ->
 * "this order changed" to subscribed clients (live notifications). Keyed by aggregateId;
 * at-least-once, idempotent by aggregate version: a replayed or duplicated event does not change
 * the document. A context without notifications (a rebuild's replay) only projects.
 */
import { definePipeline } from '../core/pipeline/PipelineDefinition';
import type { PipelineDefinition } from '../core/pipeline/PipelineDefinition';
import { decode, notify, ofType, project, upcast } from '../operators';
import { collectionOf, collectionOptionsOf } from '../core/readmodel/ReadModelDeclaration';
import type { ReadModelDeclaration } from '../core/readmodel/ReadModelDeclaration';
import { orderListReadModel, orderListReducer } from '../domain';
import type { OrderListItem } from '../domain';

/**
 * The order list's projection into the collection of `readModel`: the shipped pipeline writes
 * {@link orderListReadModel}; a variant (another collection, more full-text fields) is the same
 * pipe over another declaration.
 */
export function orderListPipe(readModel: ReadModelDeclaration): PipelineDefinition['pipe'] {
  return (records$, { codec, upcasters, readModels, notifications }) =>
    records$.pipe(
      decode(codec),
      upcast(upcasters),
      ofType('OrderPlaced', 'OrderItemAdded', 'OrderConfirmed', 'OrderCancelled'),
      project(readModels.collection<OrderListItem>(collectionOf(readModel), collectionOptionsOf(readModel)), orderListReducer),
      notify(notifications, readModel),
    );
}

export default definePipeline({
  name: 'order-list',
  source: 'core',
  pipe: orderListPipe(orderListReadModel),
  uses: ['readModels', 'notifications'],
});
