import Database from 'better-sqlite3';
import { SqliteDeadLetterStore } from '../../adapters/embedded/SqliteDeadLetterStore';
import { describeDeadLetterStoreContract } from './deadLetterStoreContract';

describeDeadLetterStoreContract('SqliteDeadLetterStore', async () => {
  const db = new Database(':memory:');
  return { store: new SqliteDeadLetterStore(db), close: async () => void db.close() };
});
