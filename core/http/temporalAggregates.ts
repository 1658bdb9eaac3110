import type { AggregateDefinition } from '../command/AggregateDefinition';
import { COMMAND_OWNERSHIP_DEFAULTS } from '../auth/CommandOwnership';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';

/**
 * How one aggregate type is served by temporal queries, every name derived from its
 * `aggregateType` so that declaring an aggregate is all it takes (`Order` gives the URL segment
 * `orders`, the action `query:orders.temporal`, the resource type `order` and the problem field
 * `orderId`, exactly today's order URL).
 */
export interface TemporalAggregate {
  aggregate: AggregateDefinition;
  /** The `{aggregateType}` segment of its URL: the type in kebab case, pluralised (`ShippingLabel` -> `shipping-labels`). */
  segment: string;
  /** What the authorization policy is asked: `query:<segment>.temporal`. */
  action: string;
  /** The resource type the policy sees for grants on own resources: the type in lower camel case. */
  resourceType: string;
  /** The field problems name for the id: `<resourceType>Id`. */
  idField: string;
  /** The state field naming the owner, the same one commands are checked with. */
  ownerField: string;
}

/**
 * The aggregate types temporal queries serve, found by URL segment or by `aggregateType` as
 * declared (`/temporal/orders/o-1` and `/temporal/Order/o-1` are the same query).
 */
export class TemporalAggregates {
  private readonly bySegment = new Map<string, TemporalAggregate>();

  constructor(aggregates: readonly AggregateDefinition[]) {
    for (const aggregate of aggregates) {
      const served = temporalAggregateOf(aggregate);
      const taken = this.bySegment.get(served.segment) ?? this.bySegment.get(aggregate.aggregateType);
      if (taken !== undefined && taken.aggregate !== aggregate) {
        throw new TypeError(`aggregate types ${taken.aggregate.aggregateType} and ${aggregate.aggregateType} would share /api/queries/temporal/${served.segment}`);
      }
      this.bySegment.set(served.segment, served);
      this.bySegment.set(aggregate.aggregateType, served);
    }
  }

  /** The aggregate served at `segment`; 404 `NOT_FOUND` naming `aggregateType` otherwise. */
  resolve(segment: string): TemporalAggregate {
    const served = this.bySegment.get(segment);
    if (served === undefined) {
      const known = [...new Set([...this.bySegment.values()].map((entry) => entry.segment))].sort().join(', ');
      throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `no aggregate type "${segment}" has temporal queries; known: ${known}`, { field: 'aggregateType', aggregateType: segment });
    }
    return served;
  }
}

/** The names under which `aggregate` is served; see {@link TemporalAggregate}. */
export function temporalAggregateOf(aggregate: AggregateDefinition): TemporalAggregate {
  const words = aggregate.aggregateType.split(/(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+/).filter((word) => word !== '').map((word) => word.toLowerCase());
  const last = words.pop() ?? 'aggregate';
  const segment = [...words, plural(last)].join('-');
  const resourceType = [...words, last].map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1))).join('');
  return {
    aggregate,
    segment,
    action: `query:${segment}.temporal`,
    resourceType,
    idField: `${resourceType}Id`,
    ownerField: COMMAND_OWNERSHIP_DEFAULTS.ownerField,
  };
}

function plural(word: string): string {
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}
