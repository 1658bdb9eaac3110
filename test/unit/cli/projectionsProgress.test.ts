import { formatRebuildProgress, rebuildProgressPrinter } from '../../../handlers/cli/projectionsProgress';
import type { RebuildProgress } from '../../../core/projection/rebuild/rebuildProjection';

const halfway: RebuildProgress = { pipeline: 'order-list', version: 2, phase: 'replaying', eventsDone: 1200, position: 1200, targetPosition: 2400, eventsPerSecond: 3400.4, etaSeconds: 75.2 };

function captured(isTTY: boolean): { stream: { isTTY: boolean; write(text: string): boolean }; text: () => string } {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (text) => chunks.push(text) > 0 }, text: () => chunks.join('') };
}

describe('rebuild progress', () => {
  it('shows events done, events/s and the ETA beside a bar', () => {
    // given a rebuild halfway to its target
    // when it is formatted
    const line = formatRebuildProgress(halfway, 10);
    // then
    expect(line).toBe('order-list v2 replaying [#####-----]  50% 1,200 events 3,400 events/s ETA 1m16s');
  });

  it('redraws one line on a terminal, and prints plain lines (one per phase, throttled) elsewhere', () => {
    // given a terminal and a pipe
    const terminal = captured(true);
    const pipe = captured(false);
    const onTerminal = rebuildProgressPrinter(terminal.stream, { barWidth: 4 });
    const onPipe = rebuildProgressPrinter(pipe.stream, { barWidth: 4, plainIntervalMs: 60_000 });
    // when the same three reports reach both
    for (const progress of [halfway, { ...halfway, eventsDone: 1300 }, { ...halfway, phase: 'switched' as const, etaSeconds: undefined }]) {
      onTerminal(progress);
      onPipe(progress);
    }
    // then the terminal line is redrawn in place and ends with a newline once switched
    expect(terminal.text().split('\r')).toHaveLength(4);
    expect(terminal.text().endsWith('done\u001b[K\n')).toBe(true);
    // and the pipe got the first line and the phase change only
    expect(pipe.text().split('\n').filter(Boolean)).toEqual([
      'order-list v2 replaying [##--]  50% 1,200 events 3,400 events/s ETA 1m16s',
      'order-list v2 switched  [####] 100% 1,200 events 3,400 events/s done',
    ]);
  });
});
