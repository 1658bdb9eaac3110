import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

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
  const port = await readyPort(child, options.startTimeoutMs ?? 60_000);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    pid: child.pid ?? 0,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop: () => stopChild(child),
  };
}

function readyPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`moto did not start within ${timeoutMs} ms:\n${output.slice(-4000)}`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /MOTO_READY (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        // Keep draining: a full pipe would block the server's request log.
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolvePort(Number(match[1]));
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`moto exited (${code ?? signal}) before it listened:\n${output.slice(-4000)}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
