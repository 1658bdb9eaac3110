import Database from 'better-sqlite3';
import { SqliteSagaDeadlineStore } from '../../adapters/embedded/SqliteSagaDeadlineStore';
import { describeSagaDeadlineStoreContract } from './sagaDeadlineStoreContract';

describeSagaDeadlineStoreContract('SqliteSagaDeadlineStore', async () => {
  const db = new Database(':memory:');
  return { store: new SqliteSagaDeadlineStore(db), close: async () => void db.close() };
});
