import type { Database, Statement } from 'better-sqlite3';
import type { ReadModelTableLayout } from './ReadModelTableLayout';

/** A stored row's version and column values, in layout order. */
export interface StoredColumns {
  id: string;
  version: number;
  values: readonly unknown[];
}

/**
 * UPDATE statements that set only the columns whose values changed. SQLite maintains an index
 * only when the UPDATE names one of its columns, so an event that moves one field (an item added
 * changes the total and `updatedAt`, not the customer, status or creation time) rewrites two
 * index entries instead of every index of the table: measured 1.7-1.9x the upsert rate on the
 * order list's five indexes.
 *
 * Each statement also requires the unchanged columns to still hold the values they were compared
 * with, and the stored version to be lower: when another writer changed the row in between, it
 * changes nothing and the caller falls back to the full upsert, so the shortcut is never less
 * exact than writing every column.
 */
export class ReadModelRowUpdates {
  private readonly byChangedColumns = new Map<number, Statement<unknown[]>>();
  private readonly current: Statement<[string], unknown[]>;

  constructor(
    private readonly db: Database,
    private readonly layout: ReadModelTableLayout,
  ) {
    const columns = layout.columns.map((c) => `, "${c.column}"`).join('');
    this.current = db.prepare<[string], unknown[]>(`SELECT version${columns} FROM "${layout.table}" WHERE id = ?`).raw();
  }

  /** The row of `id` as stored now, if any. */
  read(id: string): StoredColumns | undefined {
    const row = this.current.get(id);
    return row === undefined ? undefined : { id, version: row[0] as number, values: row.slice(1) };
  }

  /**
   * Writes `version`, `json` and the changed ones of `values` over `stored`; false when the row no
   * longer is as `stored` says (the caller then upserts every column).
   */
  update(id: string, version: number, json: string, values: readonly unknown[], stored: StoredColumns): boolean {
    let mask = 0;
    const changed: unknown[] = [];
    const unchanged: unknown[] = [];
    values.forEach((value, index) => {
      if (value === stored.values[index]) unchanged.push(value);
      else {
        mask |= 1 << index;
        changed.push(value);
      }
    });
    return this.statement(mask).run(version, json, ...changed, id, version, ...unchanged).changes > 0;
  }

  private statement(mask: number): Statement<unknown[]> {
    let statement = this.byChangedColumns.get(mask);
    if (statement === undefined) {
      const columns = this.layout.columns;
      const sets = columns.filter((_c, i) => (mask & (1 << i)) !== 0).map((c) => `, "${c.column}" = ?`).join('');
      const guards = columns.filter((_c, i) => (mask & (1 << i)) === 0).map((c) => ` AND "${c.column}" IS ?`).join('');
      statement = this.db.prepare<unknown[]>(`UPDATE "${this.layout.table}" SET version = ?, data = ?${sets} WHERE id = ? AND version < ?${guards}`);
      this.byChangedColumns.set(mask, statement);
    }
    return statement;
  }
}
