import { concatMap, map } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';
import { isSyncReadModelCollection } from '../core/readmodel/ReadModelStore';
import type { ReadModelCollection, ReadModelDocument, SyncReadModelCollection } from '../core/readmodel/ReadModelStore';

/** Folds one event into a document: the new data, or null to delete the document. */
export type ProjectionReducer<T> = (current: T | undefined, event: PipelineEvent) => T | null;

/** What {@link project} did with one event. */
export interface ProjectionOutcome<T = unknown> {
  /** Document id: the event's aggregate id. */
  id: string;
  /** The event's aggregate version. */
  version: number;
  /** The event's id. */
  eventId: string;
  /** False when the document was already at this version or newer (a duplicate or replay). */
  applied: boolean;
  /**
   * The document as written, on an applied upsert; on a redelivery of the event that wrote the
   * current version (not applied, same version), the document as it stands, so that `notify`
   * can publish again what a failed step after the write may have lost.
   */
  document?: T;
  /** True on an applied delete. */
  deleted?: true;
}

/**
 * Applies each event to the document `event.envelope.aggregateId` of `collection`, written at
 * the event's aggregate version with upsertIfNewer / deleteIfNewer: duplicates and replays are
 * no-ops, and the reducer never sees an event older than the document. A null for a document
 * that is absent (or deleted) writes nothing: a tombstone would refuse that document's earlier
 * events, which a rebuild's catch-up may apply after the live pipeline met a later one. One
 * event at a time, in order.
 * The document type is the reducer's: an untyped collection is accepted.
 *
 * @example
 * ```ts
 * events$.pipe(ofType('OrderPlaced'), project(ctx.readModels.collection('orders'), orderListReducer))
 * ```
 *
 * Error: a reducer or store failure errors the output. A source error is forwarded at once (as
 * concatMap does); a write in flight still lands, but its outcome is not emitted.
 * Complete: completes after the last write.
 * Unsubscribe: unsubscribes the source; a write already sent to the store is not undone.
 */
export function project<T>(
  collection: ReadModelCollection<T> | ReadModelCollection,
  reducer: ProjectionReducer<T>,
): OperatorFunction<PipelineEvent, ProjectionOutcome<T>> {
  // Documents are schemaless JSON: the reducer owns their shape, so an untyped collection
  // (`readModels.collection('orders')`) is accepted and typed by the reducer.
  const typed = collection as ReadModelCollection<T>;
  // A store that answers synchronously (embedded SQLite) is applied in `map`: the same order and
  // errors as concatMap over promises, without two promises and a subscription per record.
  if (isSyncReadModelCollection(typed)) return map((event) => applyEventNow(typed, reducer, event));
  return concatMap((event) => applyEvent(typed, reducer, event));
}

function applyEventNow<T>(collection: SyncReadModelCollection<T>, reducer: ProjectionReducer<T>, event: PipelineEvent): ProjectionOutcome<T> {
  const { aggregateId: id, aggregateVersion: version, eventId } = event.envelope;
  const current = collection.getNow(id);
  if (current !== undefined && current.version >= version) return notAppliedOver(current, id, version, eventId);
  const next = reducer(current?.data, event);
  if (next === null && current === undefined) return { id, version, eventId, applied: false };
  if (next === null) return outcomeOf<T>(id, version, eventId, collection.deleteIfNewerNow(id, version), null);
  return outcomeOf(id, version, eventId, collection.upsertIfNewerNow(id, version, next), next);
}

async function applyEvent<T>(collection: ReadModelCollection<T>, reducer: ProjectionReducer<T>, event: PipelineEvent): Promise<ProjectionOutcome<T>> {
  const { aggregateId: id, aggregateVersion: version, eventId } = event.envelope;
  const current = await collection.get(id);
  if (current !== undefined && current.version >= version) return notAppliedOver(current, id, version, eventId);
  const next = reducer(current?.data, event);
  // Nothing to delete: a tombstone here would refuse this document's earlier events when they
  // come later (a rebuild's catch-up after the live pipeline met the new version first).
  if (next === null && current === undefined) return { id, version, eventId, applied: false };
  if (next === null) return outcomeOf<T>(id, version, eventId, await collection.deleteIfNewer(id, version), null);
  return outcomeOf(id, version, eventId, await collection.upsertIfNewer(id, version, next), next);
}

/** The outcome of a write: with the written document (or the deletion) when it applied. */
function outcomeOf<T>(id: string, version: number, eventId: string, applied: boolean, written: T | null): ProjectionOutcome<T> {
  if (!applied) return { id, version, eventId, applied };
  return written === null ? { id, version, eventId, applied, deleted: true } : { id, version, eventId, applied, document: written };
}

/** A duplicate or replay: the document is at this event's version (it wrote it) or newer. */
function notAppliedOver<T>(current: ReadModelDocument<T>, id: string, version: number, eventId: string): ProjectionOutcome<T> {
  return current.version === version ? { id, version, eventId, applied: false, document: current.data } : { id, version, eventId, applied: false };
}
