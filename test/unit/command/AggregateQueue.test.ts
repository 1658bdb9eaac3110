import { AggregateQueue } from '../../../core/command';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('AggregateQueue', () => {
  it('runs the work of one aggregate one at a time, in arrival order', async () => {
    // given a queue and a first work that waits
    const queue = new AggregateQueue();
    const gate = deferred();
    const log: string[] = [];
    // when three works of one aggregate arrive while the first waits
    const first = queue.run('a', async () => {
      log.push('first:start');
      await gate.promise;
      log.push('first:end');
    });
    const second = queue.run('a', async () => void log.push('second'));
    const third = queue.run('a', async () => void log.push('third'));
    await Promise.resolve();
    const beforeRelease = [...log];
    gate.resolve();
    await Promise.all([first, second, third]);
    // then the later ones ran only after the first, in order
    expect(beforeRelease).toEqual(['first:start']);
    expect(log).toEqual(['first:start', 'first:end', 'second', 'third']);
  });

  it('runs the work of different aggregates concurrently', async () => {
    // given a work of aggregate a that waits
    const queue = new AggregateQueue();
    const gate = deferred();
    const blocked = queue.run('a', () => gate.promise);
    // when a work of aggregate b arrives
    const other = await queue.run('b', async () => 'b ran');
    // then it did not wait for a
    expect(other).toBe('b ran');
    gate.resolve();
    await blocked;
  });

  it('runs the next work after a failed one, and settles each as its work did', async () => {
    // given a failing work followed by another
    const queue = new AggregateQueue();
    // when
    const failed = queue.run('a', async () => {
      throw new Error('boom');
    });
    const next = queue.run('a', async () => 'next ran');
    // then
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next ran');
  });

  it('forgets an aggregate once its work is done', async () => {
    // given
    const queue = new AggregateQueue();
    // when
    await queue.run('a', async () => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    // then
    expect(queue.size).toBe(0);
  });
});
