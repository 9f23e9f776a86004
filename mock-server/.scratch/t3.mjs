import { PGlite } from '@electric-sql/pglite';
import { KyselyPGlite } from 'kysely-pglite';
import { Kysely, sql } from 'kysely';
const pg = await PGlite.create();
const db = new Kysely({ dialect: new KyselyPGlite(pg).dialect });
await sql`create table t (v int)`.execute(db);
const a = db.transaction().execute(async (tx) => {
  await sql`insert into t values (1)`.execute(tx);
  await new Promise((r) => setTimeout(r, 50));
  throw new Error('rollback a');
}).catch((e) => console.log('a:', e.message));
const b = db.transaction().execute(async (tx) => {
  await sql`insert into t values (2)`.execute(tx);
});
await Promise.all([a, b]);
console.log((await sql`select * from t`.execute(db)).rows, 'expected [{v:2}]');
await db.destroy();
