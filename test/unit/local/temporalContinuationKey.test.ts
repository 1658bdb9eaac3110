import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { lambdaContinuationKeyOf } from '../../../handlers/aws/awsConfig';
import { ConfigError, readLocalServerConfig } from '../../../handlers/local/config';
import { describeStartupFailure } from '../../../handlers/local/startupFailure';
import { CONTINUATION_KEY_UNUSABLE, TEMPORAL_CONTINUATION_KEY_FILE, readOrCreateContinuationKeyFile } from '../../../handlers/local/temporalContinuationKey';
import { scratchDirectory } from '../../support/scratchMounts';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..', '..');
const KEY_MODULE = join(ROOT, 'handlers', 'local', 'temporalContinuationKey.ts');
const LONG_KEY = 'k'.repeat(32);

describe('the key file of temporal continuations', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-continuation-key-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is created once with 32 random bytes (base64url), mode 0600, and read back unchanged, leaving no temporary file', () => {
    // given an empty data directory
    // when the key is asked for twice
    const first = readOrCreateContinuationKeyFile(dataDir);
    const second = readOrCreateContinuationKeyFile(dataDir);
    // then
    const path = join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE);
    expect(second).toBe(first);
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(readFileSync(path, 'utf8')).toBe(`${first}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir)).toEqual([TEMPORAL_CONTINUATION_KEY_FILE]);
  });

  it('gives processes that start at once on one data directory the same key', async () => {
    // given six processes that all ask for the key at the same instant
    const at = Date.now() + 1_500;
    const script = `const { readOrCreateContinuationKeyFile } = require(${JSON.stringify(KEY_MODULE)});
      while (Date.now() < ${at}) {}
      process.stdout.write(readOrCreateContinuationKeyFile(${JSON.stringify(dataDir)}));`;
    // when
    const keys = await Promise.all(Array.from({ length: 6 }, async () => (await run(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT })).stdout));
    // then all agree with the file, and no temporary file is left
    const stored = readFileSync(join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE), 'utf8').trim();
    expect(new Set(keys)).toEqual(new Set([stored]));
    expect(readdirSync(dataDir)).toEqual([TEMPORAL_CONTINUATION_KEY_FILE]);
  });

  it('is refused when it holds fewer than 32 bytes, naming the file and the variable', () => {
    // given a truncated key file
    writeFileSync(join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE), 'short\n', { mode: 0o600 });
    // when
    const read = (): unknown => readOrCreateContinuationKeyFile(dataDir);
    // then
    expect(read).toThrow(expect.objectContaining({ code: CONTINUATION_KEY_UNUSABLE }));
    expect(read).toThrow(`temporal continuation key file ${join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE)} holds fewer than 32 bytes`);
    expect(read).toThrow('or set NEXUS_TEMPORAL_CONTINUATION_KEY');
  });

  it('is refused when it cannot be read, saying why', () => {
    // given a directory where the key file should be (unreadable as a file, even by root)
    mkdirSync(join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE));
    // when
    const read = (): unknown => readOrCreateContinuationKeyFile(dataDir);
    // then
    expect(read).toThrow(`${TEMPORAL_CONTINUATION_KEY_FILE} cannot be read: it is a directory (EISDIR)`);
  });

  it('is refused when it cannot be created on a read-only data directory, saying why', () => {
    // given a data directory on a file system remounted read-only
    const scratch = scratchDirectory('nexus-continuation-key-ro-', 256);
    try {
      scratch.makeReadOnly();
      // when
      const read = (): unknown => readOrCreateContinuationKeyFile(scratch.path);
      // then
      expect(read).toThrow(expect.objectContaining({ code: CONTINUATION_KEY_UNUSABLE }));
      expect(read).toThrow(/cannot be created: (the file system is read-only \(EROFS\)|permission denied \(EACCES\))/);
    } finally {
      scratch.dispose();
    }
  });

  it('stops npm start with one line naming the file and the variable, before any database is opened', async () => {
    // given a data directory whose key file cannot be read
    mkdirSync(join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE));
    // when the server is started on it
    const started = run(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'handlers', 'local', 'server.ts'), '--data-dir', dataDir, '--port', '0'], { cwd: ROOT, env: { ...process.env, NEXUS_TEMPORAL_CONTINUATION_KEY: '' } });
    // then it exits 1 with one line on stderr, and nexus.db was never created
    const failure = await started.then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toBe(
      `nexus: cannot start: temporal continuation key file ${join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE)} cannot be read: it is a directory (EISDIR); fix it, or set NEXUS_TEMPORAL_CONTINUATION_KEY (or --temporal-continuation-key)\n`,
    );
    expect(readdirSync(dataDir)).toEqual([TEMPORAL_CONTINUATION_KEY_FILE]);
  });

  it('is described as one start-up line with exit code 1', () => {
    // given a key file error
    let error: unknown;
    writeFileSync(join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE), 'x');
    try {
      readOrCreateContinuationKeyFile(dataDir);
    } catch (caught) {
      error = caught;
    }
    // when
    const failure = describeStartupFailure(error, { host: '127.0.0.1', port: 3000 });
    // then
    expect(failure.exitCode).toBe(1);
    expect(failure.line).toMatch(/^nexus: cannot start: temporal continuation key file .* holds fewer than 32 bytes/);
    expect(failure.line).not.toContain('\n');
  });
});

describe('the configured key of temporal continuations', () => {
  it('is read from NEXUS_TEMPORAL_CONTINUATION_KEY, and the flag wins over it', () => {
    // given the key as a variable, and another as a flag
    const other = 'f'.repeat(40);
    // when
    const fromVariable = readLocalServerConfig([], { NEXUS_TEMPORAL_CONTINUATION_KEY: LONG_KEY });
    const fromFlag = readLocalServerConfig(['--temporal-continuation-key', other], { NEXUS_TEMPORAL_CONTINUATION_KEY: LONG_KEY });
    // then
    expect(fromVariable.temporalContinuationKey).toBe(LONG_KEY);
    expect(fromFlag.temporalContinuationKey).toBe(other);
  });

  it('is left to the data directory when neither is set', () => {
    // when
    const config = readLocalServerConfig([], { NEXUS_TEMPORAL_CONTINUATION_KEY: '' });
    // then
    expect(config).not.toHaveProperty('temporalContinuationKey');
  });

  it.each([
    [[], { NEXUS_TEMPORAL_CONTINUATION_KEY: 'k'.repeat(31) }, 'NEXUS_TEMPORAL_CONTINUATION_KEY must be at least 32 bytes long'],
    [['--temporal-continuation-key', 'short'], {}, '--temporal-continuation-key must be at least 32 bytes long'],
  ])('refuses a key shorter than 32 bytes (%j %j), naming the flag or variable', (argv, env, message) => {
    // when
    const read = (): unknown => readLocalServerConfig(argv, env);
    // then
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
    expect(describeStartupFailure(catching(read), { host: '127.0.0.1', port: 3000 })).toEqual({ line: expect.stringContaining(`nexus: configuration error: ${message}`), exitCode: 2 });
  });

  it('counts bytes, not characters: 16 two-byte characters are 32 bytes', () => {
    // given a key of 16 characters of two UTF-8 bytes each
    const key = 'é'.repeat(16);
    // when
    const config = readLocalServerConfig([], { NEXUS_TEMPORAL_CONTINUATION_KEY: key });
    // then
    expect(config.temporalContinuationKey).toBe(key);
  });
});

describe('the API function key of temporal continuations', () => {
  it('is NEXUS_TEMPORAL_CONTINUATION_KEY', () => {
    // when
    const key = lambdaContinuationKeyOf({ NEXUS_TEMPORAL_CONTINUATION_KEY: LONG_KEY });
    // then
    expect(key).toBe(LONG_KEY);
  });

  it.each([
    ['missing', {}, /the API function needs NEXUS_TEMPORAL_CONTINUATION_KEY/],
    ['empty', { NEXUS_TEMPORAL_CONTINUATION_KEY: '' }, /the API function needs NEXUS_TEMPORAL_CONTINUATION_KEY/],
    ['shorter than 32 bytes', { NEXUS_TEMPORAL_CONTINUATION_KEY: 'k'.repeat(31) }, /NEXUS_TEMPORAL_CONTINUATION_KEY must be at least 32 bytes long/],
  ])('is refused at start when %s, naming the variable', (_case, env, message) => {
    // when
    const read = (): unknown => lambdaContinuationKeyOf(env);
    // then
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});

function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
