import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mintDevelopmentToken } from '../../core/auth/mintToken';
import { HttpLoadClient } from './HttpLoadClient';

const REPOSITORY = resolve(__dirname, '..', '..');

/** Options of {@link startNexusServer}. */
export interface NexusServerOptions {
  /** Extra node flags for the server, e.g. `--cpu-prof`. @defaultValue [] */
  nodeArgs?: string[];
  /** Working directory of the server (where `--cpu-prof` writes). @defaultValue the repository */
  cwd?: string;
  /** @defaultValue 60000 */
  startTimeoutMs?: number;
  /** Extra server flags, e.g. `['--pipelines', 'router,order-list']`. @defaultValue [] */
  serverArgs?: string[];
}

/** Memory of a process, from /proc (Linux); undefined elsewhere. */
export interface ProcessMemory {
  rssMb: number;
  peakRssMb: number;
}

/** The embedded system (`npm start`) running in a child process on a temp data directory. */
export interface NexusServer {
  baseUrl: string;
  dataDir: string;
  pid: number;
  /** A bearer token with the admin role, signed with the server's secret. */
  token: string;
  memory(): ProcessMemory | undefined;
  output(): string;
  /** SIGTERM, waits for exit, removes the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts `handlers/local/server.ts` in a child node process (tsx loader, no wrapper process, so
 * `pid` is the server itself) with a fresh temp data directory and a random JWT secret, and
 * waits until `/health` answers.
 */
export async function startNexusServer(options: NexusServerOptions = {}): Promise<NexusServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'nexus-load-'));
  const secret = randomBytes(32).toString('hex');
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', join(REPOSITORY, 'handlers/local/server.ts'), '--port', String(port), '--data-dir', dataDir, ...(options.serverArgs ?? [])],
    { cwd: options.cwd ?? REPOSITORY, env: { ...process.env, NEXUS_LOG_LEVEL: 'warn', NEXUS_JWT_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, child, options.startTimeoutMs ?? 60_000, () => output);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const token = await mintDevelopmentToken(secret, { subject: 'load-test', roles: ['admin'], ttl: '12h' });
  const pid = child.pid ?? 0;
  return {
    baseUrl,
    dataDir,
    pid,
    token,
    memory: () => processMemory(pid),
    output: () => output,
    stop: async () => {
      await endProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resident and peak resident memory of `pid`, read from /proc/<pid>/status. */
export function processMemory(pid: number | 'self'): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Linux reports process CPU time in clock ticks of 1/100 s to user space (USER_HZ). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) `pid` has used so far, all its threads included, in milliseconds
 * (10 ms resolution), from /proc/<pid>/stat (Linux); undefined elsewhere.
 */
export function processCpuMs(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** A TCP port on loopback that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** Polls `GET /health` of a server in `child` until it answers 200; kills the child on timeout. */
export async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs: number, output: () => string, name = 'nexus'): Promise<void> {
  const client = new HttpLoadClient(baseUrl, { maxSockets: 1, timeoutMs: 2000 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was healthy:\n${output()}`);
      const status = await client.send('GET', '/health').then((response) => response.status, () => 0);
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the child has exited. */
export function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    child.kill('SIGTERM');
  });
}
