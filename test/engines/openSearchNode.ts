import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readyPort, stopEngine } from './engineProcess';

const REPOSITORY = resolve(__dirname, '..', '..');

/** A single-node OpenSearch 2.19.6 on loopback, in its own JVM (test/engines/opensearch). */
export interface OpenSearchNode {
  /** `http://127.0.0.1:<port>`: what the OpenSearch clients of the tests point at. */
  endpoint: string;
  port: number;
  /** Where the node keeps its indices; pass it (and `port`) to a new node to restart on the same data. */
  dataPath: string;
  pid: number;
  /** Closes the node (it flushes and exits when its stdin closes) and removes its temporary files. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: nothing flushed beyond what each acknowledged write already made durable. */
  kill(): Promise<void>;
}

/** Tunables of {@link startOpenSearchNode}. */
export interface OpenSearchNodeOptions {
  /** HTTP port; 0 lets the node bind any free one. @defaultValue 0 */
  port?: number;
  /** Data directory, kept by `stop()`; a temporary one (removed by `stop()`) when omitted. */
  dataPath?: string;
  /** Maximum Java heap. @defaultValue 512 */
  heapMb?: number;
  /** Longest wait for `OPENSEARCH_READY` and a yellow cluster. @defaultValue 120000 */
  startTimeoutMs?: number;
  /** Keep running after this process ends (`npm run engines`). @defaultValue false */
  detached?: boolean;
}

export const OPENSEARCH_NODE_DEFAULTS = { port: 0, heapMb: 512, startTimeoutMs: 120_000, detached: false } as const;

/** The directory of the built node (jars in lib/, the main class in classes/), built once per machine. */
export function openSearchNodeDirectory(): string {
  return execFileSync(join(REPOSITORY, 'scripts', 'install-opensearch.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * Starts the node (scripts/install-opensearch.sh builds it on first use), waits for its
 * `OPENSEARCH_READY <port>` line and a green or yellow cluster, and returns its endpoint.
 */
export async function startOpenSearchNode(options: OpenSearchNodeOptions = {}): Promise<OpenSearchNode> {
  const settings = { ...OPENSEARCH_NODE_DEFAULTS, ...options };
  const directory = openSearchNodeDirectory();
  const home = mkdtempSync(join(tmpdir(), 'nexus-opensearch-'));
  const dataPath = options.dataPath ?? join(home, 'data');
  const args = [
    `-Xms${Math.min(256, settings.heapMb)}m`,
    `-Xmx${settings.heapMb}m`,
    // A test fixture on a shared 2-core machine: C1 only (C2's compilations made start-up take
    // two to three times longer), one GC thread, no per-process perf files.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-XX:-UsePerfData',
    '-Djava.io.tmpdir=' + home,
    '-cp',
    `${join(directory, 'lib', '*')}:${join(directory, 'classes')}`,
    'NexusTestNode',
    home,
    dataPath,
    String(settings.port),
  ];
  const child = spawn('java', args, { stdio: [settings.detached ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: settings.detached });
  const removeHome = (): void => rmSync(home, { recursive: true, force: true });
  try {
    const port = await readyPort(child, 'OpenSearch', /OPENSEARCH_READY (\d+)/, settings.startTimeoutMs);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForHealth(endpoint, settings.startTimeoutMs);
    return {
      endpoint,
      port,
      dataPath,
      pid: child.pid ?? 0,
      stop: async () => {
        await stopEngine(child, () => child.stdin?.end(), 15_000);
        removeHome();
      },
      kill: async () => {
        await stopEngine(child, () => child.kill('SIGKILL'), 15_000);
        removeHome();
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    removeHome();
    throw error;
  }
}

async function waitForHealth(endpoint: string, timeoutMs: number): Promise<void> {
  const timeoutSeconds = Math.ceil(timeoutMs / 1000);
  const response = await fetch(`${endpoint}/_cluster/health?wait_for_status=yellow&timeout=${timeoutSeconds}s`);
  const health = (await response.json()) as { status?: string };
  if (!response.ok || (health.status !== 'green' && health.status !== 'yellow')) {
    throw new Error(`OpenSearch at ${endpoint} is not healthy: ${response.status} ${JSON.stringify(health)}`);
  }
}

/** The OpenSearch endpoint of this test run; throws outside the integration project. */
export function openSearchEndpoint(): string {
  const endpoint = process.env.NEXUS_TEST_OPENSEARCH_ENDPOINT;
  if (!endpoint) throw new Error('NEXUS_TEST_OPENSEARCH_ENDPOINT is not set: run the test through jest (the integration project starts OpenSearch)');
  return endpoint;
}
