// PostGraphile 5 over the benchmark database: the reference contender. It introspects the same tables
// the API's migrations made; PostGraphile compiles each GraphQL request into (usually) one SQL statement.
// Node 20 lacks Promise.withResolvers, which PostGraphile 5 uses.
if (!Promise.withResolvers) {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

import { createServer } from 'node:http';
import pg from 'pg';

// Statements sent, for statements-per-request (GET /__statements): counted at the driver.
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(...args) {
  statements++;
  return query.apply(this, args);
};

const { postgraphile } = await import('postgraphile');
const { makePgService } = await import('postgraphile/adaptors/pg');
const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
const { grafserv } = await import('postgraphile/grafserv/node');

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server);
// The statement count on a port of its own (PORT + 1), out of grafserv's way.
createServer((_req, res) => res.end(String(statements))).listen(Number(process.env.PORT) + 1, '127.0.0.1');
await serv.ready?.();
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`postgraphile ready on ${process.env.PORT}`));
process.on('SIGTERM', async () => {
  server.close();
  await pgl.release();
  await pool.end();
  process.exit(0);
});
