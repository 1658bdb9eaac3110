import type { Database, Statement } from 'better-sqlite3';
import { NexusError } from '../../core/errors/NexusError';
import { READ_MODEL_VERSION_ERRORS, shadowSuffix } from '../../core/readmodel/ReadModelVersions';
import type { BegunRebuild, ProjectionVersion, ReadModelVersions } from '../../core/readmodel/ReadModelVersions';
import { ReadModelTables } from './ReadModelTables';
import { SqliteUnitOfWork } from './SqliteUnitOfWork';
import { sqliteFailureAs } from './sqliteFailureAs';

interface VersionRow {
  version: number;
  rebuild_version: number | null;
  rebuild_started_at: string | null;
}

/**
 * Read-model versions in the read models' own database: a `projection_versions` row per rebuilt
 * pipeline (its current version, and the version an unfinished rebuild is filling), the shadow
 * collections as ordinary collections named `<collection>@<pipeline>.v<n>` (a table each, with
 * its own FTS table).
 *
 * Guarantees: the switch is one write transaction of the connection's unit of work: the final
 * catch-up's writes, every collection's meta row, the drop of the old tables and the version row
 * commit together or not at all (a crash before the commit leaves the rebuild unfinished and
 * resumable). No projection in another process can commit between the catch-up and the switch:
 * it needs the same database's write lock.
 *
 * Errors: `READ_MODEL_VERSIONS_UNAVAILABLE` when SQLite fails; `PROJECTION_REBUILD_BEHIND`
 * when `switchTo` names a version that is not being rebuilt.
 *
 * @example
 * const versions = new SqliteReadModelVersions(pipelinesDb);
 * const { version } = await versions.beginRebuild('order-list');
 */
export class SqliteReadModelVersions implements ReadModelVersions {
  private readonly tables: ReadModelTables;
  private readonly select: Statement<[string], VersionRow>;
  private readonly unitOfWork: SqliteUnitOfWork;

  constructor(private readonly db: Database) {
    this.tables = guard(() => new ReadModelTables(db));
    this.unitOfWork = SqliteUnitOfWork.of(db);
    guard(() =>
      db.exec(`CREATE TABLE IF NOT EXISTS projection_versions (
        pipeline TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        rebuild_version INTEGER,
        rebuild_started_at TEXT
      )`),
    );
    this.select = guard(() => db.prepare<[string], VersionRow>('SELECT version, rebuild_version, rebuild_started_at FROM projection_versions WHERE pipeline = ?'));
  }

  async get(pipeline: string): Promise<ProjectionVersion> {
    const row = guard(() => this.select.get(pipeline));
    return toVersion(pipeline, row);
  }

  async beginRebuild(pipeline: string): Promise<BegunRebuild> {
    return guard(() =>
      this.db
        .transaction((): BegunRebuild => {
          const row = this.select.get(pipeline);
          if (row?.rebuild_version != null) return { version: row.rebuild_version, resumed: true };
          const version = (row?.version ?? 1) + 1;
          this.db
            .prepare(
              `INSERT INTO projection_versions (pipeline, version, rebuild_version, rebuild_started_at) VALUES (?, 1, ?, ?)
               ON CONFLICT (pipeline) DO UPDATE SET rebuild_version = excluded.rebuild_version, rebuild_started_at = excluded.rebuild_started_at`,
            )
            .run(pipeline, version, new Date().toISOString());
          return { version, resumed: false };
        })
        .immediate(),
    );
  }

  async switchTo(pipeline: string, version: number, catchUp: () => Promise<void>): Promise<readonly string[]> {
    return this.unitOfWork.run(async () => {
      const row = guard(() => this.select.get(pipeline));
      if (row?.rebuild_version !== version) {
        throw new NexusError(READ_MODEL_VERSION_ERRORS.BEHIND, `pipeline ${pipeline} has no unfinished rebuild of version ${version}`, { details: { pipeline, version } });
      }
      await catchUp();
      return guard(() => {
        const suffix = shadowSuffix(pipeline, version);
        const shadows = this.tables.collectionsEndingWith(suffix);
        const switched = shadows.map((shadow) => {
          const collection = shadow.slice(0, -suffix.length);
          this.tables.promote(shadow, collection);
          return collection;
        });
        this.db.prepare('UPDATE projection_versions SET version = ?, rebuild_version = NULL, rebuild_started_at = NULL WHERE pipeline = ?').run(version, pipeline);
        return switched;
      });
    });
  }
}

function toVersion(pipeline: string, row: VersionRow | undefined): ProjectionVersion {
  const rebuild = row?.rebuild_version != null ? { version: row.rebuild_version, startedAt: row.rebuild_started_at ?? '' } : undefined;
  return { pipeline, version: row?.version ?? 1, ...(rebuild ? { rebuild } : {}) };
}

function guard<R>(operation: () => R): R {
  return sqliteFailureAs(READ_MODEL_VERSION_ERRORS.STORE_UNAVAILABLE, 'read model versions', operation);
}
