import type { Database, Statement } from 'better-sqlite3';
import type { EventLog } from '../../core/events/EventLog';
import type { RecordSource, SourceRecord } from '../../core/streams/RecordSource';
import { SqliteEventsTable } from './SqliteEventsTable';

/**
 * The event store's change feed as a pipeline source named `events`: every stored event in
 * position order, key = aggregate id, record = the stored envelope bytes, untouched. Wake-ups
 * come from the store's `onAppend`, so appends by this process are seen at once; a pipeline
 * still polls for appends by other processes.
 *
 * @example
 * const feed = new SqliteEventFeed(db, store); // or store.asRecordSource()
 * const records = await feed.read(checkpoint, 500);
 */
export class SqliteEventFeed implements RecordSource {
  readonly name = 'events';
  private readonly selectAfter: Statement<[number, number], SourceRecord>;

  constructor(
    db: Database,
    private readonly store: Pick<EventLog, 'onAppend'>,
  ) {
    this.selectAfter = new SqliteEventsTable(db).selectRecordsAfter;
  }

  async read(afterPosition: number, limit: number): Promise<SourceRecord[]> {
    return this.selectAfter.all(afterPosition, Math.max(0, Math.floor(limit)));
  }

  onAppend(listener: () => void): () => void {
    return this.store.onAppend(listener);
  }
}
