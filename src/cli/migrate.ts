// `npm run migrate`: applies pending migrations (what `npm start` does first) and reports them.
import { withDatabase } from './with-database.js';

await withDatabase('', async (_db, _config, applied) => {
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
});
