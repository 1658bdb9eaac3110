import type { RebuildProgress } from '../../core/projection/rebuild/rebuildProjection';

/** Where progress goes: a terminal gets one redrawn line, anything else plain lines. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
}

/** Options of {@link rebuildProgressPrinter}. */
export interface RebuildProgressPrinterOptions {
  /** Plain-line mode (not a terminal): at most one line this often, plus one per phase change. @defaultValue 5000 */
  plainIntervalMs?: number;
  /** Bar width in characters. @defaultValue 30 */
  barWidth?: number;
}

const DEFAULTS: Required<RebuildProgressPrinterOptions> = { plainIntervalMs: 5000, barWidth: 30 };

/**
 * Prints a rebuild's progress: on a terminal a bar redrawn in place (events done, events/s,
 * ETA); in a log or pipe, a plain line now and then, so that CI logs stay readable. Our own few
 * lines rather than a progress-bar package: one line, one format, no dependency to keep.
 */
export function rebuildProgressPrinter(stream: ProgressStream, options: RebuildProgressPrinterOptions = {}): (progress: RebuildProgress) => void {
  const settings = { ...DEFAULTS, ...options };
  let lastPhase: RebuildProgress['phase'] | undefined;
  let lastPlainMs = 0;
  return (progress) => {
    const line = formatRebuildProgress(progress, settings.barWidth);
    if (stream.isTTY === true) {
      stream.write(`\r${line}\u001b[K${progress.phase === 'switched' ? '\n' : ''}`);
      return;
    }
    const now = Date.now();
    if (progress.phase === lastPhase && now - lastPlainMs < settings.plainIntervalMs) return;
    lastPhase = progress.phase;
    lastPlainMs = now;
    stream.write(`${line}\n`);
  };
}

/** One progress line: `order-list v2 replaying [#####-----]  50% 1,200 events 3,400 events/s ETA 2s`. */
export function formatRebuildProgress(progress: RebuildProgress, barWidth = DEFAULTS.barWidth): string {
  const span = Math.max(progress.targetPosition, 1);
  const fraction = progress.phase === 'switched' ? 1 : Math.min(progress.position / span, 1);
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const eta = progress.phase === 'switched' ? 'done' : progress.etaSeconds === undefined ? 'ETA -' : `ETA ${formatSeconds(progress.etaSeconds)}`;
  const rate = Math.round(progress.eventsPerSecond).toLocaleString('en-US');
  return `${progress.pipeline} v${progress.version} ${progress.phase.padEnd(9)} ${bar} ${percent} ${progress.eventsDone.toLocaleString('en-US')} events ${rate} events/s ${eta}`;
}

function formatSeconds(seconds: number): string {
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  return minutes < 60 ? `${minutes}m${String(whole % 60).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
