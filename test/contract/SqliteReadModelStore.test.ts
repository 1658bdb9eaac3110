import Database from 'better-sqlite3';
import { SqliteReadModelStore } from '../../adapters/embedded/SqliteReadModelStore';
import { describeReadModelStoreContract } from './readModelStoreContract';

describeReadModelStoreContract('SqliteReadModelStore', async () => {
  const db = new Database(':memory:');
  return { store: new SqliteReadModelStore(db), close: async () => void db.close() };
});
