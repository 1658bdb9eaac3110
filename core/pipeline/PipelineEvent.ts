import type { EventEnvelope } from '../events/EventEnvelope';
import type { SourceRecord } from '../streams/RecordSource';

/** A source record after `decode`: the envelope, the decoded payload, and the record it came from. */
export interface PipelineEvent<P extends Record<string, unknown> = Record<string, unknown>> {
  envelope: Omit<EventEnvelope, 'payload'>;
  eventType: string;
  /** The schema version `payload` is in now (the writer's, until `upcast` raises it). */
  schemaVersion: number;
  payload: P;
  source: SourceRecord;
}
