import { errorCodeOf } from '../../core/errors/NexusError';
import { SQLITE_DATABASE_ERRORS } from '../../adapters/embedded';

/** Tunables of {@link StoreWriteProbe}. */
export interface StoreWriteProbeOptions {
  /**
   * How long a probe's verdict answers further checks. /health may be polled a thousand times a
   * second (a load balancer, a benchmark); each probe takes the database's write lock for a
   * moment, so it runs at most this often. @defaultValue 1000
   */
  cacheMs?: number;
  /** A probe that met another process's write lock is tried again this many times in all. @defaultValue 5 */
  busyAttempts?: number;
  /** Pause between those attempts (the event loop is never blocked). @defaultValue 50 */
  busyPauseMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** Defaults of {@link StoreWriteProbeOptions}. */
export const STORE_WRITE_PROBE_DEFAULTS: Required<StoreWriteProbeOptions> = {
  cacheMs: 1000,
  busyAttempts: 5,
  busyPauseMs: 50,
  now: Date.now,
};

interface Verdict {
  at: number;
  outcome: Promise<void>;
}

/**
 * Tells /health whether the event store can write now, without letting /health traffic contend
 * for the write lock: one probe at a time, its verdict (success or the error) shared by every
 * check within `cacheMs`. A lock that another process holds for a moment is waited out; one it
 * keeps is a fault (every append would wait, then fail).
 */
export class StoreWriteProbe {
  private readonly options: Required<StoreWriteProbeOptions>;
  private last: Verdict | undefined;

  constructor(
    private readonly probe: () => void,
    options: StoreWriteProbeOptions = {},
  ) {
    this.options = { ...STORE_WRITE_PROBE_DEFAULTS, ...options };
  }

  /** Resolves when the store could write at the last probe; rejects with that probe's error. */
  check(): Promise<void> {
    const now = this.options.now();
    if (this.last === undefined || now - this.last.at >= this.options.cacheMs) this.last = { at: now, outcome: this.run() };
    return this.last.outcome;
  }

  private async run(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.probe();
        return;
      } catch (error) {
        if (errorCodeOf(error) !== SQLITE_DATABASE_ERRORS.LOCKED || attempt >= this.options.busyAttempts) throw error;
        await new Promise((done) => setTimeout(done, this.options.busyPauseMs));
      }
    }
  }
}
