import { collectionOf, collectionOptionsOf, defineReadModel } from '../../core/readmodel/ReadModelDeclaration';

/**
 * The order list (`GET /api/queries/orders`), projected by the order-list pipeline: one
 * `OrderListItem` per order, owned by its customer. Sort fields are indexed so an
 * unfiltered page walks an index instead of sorting the collection; the filters (`status`,
 * `customerId`) are served by the composite indexes, whose first field is the filter; sorting by
 * order id uses the primary key. Every index costs each upsert a B-tree update
 * (docs/performance.md, round 4), so there is none to spare.
 */
export const orderListReadModel = defineReadModel({
  resourceType: 'orders',
  documentType: 'order',
  ownerField: 'customerId',
  description: 'Orders with their lines, total and status, newest first.',
  fields: {
    orderId: { type: 'string', description: 'The order id (the document id).' },
    customerId: { type: 'string', filterable: true, description: 'The customer who placed the order.' },
    status: { type: 'string', filterable: true, values: ['PLACED', 'CONFIRMED', 'CANCELLED'] },
    itemCount: { type: 'integer', description: 'Units over all lines (sum of quantities).' },
    totalAmount: { type: 'number', sortable: true, description: 'The total, in the order currency.' },
    createdAt: { type: 'timestamp', sortable: true, description: 'When the order was placed.' },
    updatedAt: { type: 'timestamp', sortable: true, description: 'When the latest event happened.' },
    confirmedAt: { type: 'timestamp' },
    cancelledAt: { type: 'timestamp' },
    cancelReason: { type: 'string' },
  },
  // The sort names of the order list before read models were declared.
  sortAliases: { total: 'totalAmount', orderId: 'id' },
  defaultSort: { field: 'createdAt', direction: 'desc' },
  compositeIndexes: [
    ['customerId', 'createdAt'],
    ['status', 'createdAt'],
  ],
});

/** Name of the order-list read-model collection. */
export const ORDER_LIST_COLLECTION = collectionOf(orderListReadModel);

/** The indexed sort fields of the order list (from {@link orderListReadModel}). */
export const ORDER_LIST_INDEXED_FIELDS: readonly string[] = collectionOptionsOf(orderListReadModel).indexedFields ?? [];

/** Filter + default sort pairs of the order list (from {@link orderListReadModel}). */
export const ORDER_LIST_COMPOSITE_INDEXES: ReadonlyArray<readonly string[]> = orderListReadModel.compositeIndexes ?? [];
