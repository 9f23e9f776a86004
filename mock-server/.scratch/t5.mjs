import pg from 'pg';
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', options: '-c search_path=foo_bar' });
console.log((await pool.query('show search_path')).rows);
await pool.end();
const p2 = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5439/test', connectionTimeoutMillis: 3000 });
try { await p2.query('select 1') } catch (e) { console.log(e.message, e.code, e.constructor.name, e.errors?.length) }
await p2.end();
const p3 = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/nosuchdb' });
try { await p3.query('select 1') } catch (e) { console.log(e.message, e.code) }
await p3.end();
