import type { AccessGuard } from '../auth/AccessGuard';
import type { ResourceRef } from '../auth/Authorizer';
import type { Principal } from '../auth/Principal';
import { HttpRequestError, HTTP_ERRORS } from '../http/HttpErrors';
import { once } from '../http/once';
import { collectionOf, collectionOptionsOf } from '../readmodel/ReadModelDeclaration';
import type { ReadModelDeclaration } from '../readmodel/ReadModelDeclaration';
import type { ReadModelCollection, ReadModelDocument, ReadModelStore } from '../readmodel/ReadModelStore';
import type { DocumentChanged } from './DocumentChanged';
import type { ChangedFrame, SubscribeFrame } from './NotificationProtocol';

/** An authorized subscription: what it delivers, and to whom. */
export interface NotificationSubscription {
  subscriptionId: string;
  resourceType: string;
  /** One document; absent: the whole resource type. */
  id?: string;
  /** Set when the policy grants the caller its own documents only: deliver changes whose owner is this principal id. */
  ownerOnly?: string;
}

/** What {@link SubscriptionAuthorizer.authorize} settles. */
export interface AuthorizedSubscription {
  subscription: NotificationSubscription;
  /** With `id` and a `lastVersion` older than the document: its current version, to send at once. */
  catchUp?: ChangedFrame;
}

/** What {@link SubscriptionAuthorizer} asks. */
export interface SubscriptionAuthorizerDependencies {
  /** The declared read models (the same list the HTTP read routes serve). */
  readModels: readonly ReadModelDeclaration[];
  /** Where their documents live (owners of one-document subscriptions, `lastVersion` catch-up). */
  store: ReadModelStore;
  guard: AccessGuard;
}

interface Served {
  declaration: ReadModelDeclaration;
  collection: ReadModelCollection;
}

/**
 * Authorizes subscriptions with the policy the HTTP read routes ask, with the same input: a
 * resource-type subscription is a `query:<resourceType>.list` without an owner filter (a grant on
 * own documents only delivers the caller's own, by the read model's `ownerField`; a read model
 * without one is refused to such a grant), a one-document subscription is a
 * `query:<resourceType>.get` of that document (its owner looked up only when the grant is `own`).
 * Transport-free: the embedded `ws` server and the AWS `$default` handler share it.
 *
 * Errors (rejections): `UNKNOWN_RESOURCE_TYPE` (field resourceType), `PERMISSION_DENIED`,
 * `NOT_FOUND` (a one-document subscription under an `own` grant to a document that does not exist
 * yet: its owner is unknown, so it cannot be granted; subscribe to the resource type instead),
 * and the store's errors.
 */
export class SubscriptionAuthorizer {
  private readonly served = new Map<string, Served>();

  constructor(private readonly deps: SubscriptionAuthorizerDependencies) {
    for (const declaration of deps.readModels) {
      this.served.set(declaration.resourceType, { declaration, collection: deps.store.collection(collectionOf(declaration), collectionOptionsOf(declaration)) });
    }
  }

  /** Settles one `subscribe` frame for `principal`. */
  async authorize(principal: Principal, frame: SubscribeFrame, correlationId: string): Promise<AuthorizedSubscription> {
    const served = this.served.get(frame.resourceType);
    if (served === undefined) {
      throw new HttpRequestError(HTTP_ERRORS.UNKNOWN_RESOURCE_TYPE, `no read model is declared with resource type "${frame.resourceType}"`, { field: 'resourceType', resourceType: frame.resourceType });
    }
    const { declaration, collection } = served;
    const permission = declaration.permission ?? declaration.resourceType;
    const { ownerField } = declaration;
    const base = { subscriptionId: frame.subscriptionId, resourceType: frame.resourceType };
    if (frame.id === undefined) {
      const decision = await this.deps.guard.authorize({
        principal,
        action: `query:${declaration.resourceType}.list`,
        permission,
        correlationId,
        // As the list route without an owner filter: with no owner field nobody owns the documents.
        ...(ownerField === undefined ? { resource: async () => resourceOf(declaration, undefined, undefined) } : {}),
      });
      return { subscription: { ...base, ...(decision.scope === 'own' ? { ownerOnly: principal.id } : {}) } };
    }
    const { id } = frame;
    const document = once(async () => collection.get(id));
    const decision = await this.deps.guard.authorize({
      principal,
      action: `query:${declaration.resourceType}.get`,
      permission,
      correlationId,
      resource: async () => {
        const found = await document();
        if (found === undefined) throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `${declaration.documentType} ${id} not found`, { field: 'id', id });
        return resourceOf(declaration, id, ownerField === undefined ? undefined : found.data[ownerField]);
      },
    });
    const subscription: NotificationSubscription = { ...base, id, ...(decision.scope === 'own' ? { ownerOnly: principal.id } : {}) };
    if (frame.lastVersion === undefined) return { subscription };
    const current = await document();
    const catchUp = current === undefined || current.version <= frame.lastVersion ? undefined : catchUpFrame(subscription, declaration, id, current);
    return { subscription, ...(catchUp === undefined ? {} : { catchUp }) };
  }
}

/**
 * True when `subscription` delivers `change`: its resource type, its document (if it names one),
 * and under an `own` grant a change whose owner is the subscriber. A change without an owner is
 * nobody's, so an `own` grant never receives it.
 */
export function subscriptionMatches(subscription: NotificationSubscription, change: DocumentChanged): boolean {
  if (change.resourceType !== subscription.resourceType) return false;
  if (subscription.id !== undefined && change.id !== subscription.id) return false;
  return subscription.ownerOnly === undefined || change.owner === subscription.ownerOnly;
}

function catchUpFrame(subscription: NotificationSubscription, declaration: ReadModelDeclaration, id: string, current: ReadModelDocument<Record<string, unknown>>): ChangedFrame {
  const owner = declaration.ownerField === undefined ? undefined : current.data[declaration.ownerField];
  return {
    type: 'changed',
    subscriptionId: subscription.subscriptionId,
    resourceType: subscription.resourceType,
    id,
    version: current.version,
    ...(typeof owner === 'string' ? { owner } : {}),
  };
}

function resourceOf(declaration: ReadModelDeclaration, id: string | undefined, ownerId: unknown): ResourceRef {
  return { type: declaration.documentType, ...(id === undefined ? {} : { id }), ...(typeof ownerId === 'string' ? { ownerId } : {}) };
}
