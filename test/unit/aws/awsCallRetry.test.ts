import { AWS_RETRIES_EXHAUSTED, callWithRetry, isTransientAwsError } from '../../../adapters/aws/awsCallRetry';

const awsError = (name: string, status?: number): Error => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('callWithRetry', () => {
  const fast = { initialBackoffMs: 1, maxBackoffMs: 2 };

  it('retries throttling until the call succeeds', async () => {
    // given a call throttled twice
    let calls = 0;
    const call = async (): Promise<string> => {
      calls += 1;
      if (calls < 3) throw awsError('ProvisionedThroughputExceededException', 400);
      return 'done';
    };
    // when
    const result = await callWithRetry('PutItem', call, fast);
    // then
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after maxAttempts with a named error carrying the last fault', async () => {
    // given a service that always answers 503
    let calls = 0;
    const call = async (): Promise<never> => {
      calls += 1;
      throw awsError('ServiceUnavailable', 503);
    };
    // when
    const failure = await callWithRetry('Query', call, fast).catch((error: unknown) => error);
    // then
    expect(calls).toBe(5);
    expect(failure).toMatchObject({ code: AWS_RETRIES_EXHAUSTED, details: { operation: 'Query', attempts: 5 } });
    expect((failure as Error).cause).toMatchObject({ name: 'ServiceUnavailable' });
  });

  it('throws a non-transient error at once, unchanged', async () => {
    // given a failed condition
    const condition = awsError('ConditionalCheckFailedException', 400);
    let calls = 0;
    // when
    const failure = await callWithRetry('PutItem', async () => {
      calls += 1;
      throw condition;
    }, fast).catch((error: unknown) => error);
    // then
    expect(failure).toBe(condition);
    expect(calls).toBe(1);
  });

  it('waits full-jitter delays that double up to the ceiling', async () => {
    // given jitter fixed at the top of its range
    const delays: number[] = [];
    const call = async (): Promise<never> => {
      throw awsError('ThrottlingException', 400);
    };
    // when
    await callWithRetry('GetRecords', call, { initialBackoffMs: 2, maxBackoffMs: 6, random: () => 0.999, onRetry: (_e, _a, delayMs) => delays.push(delayMs) }).catch(() => undefined);
    // then
    expect(delays).toEqual([1, 3, 5, 5]);
  });
});

describe('isTransientAwsError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', awsError('ProvisionedThroughputExceededException', 400)],
    ['ThrottlingException', awsError('ThrottlingException', 400)],
    ['TransactionConflictException', awsError('TransactionConflictException', 400)],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded', 400)],
    ['a 500', awsError('SomethingBroke', 500)],
    ['a socket reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
  ])('retries %s', (_label, error) => {
    expect(isTransientAwsError(error)).toBe(true);
  });

  it.each([
    ['a failed condition', awsError('ConditionalCheckFailedException', 400)],
    ['a validation error', awsError('ValidationException', 400)],
    ['a missing table', awsError('ResourceNotFoundException', 400)],
    ['a plain error', new Error('bug')],
    ['not an error', 'text'],
  ])('does not retry %s', (_label, error) => {
    expect(isTransientAwsError(error)).toBe(false);
  });
});
