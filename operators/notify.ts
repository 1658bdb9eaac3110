import { concatMap, from, identity, map } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { DocumentChanged, NotificationPublisher } from '../core/notifications/DocumentChanged';
import { isSyncNotificationPublisher } from '../core/notifications/NotificationLog';
import type { ReadModelDeclaration } from '../core/readmodel/ReadModelDeclaration';
import type { ProjectionOutcome } from './project';

/**
 * Publishes "this document changed" for each outcome of {@link project} that wrote the read model
 * of `readModel`: its resource type, the document id, the aggregate version, the event id, and the
 * owner (the declaration's `ownerField` in the written document). Placed after `project`, so a
 * client told of a change reads at least that version. Outcomes pass through unchanged.
 *
 * Published: applied writes, and the redelivery of the event that wrote the current version (the
 * document is at exactly its version): a publish that failed after its write is retried with the
 * record, never lost; a subscriber keeps the newest version per document, so a repeat is harmless.
 * Not published: replays of older events. Without a publisher (a rebuild's replay, a context
 * without notifications) it passes outcomes through and publishes nothing.
 *
 * @example
 * ```ts
 * records$.pipe(decode(codec), upcast(upcasters), project(collection, reducer), notify(notifications, orderListReadModel))
 * ```
 *
 * Error: a publish failure errors the output (the runner retries the record, which redelivers it).
 * A source error is forwarded at once.
 * Complete: completes after the last publish.
 * Unsubscribe: unsubscribes the source; a publish in flight is not undone.
 */
export function notify<T>(notifications: NotificationPublisher | undefined, readModel: ReadModelDeclaration): OperatorFunction<ProjectionOutcome<T>, ProjectionOutcome<T>> {
  if (notifications === undefined) return identity;
  const changeOf = (outcome: ProjectionOutcome<T>): DocumentChanged | undefined => documentChangedOf(outcome, readModel);
  // A publisher that writes without waiting (the embedded log, inside the batch's transaction)
  // publishes in `map`: no promise and inner subscription per record.
  if (isSyncNotificationPublisher(notifications)) {
    return map((outcome) => {
      const change = changeOf(outcome);
      if (change !== undefined) notifications.publishNow([change]);
      return outcome;
    });
  }
  return concatMap((outcome) => {
    const change = changeOf(outcome);
    if (change === undefined) return [outcome];
    return from(notifications.publish([change]).then(() => outcome));
  });
}

function documentChangedOf<T>(outcome: ProjectionOutcome<T>, readModel: ReadModelDeclaration): DocumentChanged | undefined {
  const written = outcome.applied || outcome.document !== undefined;
  if (!written) return undefined;
  const owner = ownerOf(outcome.document, readModel.ownerField);
  return {
    resourceType: readModel.resourceType,
    id: outcome.id,
    version: outcome.version,
    eventId: outcome.eventId,
    ...(owner === undefined ? {} : { owner }),
    ...(outcome.deleted === true ? { deleted: true } : {}),
  };
}

function ownerOf(document: unknown, ownerField: string | undefined): string | undefined {
  if (ownerField === undefined || typeof document !== 'object' || document === null) return undefined;
  const owner = (document as Record<string, unknown>)[ownerField];
  return typeof owner === 'string' ? owner : undefined;
}
