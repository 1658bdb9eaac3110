import { randomUUID } from 'node:crypto';
import type { AppendOutcome, EventStore } from '../../core/events/EventStore';
import { IDEMPOTENCY_ERRORS } from '../../core/idempotency/IdempotencyStore';
import type { ClaimOutcome, IdempotencyClaim, IdempotencyCompletion, IdempotencyStore, IdempotentRequest, StoredResponse } from '../../core/idempotency/IdempotencyStore';
import { newAggregateId, orderContext, orderItemAdded, orderPlaced } from './eventFixtures';

/** An idempotency store under test, on its own. */
export interface IdempotencyKeysUnderTest {
  idempotency: IdempotencyStore;
  close(): Promise<void>;
}

/** An idempotency store under test, beside the event store that completes its claims. */
export interface IdempotencyStoreUnderTest extends IdempotencyKeysUnderTest {
  /** An event store that writes completions in the same transaction as its events. */
  eventStore: EventStore;
}

/** What the suite asks of the factory: its clock and the key lifetimes. */
export interface IdempotencyStoreContractOptions {
  clock: () => Date;
  ttlSeconds: number;
  leaseMs: number;
}

const TTL_SECONDS = 3600;
const LEASE_MS = 10_000;

/**
 * The IdempotencyStore contract; every implementation runs it, together with its event store
 * (completion atomic with the events). Each case uses fresh keys and aggregate ids.
 */
export function describeIdempotencyStoreContract(
  name: string,
  factory: (options: IdempotencyStoreContractOptions) => Promise<IdempotencyStoreUnderTest>,
): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    const fixture = useFixture(factory);
    describeKeyCases(fixture);
    describeAppendCases(fixture);
  });
}

/**
 * The part of the contract that needs no event store (claims, completion without events,
 * release, leases, expiry): for an implementation whose event store is not wired yet. The full
 * contract ({@link describeIdempotencyStoreContract}) runs these cases too.
 */
export function describeIdempotencyKeyContract(
  name: string,
  factory: (options: IdempotencyStoreContractOptions) => Promise<IdempotencyKeysUnderTest>,
): void {
  describe(`IdempotencyStore contract (keys): ${name}`, () => {
    describeKeyCases(useFixture(factory));
  });
}

interface Fixture<Subject> {
  subject(): Subject;
  store(): IdempotencyStore;
  advance(ms: number): void;
}

/** A fresh subject per case, on a clock that only the case moves. */
function useFixture<Subject extends IdempotencyKeysUnderTest>(factory: (options: IdempotencyStoreContractOptions) => Promise<Subject>): Fixture<Subject> {
  let subject: Subject | undefined;
  let nowMs = 0;
  beforeEach(async () => {
    nowMs = Date.parse('2030-01-01T00:00:00.000Z');
    subject = await factory({ clock: () => new Date(nowMs), ttlSeconds: TTL_SECONDS, leaseMs: LEASE_MS });
  });
  afterEach(async () => {
    await subject?.close();
    subject = undefined;
  });
  const current = (): Subject => {
    if (!subject) throw new Error('no subject: the factory failed');
    return subject;
  };
  return { subject: current, store: () => current().idempotency, advance: (ms) => void (nowMs += ms) };
}

function describeKeyCases(fixture: Fixture<IdempotencyKeysUnderTest>): void {
  let store: IdempotencyStore;
  const advance = fixture.advance;
  beforeEach(() => {
    store = fixture.store();
  });

  it('claims a new key', async () => {
    // given a key never seen
    const request = newRequest();
    // when
    const outcome = await store.claim(request);
    // then
    expect(outcome).toMatchObject({ outcome: 'claimed', claim: request });
  });

  it('refuses a second claim while the first is in progress', async () => {
    // given a claimed key
    const request = newRequest();
    await store.claim(request);
    // when the same request claims it again before the lease ends
    advance(LEASE_MS - 1);
    const second = store.claim(request);
    // then
    await expect(second).rejects.toMatchObject({ code: IDEMPOTENCY_ERRORS.KEY_IN_USE, details: { field: 'Idempotency-Key' } });
  });

  it('replays the stored response of a completed key', async () => {
    // given a key completed with a response
    const request = newRequest();
    const claim = claimed(await store.claim(request));
    await store.complete(claim, RESPONSE);
    // when the same request comes again
    const again = await store.claim(request);
    // then
    expect(again).toEqual({ outcome: 'replay', response: RESPONSE });
  });

  it('refuses the key for a request with another fingerprint, in progress or completed', async () => {
    // given one key in progress and one completed
    const running = newRequest();
    await store.claim(running);
    const done = newRequest();
    await store.complete(claimed(await store.claim(done)), RESPONSE);
    // when other requests use the same keys (both settled before asserting: an async store may
    // reject the second while the first is being checked, an unhandled rejection for Jest)
    const [onRunning, onDone] = await Promise.allSettled([store.claim({ ...running, fingerprint: 'other' }), store.claim({ ...done, fingerprint: 'other' })]);
    // then
    expect(onRunning).toMatchObject({ status: 'rejected', reason: { code: IDEMPOTENCY_ERRORS.KEY_REUSED, details: { field: 'Idempotency-Key' } } });
    expect(onDone).toMatchObject({ status: 'rejected', reason: { code: IDEMPOTENCY_ERRORS.KEY_REUSED } });
  });

  it('scopes keys per client', async () => {
    // given a key completed by one client
    const request = newRequest();
    await store.complete(claimed(await store.claim(request)), RESPONSE);
    // when another client uses the same key
    const other = await store.claim({ ...request, clientId: 'another-client', fingerprint: 'its own' });
    // then it gets its own claim
    expect(other.outcome).toBe('claimed');
  });

  it('lets a retry claim a released key', async () => {
    // given a claim given up (the request failed in a way a retry may fix)
    const request = newRequest();
    const first = claimed(await store.claim(request));
    await store.release(first);
    // when
    const second = await store.claim(request);
    // then
    expect(second.outcome).toBe('claimed');
  });

  it('lets a retry take over a claim whose lease ran out, and refuses the old owner', async () => {
    // given a claim whose owner crashed
    const request = newRequest();
    const crashed = claimed(await store.claim(request));
    advance(LEASE_MS);
    // when a retry claims the key, and the old owner wakes up and completes
    const retry = claimed(await store.claim(request));
    const late = store.complete(crashed, RESPONSE);
    // then the old owner's completion is refused and the retry's stands
    await expect(late).rejects.toMatchObject({ code: IDEMPOTENCY_ERRORS.CLAIM_LOST });
    await store.release(crashed);
    await store.complete(retry, { ...RESPONSE, body: '{"by":"retry"}' });
    expect(await store.claim(request)).toEqual({ outcome: 'replay', response: { ...RESPONSE, body: '{"by":"retry"}' } });
  });

  it('forgets a key once it expires, whatever it was used for', async () => {
    // given a completed key
    const request = newRequest();
    await store.complete(claimed(await store.claim(request)), RESPONSE);
    // when its TTL has passed
    advance(TTL_SECONDS * 1000);
    const reused = await store.claim({ ...request, fingerprint: 'a new request' });
    // then it can be claimed for anything
    expect(reused.outcome).toBe('claimed');
  });
}

