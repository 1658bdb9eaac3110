import { execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { readyPort, stopEngine } from './engineProcess';

const REPOSITORY = resolve(__dirname, '..', '..');
const LAUNCHER = join(__dirname, 'moto_server.py');

/** A moto server on loopback: one per test run (its memory grows with data, a reset frees none). */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: the endpoint every AWS client of the tests points at. */
  endpoint: string;
  pid: number;
  /** Deletes every resource of every service (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Tunables of {@link startMotoServer}. */
export interface MotoServerOptions {
  /** Longest wait for `MOTO_READY`. @defaultValue 60000 */
  startTimeoutMs?: number;
  /** Keep running after this process ends (`npm run engines`). @defaultValue false */
  detached?: boolean;
}

/** The python with the pinned moto, installed into the per-user cache on first use. */
export function motoPython(): string {
  return execFileSync(join(REPOSITORY, 'scripts', 'install-moto.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * Starts test/engines/moto_server.py (DynamoDB requests serialised, an ephemeral port) and waits
 * until it listens. The server exits when this process's end of its stdin closes.
 */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const python = motoPython();
  const child = spawn(python, [LAUNCHER, ...(options.detached ? ['--keep-running'] : [])], {
    stdio: [options.detached ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const port = await readyPort(child, 'moto', /MOTO_READY (\d+)/, options.startTimeoutMs ?? 60_000).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    pid: child.pid ?? 0,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop: () => stopEngine(child, () => child.kill('SIGTERM'), 5_000),
  };
}
