import Database from 'better-sqlite3';
import { SqliteRateLimitStore } from '../../adapters/embedded/SqliteRateLimitStore';
import { describeRateLimitStoreContract } from './rateLimitStoreContract';

describeRateLimitStoreContract('SqliteRateLimitStore', async () => {
  const db = new Database(':memory:');
  return { store: new SqliteRateLimitStore(db), close: async () => void db.close() };
});
