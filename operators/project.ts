import { concatMap, map } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';
import { isSyncReadModelCollection } from '../core/readmodel/ReadModelStore';
import type { ReadModelCollection, SyncReadModelCollection } from '../core/readmodel/ReadModelStore';

/** Folds one event into a document: the new data, or null to delete the document. */
export type ProjectionReducer<T> = (current: T | undefined, event: PipelineEvent) => T | null;

/** What {@link project} did with one event. */
export interface ProjectionOutcome {
  /** Document id: the event's aggregate id. */
  id: string;
  /** The event's aggregate version. */
  version: number;
  /** False when the document was already at this version or newer (a duplicate or replay). */
  applied: boolean;
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
): OperatorFunction<PipelineEvent, ProjectionOutcome> {
  // Documents are schemaless JSON: the reducer owns their shape, so an untyped collection
  // (`readModels.collection('orders')`) is accepted and typed by the reducer.
  const typed = collection as ReadModelCollection<T>;
  // A store that answers synchronously (embedded SQLite) is applied in `map`: the same order and
  // errors as concatMap over promises, without two promises and a subscription per record.
  if (isSyncReadModelCollection(typed)) return map((event) => applyEventNow(typed, reducer, event));
  return concatMap((event) => applyEvent(typed, reducer, event));
}

function applyEventNow<T>(collection: SyncReadModelCollection<T>, reducer: ProjectionReducer<T>, event: PipelineEvent): ProjectionOutcome {
  const id = event.envelope.aggregateId;
  const version = event.envelope.aggregateVersion;
  const current = collection.getNow(id);
  if (current !== undefined && current.version >= version) return { id, version, applied: false };
  const next = reducer(current?.data, event);
  if (next === null && current === undefined) return { id, version, applied: false };
  const applied = next === null ? collection.deleteIfNewerNow(id, version) : collection.upsertIfNewerNow(id, version, next);
  return { id, version, applied };
}

async function applyEvent<T>(collection: ReadModelCollection<T>, reducer: ProjectionReducer<T>, event: PipelineEvent): Promise<ProjectionOutcome> {
  const id = event.envelope.aggregateId;
  const version = event.envelope.aggregateVersion;
  const current = await collection.get(id);
  if (current !== undefined && current.version >= version) return { id, version, applied: false };
  const next = reducer(current?.data, event);
  // Nothing to delete: a tombstone here would refuse this document's earlier events when they
  // come later (a rebuild's catch-up after the live pipeline met the new version first).
  if (next === null && current === undefined) return { id, version, applied: false };
  const applied = next === null ? await collection.deleteIfNewer(id, version) : await collection.upsertIfNewer(id, version, next);
  return { id, version, applied };
}
