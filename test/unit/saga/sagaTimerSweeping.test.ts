import Database from 'better-sqlite3';
import { SqliteSagaDeadlineStore } from '../../../adapters/embedded/SqliteSagaDeadlineStore';
import { SagaTimer } from '../../../core/saga/SagaTimer';
import type { SagaDeadline } from '../../../core/saga/SagaDeadlineStore';
import type { SagaOutcome } from '../../../core/saga/SagaRuntime';

describe('SagaTimer.startSweeping', () => {
  it('sweeps on its interval, one sweep at a time, until stopped', async () => {
    // given a due deadline whose handling takes longer than several intervals
    const db = new Database(':memory:');
    const deadlines = new SqliteSagaDeadlineStore(db);
    await deadlines.schedule({ sagaType: 'fulfilment', sagaId: 'fulfilment-order-1', step: 'take-payment', dueAt: '2020-01-01T00:00:00.000Z' });
    let running = 0;
    let overlapped = false;
    const handled: SagaDeadline[] = [];
    const slowRuntime = {
      timeOut: async (deadline: SagaDeadline): Promise<SagaOutcome> => {
        running += 1;
        overlapped ||= running > 1;
        await new Promise((resolve) => setTimeout(resolve, 60));
        handled.push(deadline);
        running -= 1;
        return { sagaId: deadline.sagaId, handled: true, status: 'aborted' };
      },
    };
    const timer = new SagaTimer(new Map([['fulfilment', slowRuntime]]), deadlines);
    // when it sweeps every 10 ms for a while, then stops
    const stop = timer.startSweeping(10);
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop();
    const handledWhenStopped = handled.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // then the deadline (left in place by this runtime) was handled by sweeps that never overlapped, and none after stopping
    expect(handledWhenStopped).toBeGreaterThan(0);
    expect(overlapped).toBe(false);
    expect(handled.length).toBeLessThanOrEqual(handledWhenStopped + 1);
    db.close();
  });
});
