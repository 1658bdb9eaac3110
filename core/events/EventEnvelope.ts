/**
 * The record every event travels in across store, stream, queue and DLQ, encoded with the
 * `nexus.EventEnvelope` Avro schema and framed in the Glue wire format. Routers decide on the
 * envelope alone; `payload` holds the Glue-framed Avro bytes of the event's own schema.
 */
export interface EventEnvelope {
  eventId: string;
  eventType: string;
  /** Writer schema version of `payload`. */
  schemaVersion: number;
  aggregateType: string;
  aggregateId: string;
  /** 1-based version of the aggregate after this event. */
  aggregateVersion: number;
  /** ISO-8601 UTC timestamp. */
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  metadata: Record<string, string>;
  /** Glue-framed Avro bytes of the event payload. */
  payload: Buffer;
}
