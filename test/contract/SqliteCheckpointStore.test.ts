import Database from 'better-sqlite3';
import { SqliteCheckpointStore } from '../../adapters/embedded/SqliteCheckpointStore';
import { describeCheckpointStoreContract } from './checkpointStoreContract';

describeCheckpointStoreContract('SqliteCheckpointStore', async () => {
  const db = new Database(':memory:');
  return { store: new SqliteCheckpointStore(db), close: async () => void db.close() };
});
