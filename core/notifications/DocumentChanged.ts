/**
 * "This document changed": what a `notify` step publishes once a read model is updated, and
 * what a subscribed client receives. It names the document, never carries it: a client reads
 * the document through the query API, where the policy decides what it may see.
 */
export interface DocumentChanged {
  /** The read model's resource type (`orders`), as in `/api/queries/{resourceType}`. */
  resourceType: string;
  /** The document id (the aggregate id). */
  id: string;
  /** The aggregate version the document now reflects. */
  version: number;
  /** The event that changed it. */
  eventId: string;
  /** The value of the read model's declared owner field, when it declares one: the policy's `own` scope. */
  owner?: string;
  /** True when the change removed the document. */
  deleted?: boolean;
}

/**
 * Where `notify` publishes changes. Embedded: a SQLite notification log the `ws` server tails;
 * AWS: the connections table and the API Gateway management API. Publishing is at-least-once:
 * a change may be published again (a retried record), and subscribers keep the newest version
 * per document, so a repeat is harmless.
 */
export interface NotificationPublisher {
  publish(changes: readonly DocumentChanged[]): Promise<void>;
}
