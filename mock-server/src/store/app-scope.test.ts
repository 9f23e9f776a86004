import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { CrossAppWriteError, scopeToApp } from './app-scope';
import type { Database } from './schema';

const raw = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const A = '00000000-0000-0000-0000-00000000000a';
const db = scopeToApp(raw, A);
const compiled = (query: { compile(): { sql: string; parameters: readonly unknown[] } }) => query.compile();

describe('the app scope', () => {
  it('scopes a select, under an alias, with its joins in ON (outer joins keep their meaning)', () => {
    const q = compiled(
      db
        .selectFrom('messages as m')
        .innerJoin('channels', 'channels.id', 'm.channel_id')
        .leftJoin('app_users as u', 'u.id', 'm.app_user_id')
        .select(['m.id'])
        .where('m.id', '=', 'x'),
    );
    expect(q.sql).toBe(
      'select "m"."id" from "messages" as "m" inner join "channels" on ("channels"."id" = "m"."channel_id") and "channels"."app_id" = $1 left join "app_users" as "u" on ("u"."id" = "m"."app_user_id") and "u"."app_id" = $2 where ("m"."id" = $3) and "m"."app_id" = $4',
    );
    expect(q.parameters).toEqual([A, A, 'x', A]);
  });

  it('scopes subqueries and CTEs', () => {
    const q = compiled(
      db
        .with('recent', (qb) => qb.selectFrom('messages').select('id'))
        .selectFrom('recent')
        .select('id')
        .where('id', 'in', (qb) => qb.selectFrom('message_reads').select('message_id')),
    );
    expect(q.sql).toContain('from "messages" where "messages"."app_id" = $1');
    expect(q.sql).toContain('from "message_reads" where "message_reads"."app_id" = $2');
    expect(q.sql).not.toContain('"recent"."app_id"');
  });

  it('binds the scope to the whole existing condition, even a raw OR', () => {
    const q = compiled(db.selectFrom('channels').select('id').where(sql<boolean>`true or true`));
    expect(q.sql).toBe('select "id" from "channels" where (true or true) and "channels"."app_id" = $1');
  });

  it('scopes every table of a comma-separated FROM', () => {
    const q = compiled(db.selectFrom(['channels', 'messages']).select('channels.id'));
    expect(q.sql).toBe(
      'select "channels"."id" from "channels", "messages" where ("channels"."app_id" = $1) and "messages"."app_id" = $2',
    );
  });

  it('scopes refresh tokens, whose portal rows have no app_id, so an app never sees them', () => {
    const q = compiled(db.selectFrom('refresh_tokens').select('id').where('token', '=', 't').forUpdate());
    expect(q.sql).toBe(
      'select "id" from "refresh_tokens" where ("token" = $1) and "refresh_tokens"."app_id" = $2 for update',
    );
  });

  it('leaves tables that belong to no application alone', () => {
    const q = compiled(db.selectFrom('applications').select('id').where('api_key', '=', 'k'));
    expect(q.sql).toBe('select "id" from "applications" where "api_key" = $1');
  });

  it('scopes updates and deletes', () => {
    expect(compiled(db.updateTable('channels').set({ is_frozen: true }).where('id', '=', 'c')).sql).toBe(
      'update "channels" set "is_frozen" = $1 where ("id" = $2) and "channels"."app_id" = $3',
    );
    expect(compiled(db.deleteFrom('message_drafts').where('channel_id', '=', 'c')).sql).toBe(
      'delete from "message_drafts" where ("channel_id" = $1) and "message_drafts"."app_id" = $2',
    );
  });

  it('fills in app_id on inserts, and refuses a row for another application', () => {
    const q = compiled(
      db.insertInto('message_reads').values([
        { channel_id: 'c', app_user_id: 'u', message_id: null },
        { channel_id: 'd', app_user_id: 'u', message_id: null },
      ] as never),
    );
    expect(q.sql).toMatch(/\("channel_id", "app_user_id", "message_id", "app_id"\) values/);
    expect(q.parameters.filter((p) => p === A)).toHaveLength(2);
    expect(compiled(db.insertInto('channels').values({ app_id: A } as never)).parameters).toEqual([A]);
    expect(() => compiled(db.insertInto('channels').values({ app_id: 'other' } as never))).toThrow(
      CrossAppWriteError,
    );
    expect(() => compiled(db.insertInto('channels').values({ app_id: sql`'other'` } as never))).toThrow(
      CrossAppWriteError,
    );
  });

  it('scopes the queries of a transaction too', () => {
    // withPlugin carries to transactions and to builders made from the scoped instance.
    const q = compiled(db.withoutPlugins().selectFrom('messages').select('id'));
    expect(q.sql).toBe('select "id" from "messages"');
  });
});
