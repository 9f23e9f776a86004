import type { PGlite, Results } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely on PGlite. PGlite is one PostgreSQL session, so this driver hands out that one connection
 * to one caller at a time: a transaction holds it from BEGIN to COMMIT, and every other query
 * waits. (kysely-pglite's dialect lets two transactions interleave on the session, so one's COMMIT
 * commits the other's half-done work and a rollback loses its effect; it also loads ~0.7 s of
 * codegen tooling at import.)
 *
 * A consequence to keep in mind: inside `db.transaction().execute(tx => ...)`, use `tx`. Awaiting a
 * query on `db` there waits for the transaction to end, forever. On PostgreSQL it would instead run
 * outside the transaction, which is just as wrong, only quieter.
 */
export class PGliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}

  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  /** Settles when the current holder releases the connection; the next caller chains on it. */
  #released: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(private readonly pglite: PGlite) {
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#released;
    let release!: () => void;
    this.#released = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = settings.isolationLevel
      ? `start transaction isolation level ${settings.isolationLevel}`
      : 'begin';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

const COUNTED_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Like `pg`: a query without parameters goes over the simple protocol, which accepts several
    // statements (a migration file); the extended protocol, needed for parameters, takes one.
    const result: Results<R> | undefined =
      query.parameters.length > 0
        ? await this.pglite.query<R>(query.sql, [...query.parameters])
        : ((await this.pglite.exec(query.sql)).at(-1) as Results<R> | undefined);
    if (!result) return { rows: [] };
    // Kysely reads affected rows (`updateTable(...).executeTakeFirst().numUpdatedRows`) from here.
    if (result.command && COUNTED_COMMANDS.has(result.command)) {
      return { rows: result.rows, numAffectedRows: BigInt(result.rowCount ?? result.affectedRows ?? 0) };
    }
    return { rows: result.rows };
  }

  // biome-ignore lint/correctness/useYield: PGlite returns whole results; there is nothing to stream.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries');
  }
}
