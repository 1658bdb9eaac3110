/** Where a key lives: keys are scoped per client, so two clients may use the same key. */
export interface IdempotencyScope {
  /** The caller's client id (`Principal.clientId`). */
  clientId: string;
  /** The `Idempotency-Key` the client sent. */
  key: string;
}

/** A request to run once: its scope plus the fingerprint of what it asks for. */
export interface IdempotentRequest extends IdempotencyScope {
  /** A digest of the request (command type, caller, canonical body); equal requests, equal fingerprints. */
  fingerprint: string;
}

/** The response stored with a completed key and replayed to every retry. */
export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

/** A key this request now owns, until it completes, releases it or its lease runs out. */
export interface IdempotencyClaim extends IdempotentRequest {
  /** Unique per claim: a completion or release by a claim that lost its lease changes nothing. */
  token: string;
}

/** The answer to {@link IdempotencyStore.claim}: run the request, or replay the stored response. */
export type ClaimOutcome = { outcome: 'claimed'; claim: IdempotencyClaim } | { outcome: 'replay'; response: StoredResponse };

/**
 * How to complete a claim atomically with the events of an append: the writer builds the
 * response from what it is about to store and writes it in the same transaction as the events
 * (SQLite: one transaction; DynamoDB: one TransactWriteItems with a condition on the token).
 */
export interface IdempotencyCompletion<Result> {
  claim: IdempotencyClaim;
  /** The response to store, built from the outcome before anything is written. */
  response(result: Result): StoredResponse;
}

/** Error codes owned by the IdempotencyStore port. */
export const IDEMPOTENCY_ERRORS = {
  /** The key was used for a different request (another body, command or subject); details: field. */
  KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** A request with this key is still running (its lease has not run out); details: field, retryAfterSeconds. */
  KEY_IN_USE: 'IDEMPOTENCY_KEY_IN_USE',
  /** The claim's lease ran out and another request took the key over; this one wrote nothing. */
  CLAIM_LOST: 'IDEMPOTENCY_CLAIM_LOST',
  /** The storage engine failed; retryable. */
  STORE_UNAVAILABLE: 'IDEMPOTENCY_STORE_UNAVAILABLE',
} as const;

/**
 * Remembers, per client and key, that a request ran and what it answered (IETF httpapi draft
 * "The Idempotency-Key HTTP Header Field"; the semantics of Powertools for AWS Lambda's
 * idempotency utility).
 *
 * Life of a key: `claim` creates it in progress with a lease; the owner then either completes it
 * (atomically with its events through {@link IdempotencyCompletion}, or with `complete` when it
 * stored no events) or `release`s it (a failure that a retry may fix). A completed key replays
 * its response until it expires (a TTL counted from the claim); an in-progress key whose lease ran
 * out (its owner crashed) may be claimed again by a request with the same fingerprint.
 *
 * Errors: `IDEMPOTENCY_KEY_REUSED` (same key, other fingerprint, until the key expires),
 * `IDEMPOTENCY_KEY_IN_USE` (claimed and its lease has not run out), `IDEMPOTENCY_CLAIM_LOST`
 * (complete by a claim that lost its lease), `IDEMPOTENCY_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const claimed = await store.claim({ clientId: 'web', key: 'k-1', fingerprint });
 * if (claimed.outcome === 'replay') return claimed.response;
 * ```
 */
export interface IdempotencyStore {
  /** Claims the key for this request, or returns the response stored by an earlier one. */
  claim(request: IdempotentRequest): Promise<ClaimOutcome>;
  /** Stores the response of a claim whose request appended no events (a refusal, a no-op). */
  complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** Gives an in-progress key up, so that a retry runs the request again; a no-op for a lost claim. */
  release(claim: IdempotencyClaim): Promise<void>;
}
