import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { E2E_JWT_SECRET } from './support/e2eAuth';
import { eventually, freePort, startNexus } from './support/NexusProcess';
import type { NexusProcess } from './support/NexusProcess';
import { getJson, postCommand } from './support/http';
import { scratchDirectory } from '../support/scratchMounts';
import type { ScratchDirectory } from '../support/scratchMounts';

jest.setTimeout(60_000);

const REPOSITORY = resolve(__dirname, '..', '..');
/** A start that has not ended by then hangs: the fault this suite exists to catch. */
const EXIT_DEADLINE_MS = 30_000;

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real server entry with `args` and waits for it to end by itself. */
function runServer(args: string[], env: Record<string, string> = {}): Promise<Ended> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'handlers/local/server.ts', ...args], {
    cwd: REPOSITORY,
    env: { ...process.env, NEXUS_LOG_LEVEL: 'warn', NEXUS_JWT_SECRET: E2E_JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the server did not end within ${EXIT_DEADLINE_MS} ms (a hang):\n${stdout}${stderr}`));
    }, EXIT_DEADLINE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => done({ code, stdout, stderr }));
    });
  });
}

/** The whole of stderr, which must be exactly one line. */
function onlyLine(ended: Ended): string {
  const lines = ended.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nexus-startup-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('npm start refuses to start with one line naming the cause', () => {
  it('names --port and PORT when the port is in use', async () => {
    // given a port another process listens on
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((listening) => squatter.listen(port, '127.0.0.1', listening));
    try {
      // when starting on it
      const ended = await runServer(['--port', String(port), '--data-dir', join(root, 'data')]);
      // then
      expect(ended.code).toBe(1);
      expect(onlyLine(ended)).toBe(`nexus: cannot start: port ${port} on 127.0.0.1 is already in use (EADDRINUSE); choose another with --port or PORT, or stop the process using it`);
    } finally {
      squatter.close();
    }
  });

  it('names --host and HOST when the host does not resolve', async () => {
    // given a host name that cannot resolve (.invalid is reserved for that)
    // when
    const ended = await runServer(['--port', '0', '--host', 'nexus.invalid', '--data-dir', join(root, 'data')]);
    // then
    expect(ended.code).toBe(1);
    expect(onlyLine(ended)).toMatch(/^nexus: cannot start: host nexus\.invalid does not resolve to an address \((ENOTFOUND|EAI_AGAIN)\); choose another with --host or HOST$/);
    expect(existsSync(join(root, 'data'))).toBe(false);
  });

  it('names the data directory when it is a file', async () => {
    // given a file where the data directory should be
    const file = join(root, 'data');
    writeFileSync(file, 'not a directory');
    // when
    const ended = await runServer(['--port', '0', '--data-dir', file]);
    // then
    expect(ended.code).toBe(1);
    expect(onlyLine(ended)).toBe(`nexus: cannot start: data directory ${file} is a file, not a directory (--data-dir or NEXUS_DATA_DIR)`);
  });

  it('ends at once on a data directory under /proc, which used to spin at 100 % CPU', async () => {
    // given /proc, a pseudo file system
    // when
    const ended = await runServer(['--port', '0'], { NEXUS_DATA_DIR: '/proc/x' });
    // then
    expect(ended.code).toBe(1);
    expect(onlyLine(ended)).toBe('nexus: cannot start: data directory /proc/x is on a proc pseudo file system, which cannot hold files; choose a directory on a disk (--data-dir or NEXUS_DATA_DIR)');
  });

  describe('on a read-only data directory', () => {
    let scratch: ScratchDirectory;
    let nexus: NexusProcess | undefined;

    beforeEach(() => {
      scratch = scratchDirectory('nexus-startup-ro-', 65_536);
    });

    afterEach(async () => {
      await nexus?.kill();
      nexus = undefined;
      scratch.dispose();
    });

    it('refuses an empty read-only data directory', async () => {
      // given a read-only file system (a tmpfs remounted read-only: root ignores permission bits)
      scratch.makeReadOnly();
      // when
      const ended = await runServer(['--port', '0', '--data-dir', scratch.path]);
      // then
      expect(ended.code).toBe(1);
      expect(onlyLine(ended)).toMatch(new RegExp(`^nexus: cannot start: data directory ${scratch.path} is not writable: (the file system is read-only \\(EROFS\\)|permission denied \\(EACCES\\)) \\(--data-dir or NEXUS_DATA_DIR\\)$`));
    });

    it('refuses a restart on a read-only data directory that still holds its WAL files, instead of answering every write with 503', async () => {
      // given a server that took a command and was killed, leaving its WAL files, and a data
      // directory that then became read-only
      nexus = await startNexus({ dataDir: scratch.path });
      const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', { customerId: 'c-ro', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }], currency: 'EUR' });
      expect(placed.status).toBe(202);
      await nexus.kill();
      nexus = undefined;
      expect(existsSync(join(scratch.path, 'nexus.db-wal'))).toBe(true);
      scratch.makeReadOnly();
      // when restarting on it
      const ended = await runServer(['--port', '0', '--data-dir', scratch.path]);
      // then it does not start
      expect(ended.code).toBe(1);
      expect(onlyLine(ended)).toMatch(new RegExp(`^nexus: cannot start: data directory ${scratch.path} is not writable: .*\\(--data-dir or NEXUS_DATA_DIR\\)$`));
      expect(ended.stdout).not.toContain('listening');
    });
  });

  it('names a corrupt database file', async () => {
    // given a data directory whose nexus.db is not a database
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'nexus.db'), Buffer.alloc(8192, 0x5a));
    // when
    const ended = await runServer(['--port', '0', '--data-dir', dataDir]);
    // then
    expect(ended.code).toBe(1);
    expect(onlyLine(ended)).toBe(`nexus: cannot start: database ${join(dataDir, 'nexus.db')} is not a SQLite database or is damaged; restore it from a backup or move it away (SQLITE_NOTADB)`);
  });

  it('names a database file that cannot be opened', async () => {
    // given a data directory whose pipelines.db is a directory (unreadable as a file, even by root)
    const dataDir = join(root, 'data');
    mkdirSync(join(dataDir, 'pipelines.db'), { recursive: true });
    // when
    const ended = await runServer(['--port', '0', '--data-dir', dataDir]);
    // then
    expect(ended.code).toBe(1);
    expect(onlyLine(ended)).toBe(`nexus: cannot start: database ${join(dataDir, 'pipelines.db')} cannot be opened or created (missing directory, not a regular file, or no permission) (SQLITE_CANTOPEN)`);
  });

  it('names a database whose write lock another process keeps, after the busy timeout', async () => {
    // given another process (this one) in the middle of a write transaction on nexus.db
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const other = new Database(join(dataDir, 'nexus.db'));
    other.pragma('journal_mode = WAL');
    other.exec('BEGIN IMMEDIATE');
    other.pragma('user_version = 1');
    try {
      // when
      const ended = await runServer(['--port', '0', '--data-dir', dataDir]);
      // then
      expect(ended.code).toBe(1);
      expect(onlyLine(ended)).toBe(`nexus: cannot start: database ${join(dataDir, 'nexus.db')} is locked by another connection (is another Nexus using this data directory?) (SQLITE_BUSY)`);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('names the flag of a refused setting, with exit code 2', async () => {
    // given a port that is not a number
    // when
    const ended = await runServer(['--port', 'eighty']);
    // then
    expect(ended.code).toBe(2);
    expect(onlyLine(ended)).toBe('nexus: configuration error: --port must be an integer from 0 to 65535; got "eighty"');
  });
});

describe('npm start --help and --version', () => {
  it('prints every flag with its variable, and exits 0 without starting', async () => {
    // given
    // when
    const ended = await runServer(['--help']);
    // then
    expect(ended.code).toBe(0);
    for (const flag of ['--port', 'PORT', '--host', 'HOST', '--data-dir', 'NEXUS_DATA_DIR', '--log-level', '--max-body-bytes', '--pipeline-linger-ms', '--pipeline-nice', 'NEXUS_JWT_MAX_TTL']) {
      expect(ended.stdout).toContain(flag);
    }
    expect(ended.stderr).toBe('');
  });

  it('prints the version and exits 0', async () => {
    // given
    // when
    const ended = await runServer(['--version']);
    // then
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/^nexus \d+\.\d+\.\d+\n$/);
  });
});

describe('/health of a running server', () => {
  let nexus: NexusProcess | undefined;

  afterEach(async () => {
    await nexus?.stop();
    nexus = undefined;
  });

  it('answers 503 while the event store cannot write (another process keeps its lock), and 200 again once it can', async () => {
    // given a running server, and another process that takes nexus.db's write lock and keeps it
    const dataDir = join(root, 'data');
    nexus = await startNexus({ dataDir });
    const other = new Database(join(dataDir, 'nexus.db'));
    other.exec('BEGIN IMMEDIATE');
    other.pragma('user_version = 1');
    try {
      // when asking for health (the server reuses a probe's verdict for up to a second)
      const baseUrl = nexus.baseUrl;
      const unhealthy = await eventually(async () => {
        const answer = await getJson(baseUrl, '/health');
        return answer.status === 503 ? answer : undefined;
      }, 10_000, '/health to answer 503');
      // then it is unavailable, naming the check that failed
      expect(unhealthy.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, reason: 'DATABASE_LOCKED', detail: 'not healthy: DATABASE_LOCKED' });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // and once the lock is gone, healthy again without a restart
    const baseUrl = nexus.baseUrl;
    const healthy = await eventually(async () => {
      const answer = await getJson(baseUrl, '/health');
      return answer.status === 200 ? answer : undefined;
    }, 10_000, '/health to answer 200');
    expect(healthy.body.status).toBe('ok');
  });
});

describe('the start banner', () => {
  let nexus: NexusProcess | undefined;

  afterEach(async () => {
    await nexus?.stop();
    nexus = undefined;
  });

  it('shows a token command with npm -s, whose output alone is a token the server accepts', async () => {
    // given a server using the secret generated in its data directory
    const dataDir = join(root, 'data');
    nexus = await startNexus({ dataDir, env: { NEXUS_JWT_SECRET: '' } });
    // when running the command the banner shows (through tsx, as npm run -s token does)
    const shown = `TOKEN=$(npm run -s token -- --role admin --sub alice --data-dir ${dataDir})`;
    expect(nexus.output()).toContain(shown);
    const token = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'handlers/cli/token.ts', '--role', 'admin', '--sub', 'alice', '--data-dir', dataDir], {
      cwd: REPOSITORY,
      encoding: 'utf8',
      env: { ...process.env, NEXUS_JWT_SECRET: '' },
    }).trim();
    // then stdout is the token alone, and the server accepts it
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const listed = await getJson(nexus.baseUrl, '/api/queries/orders', { authorization: `Bearer ${token}` });
    expect(listed.status).toBe(200);
  });
});