function describeAppendCases(fixture: Fixture<IdempotencyStoreUnderTest>): void {
  let store: IdempotencyStore;
  let subject: IdempotencyStoreUnderTest;
  const advance = fixture.advance;
  beforeEach(() => {
    subject = fixture.subject();
    store = subject.idempotency;
  });

  it('completes a key in the same transaction as the events it answers for', async () => {
    // given a claimed key and a new order
    const request = newRequest();
    const claim = claimed(await store.claim(request));
    const orderId = newAggregateId();
    // when the events are appended with the completion
    const appended = await subject.eventStore.append(orderId, 0, [orderPlaced(orderId), orderItemAdded(orderId)], orderContext(), {
      idempotency: completionOf(claim),
    });
    // then the stored response was built from the append, and the events are there
    const replay = await store.claim(request);
    expect(replay).toEqual({ outcome: 'replay', response: responseOf(appended) });
    expect(await subject.eventStore.currentVersion(orderId)).toBe(2);
  });

  it.each([1, 2])('writes neither the events (%i) nor the response when the completion fails after the events', async (count) => {
    // given a claim that lost its lease to a retry
    const request = newRequest();
    const stale = claimed(await store.claim(request));
    advance(LEASE_MS);
    const retry = claimed(await store.claim(request));
    const orderId = newAggregateId();
    const events = [orderPlaced(orderId), orderItemAdded(orderId)].slice(0, count);
    // when the stale owner appends with its completion
    const append = subject.eventStore.append(orderId, 0, events, orderContext(), { idempotency: completionOf(stale) });
    // then the whole append is refused: no event, and the key is still the retry's
    await expect(append).rejects.toMatchObject({ code: IDEMPOTENCY_ERRORS.CLAIM_LOST });
    expect(await subject.eventStore.currentVersion(orderId)).toBe(0);
    await expect(store.claim(request)).rejects.toMatchObject({ code: IDEMPOTENCY_ERRORS.KEY_IN_USE });
    await store.complete(retry, RESPONSE);
  });

  it('leaves the key in progress when the append conflicts', async () => {
    // given an order at version 1 and a claimed key
    const orderId = newAggregateId();
    await subject.eventStore.append(orderId, 0, [orderPlaced(orderId)], orderContext());
    const request = newRequest();
    const claim = claimed(await store.claim(request));
    // when an append at a stale version carries the completion
    const append = subject.eventStore.append(orderId, 0, [orderItemAdded(orderId)], orderContext(), { idempotency: completionOf(claim) });
    // then nothing is written and the claim can still complete with a later append
    await expect(append).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    await expect(store.claim(request)).rejects.toMatchObject({ code: IDEMPOTENCY_ERRORS.KEY_IN_USE });
    const appended = await subject.eventStore.append(orderId, 1, [orderItemAdded(orderId)], orderContext(), { idempotency: completionOf(claim) });
    expect(await store.claim(request)).toEqual({ outcome: 'replay', response: responseOf(appended) });
  });
}

const RESPONSE: StoredResponse = { status: 409, contentType: 'application/problem+json', body: '{"code":"ORDER_ALREADY_CANCELLED"}' };

function newRequest(): IdempotentRequest {
  return { clientId: 'client-1', key: randomUUID(), fingerprint: randomUUID() };
}

function claimed(outcome: ClaimOutcome): IdempotencyClaim {
  if (outcome.outcome !== 'claimed') throw new Error(`expected a claim, got ${outcome.outcome}`);
  return outcome.claim;
}

function responseOf(appended: AppendOutcome): StoredResponse {
  return { status: 202, contentType: 'application/json', body: JSON.stringify({ aggregateId: appended.aggregateId, version: appended.version, eventIds: appended.eventIds }) };
}

function completionOf(claim: IdempotencyClaim): IdempotencyCompletion<AppendOutcome> {
  return { claim, response: responseOf };
}
