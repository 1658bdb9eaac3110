import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { getJson } from './http';
import { freePort } from '../../../load-tests/loadgen/NexusServer';
import { E2E_JWT_SECRET } from './e2eAuth';

const REPOSITORY = resolve(__dirname, '..', '..', '..');

/** Options of {@link startNexus}. */
export interface StartNexusOptions {
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
  /** @defaultValue 30000 */
  startTimeoutMs?: number;
}

/** A running `npm start` equivalent in a child process. */
export interface NexusProcess {
  baseUrl: string;
  port: number;
  output(): string;
  /** Graceful stop (SIGTERM), waits for exit. */
  stop(): Promise<void>;
  /** Crash: SIGKILL, waits for exit. */
  kill(): Promise<void>;
}

export { freePort };

/** Starts the real server entry (handlers/local/server.ts) and waits until /health answers. */
export async function startNexus(options: StartNexusOptions): Promise<NexusProcess> {
  const port = options.port ?? (await freePort());
  // `--import tsx` keeps the server in this child: the tsx CLI would fork a grandchild that a
  // SIGKILL of the child leaves running, and the crash test would crash nothing.
  const child = spawn(process.execPath, ['--import', 'tsx', 'handlers/local/server.ts', '--port', String(port), '--data-dir', options.dataDir], {
    cwd: REPOSITORY,
    env: { ...process.env, NEXUS_LOG_LEVEL: 'warn', NEXUS_JWT_SECRET: E2E_JWT_SECRET, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, child, options.startTimeoutMs ?? 30_000, () => output);
  return {
    baseUrl,
    port,
    output: () => output,
    stop: () => endProcess(child, 'SIGTERM'),
    kill: () => endProcess(child, 'SIGKILL'),
  };
}

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nexus exited with ${child.exitCode} before it was healthy:\n${output()}`);
    try {
      const response = await getJson(baseUrl, '/health');
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`nexus did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

function endProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill(signal);
  });
}

/** Polls `probe` until it returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
