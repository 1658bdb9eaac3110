import { NotificationThrottle } from '../../../core/notifications/NotificationThrottle';
import type { ThrottleClock } from '../../../core/notifications/NotificationThrottle';
import type { ChangedFrame, ResyncFrame } from '../../../core/notifications/NotificationProtocol';

/** A clock that moves only when the test says so, firing due timers in order. */
class VirtualClock implements ThrottleClock {
  private time = 0;
  private timers: { at: number; callback: () => void }[] = [];
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = { at: this.time + delayMs, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((candidate) => candidate !== timer);
    };
  }
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = until;
  }
}

function change(id: string, version: number): { resourceType: string; id: string; version: number; eventId: string; owner: string } {
  return { resourceType: 'orders', id, version, eventId: `e-${id}-${version}`, owner: 'alice' };
}

function throttled(options: { maxPerWindow: number; maxPendingDocuments?: number }): { clock: VirtualClock; frames: (ChangedFrame | ResyncFrame)[]; throttle: NotificationThrottle } {
  const clock = new VirtualClock();
  const frames: (ChangedFrame | ResyncFrame)[] = [];
  const throttle = new NotificationThrottle((frame) => frames.push(frame), { ...options, windowMs: 1000, clock });
  return { clock, frames, throttle };
}

describe('NotificationThrottle', () => {
  it('sends at once while the client is within its budget', () => {
    // given a budget of 3 per second
    const { frames, throttle } = throttled({ maxPerWindow: 3 });
    // when 3 documents change
    for (const id of ['a', 'b', 'c']) throttle.offer({ subscriptionId: 's1', change: change(id, 1), position: 1 });
    // then 3 frames went out, none coalesced
    expect(frames.map((frame) => (frame as ChangedFrame).id)).toEqual(['a', 'b', 'c']);
    expect(frames.every((frame) => (frame as ChangedFrame).coalesced === undefined)).toBe(true);
  });

  it('never sends more than the budget within any window, and sends the rest when budget frees up', () => {
    // given a budget of 2 per second
    const { clock, frames, throttle } = throttled({ maxPerWindow: 2 });
    // when 5 distinct documents change at once
    for (let index = 1; index <= 5; index += 1) throttle.offer({ subscriptionId: 's1', change: change(`o${index}`, 1), position: index });
    // then 2 go now, 2 after a second, the last after two
    expect(frames).toHaveLength(2);
    clock.advance(999);
    expect(frames).toHaveLength(2);
    clock.advance(1);
    expect(frames).toHaveLength(4);
    clock.advance(1000);
    expect(frames.map((frame) => (frame as ChangedFrame).id)).toEqual(['o1', 'o2', 'o3', 'o4', 'o5']);
    expect(throttle.waiting).toBe(0);
  });

  it('coalesces waiting changes of one document to its newest version and says how many it replaces', () => {
    // given a spent budget
    const { clock, frames, throttle } = throttled({ maxPerWindow: 1 });
    throttle.offer({ subscriptionId: 's1', change: change('o1', 1), position: 1 });
    // when the same document changes 4 more times, one of them arriving late (an older version)
    for (const [version, position] of [[2, 2], [3, 3], [5, 5], [4, 4]] as const) throttle.offer({ subscriptionId: 's1', change: change('o1', version), position });
    clock.advance(1000);
    // then one more frame: the newest version, replacing 3 others
    expect(frames).toHaveLength(2);
    expect(frames[1]).toMatchObject({ type: 'changed', id: 'o1', version: 5, eventId: 'e-o1-5', coalesced: 3, resumeAfter: 5 });
  });

  it('gives a resume position that never skips a change still waiting', () => {
    // given a budget of 1 and three changes: o1@1 sent, o2 waiting (position 2), o1 again waiting (position 3)
    const { clock, frames, throttle } = throttled({ maxPerWindow: 1 });
    throttle.offer({ subscriptionId: 's1', change: change('o1', 1), position: 1 });
    throttle.offer({ subscriptionId: 's1', change: change('o2', 1), position: 2 });
    throttle.offer({ subscriptionId: 's1', change: change('o1', 2), position: 3 });
    // when the budget frees up twice
    clock.advance(1000);
    clock.advance(1000);
    // then o2 says "resume after 2" (o1@2 at position 3 still waits), and o1@2 says "after 3"
    expect(frames.map((frame) => [(frame as ChangedFrame).id, frame.resumeAfter])).toEqual([['o1', 1], ['o2', 2], ['o1', 3]]);
  });

  it('turns a subscription whose waiting documents overflow into one resync frame, never a silent drop', () => {
    // given a spent budget and room for 2 waiting documents
    const { clock, frames, throttle } = throttled({ maxPerWindow: 1, maxPendingDocuments: 2 });
    throttle.offer({ subscriptionId: 's1', change: change('o0', 1), position: 1 });
    // when 3 more documents change
    for (let index = 1; index <= 3; index += 1) throttle.offer({ subscriptionId: 's1', change: change(`o${index}`, 1), position: index + 1 });
    clock.advance(5000);
    // then the client receives a resync for the subscription instead of the waiting changes
    expect(frames.slice(1)).toEqual([{ type: 'resync', subscriptionId: 's1', reason: 'overflow', resumeAfter: 4 }]);
  });

  it('drops what waits for a subscription once it is forgotten', () => {
    // given a waiting change
    const { clock, frames, throttle } = throttled({ maxPerWindow: 1 });
    throttle.offer({ subscriptionId: 's1', change: change('o1', 1) });
    throttle.offer({ subscriptionId: 's1', change: change('o2', 1) });
    // when the subscription ends
    throttle.forget('s1');
    clock.advance(2000);
    // then nothing more is sent for it
    expect(frames).toHaveLength(1);
  });
});
