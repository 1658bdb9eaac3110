import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../../../adapters/embedded/openSqliteDatabase';
import { SqliteDeadLetterStore } from '../../../adapters/embedded/SqliteDeadLetterStore';
import { runCli } from './runCli';

jest.setTimeout(60_000);

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-cli-dlq-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npx nexus dlq list --pipeline', () => {
  it('says that an unknown pipeline is unknown, as redrive does, instead of listing nothing', () => {
    // given a data directory and a pipeline name that nothing knows
    // when
    const run = runCli('bin/nexus.js', ['--data-dir', dataDir, 'dlq', 'list', '--pipeline', 'order-lits']);
    // then it fails, naming the pipeline, the flag and the known pipelines
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^nexus: unknown pipeline "order-lits" \(--pipeline\); known: .*order-list/);
    expect(run.stdout).toBe('');
  });

  it('lists a declared pipeline without dead letters as empty', () => {
    // given a declared pipeline with nothing parked
    // when
    const run = runCli('bin/nexus.js', ['--data-dir', dataDir, 'dlq', 'list', '--pipeline', 'order-list']);
    // then
    expect(run.stdout).toBe('no dead letters\n');
    expect(run.status).toBe(0);
  });

  it('still lists the stored dead letters of a pipeline no longer declared, with a note', async () => {
    // given a dead letter of a pipeline that was removed from the code
    const db = openSqliteDatabase(join(dataDir, 'pipelines.db'));
    await new SqliteDeadLetterStore(db).park({
      pipelineName: 'retired', key: 'k-1', sourcePosition: 7, record: Buffer.from([3, 0]), errorCode: 'BOOM', errorMessage: 'boom', attempts: 5, parkedBehindId: null,
    });
    db.close();
    // when
    const run = runCli('bin/nexus.js', ['--data-dir', dataDir, 'dlq', 'list', '--pipeline', 'retired']);
    // then its entries are shown, and stderr says why the name was accepted
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/retired\s+k-1\s+7\s+parked/);
    expect(run.stderr).toBe('nexus: pipeline "retired" is no longer declared; listing its stored dead letters\n');
  });
});
