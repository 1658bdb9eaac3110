/**
 * Turns a payload written with `fromVersion` of `eventType` into the shape of `fromVersion + 1`.
 * Upcasters are pure; they run inside pipelines' decode step and in temporal queries.
 */
export interface Upcaster {
  eventType: string;
  fromVersion: number;
  upcast(payload: Record<string, unknown>): Record<string, unknown>;
}
