import {
  type Blocklist,
  type BlocklistSummary,
  type ChangeBlocklistEntriesBody,
  type CreateBlocklistBody,
  MODERATION_LIMITS,
  type UpdateBlocklistBody,
} from '@chat/protocol';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { recordModerationAction } from '../domain/moderation/audit-log';
import type { Actor } from '../kernel/actor';
import { ChatError, forbidden, notFound } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import type { BlocklistKind, BlocklistsTable } from '../store/schema';
import { checkEntries } from './blocklist-entries';
import type { BlocklistSpec } from './blocklist-matcher';

/**
 * Blocklists as their managers see them: the app's backend (server token) and its admin users.
 * Every change runs under a per-app lock (so the limits hold against concurrent requests), is
 * recorded in the moderation audit log, and any bad input refuses the whole request, changing
 * nothing. The caller then drops the app's compiled lists on every node (blocklist-cache.ts).
 */
type BlocklistRow = Selectable<BlocklistsTable>;
const UNIQUE_VIOLATION = '23505';
const INSERT_CHUNK = 1_000;

function requireManager(actor: Actor): void {
  if (!actor.server && actor.role !== 'admin')
    throw forbidden('Only app admins and the server may manage blocklists');
}

function summaryOf(row: BlocklistRow): BlocklistSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    mode: row.mode,
    reason: row.reason,
    is_active: row.is_active,
    entry_count: Number(row.entry_count),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

async function withEntries(db: AppDb, row: BlocklistRow): Promise<Blocklist> {
  const entries = await db
    .selectFrom('blocklist_entries')
    .select('value')
    .where('blocklist_id', '=', row.id)
    .orderBy('value')
    .execute();
  return { ...summaryOf(row), entries: entries.map((entry) => entry.value) };
}

export async function listBlocklists(db: AppDb, actor: Actor): Promise<BlocklistSummary[]> {
  requireManager(actor);
  const rows = await db.selectFrom('blocklists').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(summaryOf);
}

export async function getBlocklist(db: AppDb, actor: Actor, id: string): Promise<Blocklist> {
  requireManager(actor);
  return withEntries(db, await findList(db, id));
}

async function findList(db: AppDb, id: string, lock = false): Promise<BlocklistRow> {
  let query = db.selectFrom('blocklists').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('Blocklist');
  return row;
}

export async function createBlocklist(
  db: AppDb,
  actor: Actor,
  body: CreateBlocklistBody,
): Promise<Blocklist> {
  requireManager(actor);
  const entries = checkEntries(body.kind, body.entries ?? [], 'entries');
  return changing(db, actor, async (tx) => {
    const { count } = await tx
      .selectFrom('blocklists')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(count) >= MODERATION_LIMITS.BLOCKLISTS_PER_APP)
      throw limitError(
        `An application has at most ${MODERATION_LIMITS.BLOCKLISTS_PER_APP} blocklists`,
        'name',
      );
    const row = await tx
      .insertInto('blocklists')
      .values({
        app_id: actor.appId,
        name: body.name.trim(),
        kind: body.kind,
        mode: body.mode,
        reason: body.reason ?? null,
        is_active: body.is_active ?? true,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertEntries(tx, actor.appId, row.id, entries);
    const saved = await finish(tx, row.id, body.kind, 'entries');
    await audit(tx, actor, 'blocklist.created', saved);
    return withEntries(tx, saved);
  });
}

export async function updateBlocklist(
  db: AppDb,
  actor: Actor,
  id: string,
  body: UpdateBlocklistBody,
): Promise<Blocklist> {
  requireManager(actor);
  return changing(db, actor, async (tx) => {
    const row = await findList(tx, id, true);
    if (body.entries) {
      const entries = checkEntries(row.kind, body.entries, 'entries');
      await tx.deleteFrom('blocklist_entries').where('blocklist_id', '=', id).execute();
      await insertEntries(tx, actor.appId, id, entries);
    }
    await tx
      .updateTable('blocklists')
      .set({
        // Always something to set: a change of the entries alone is a change of the list.
        updated_at: new Date(),
        ...(body.name !== undefined && { name: body.name.trim() }),
        ...(body.mode !== undefined && { mode: body.mode }),
        ...(body.reason !== undefined && { reason: body.reason }),
        ...(body.is_active !== undefined && { is_active: body.is_active }),
      })
      .where('id', '=', id)
      .execute();
    const saved = await finish(tx, id, row.kind, 'entries');
    await audit(tx, actor, 'blocklist.updated', saved);
    return withEntries(tx, saved);
  });
}

export async function changeBlocklistEntries(
  db: AppDb,
  actor: Actor,
  id: string,
  body: ChangeBlocklistEntriesBody,
): Promise<Blocklist> {
  requireManager(actor);
  return changing(db, actor, async (tx) => {
    const row = await findList(tx, id, true);
    const add = checkEntries(row.kind, body.add ?? [], 'add');
    // Removals are matched as stored: checked the same way, but one that no longer is valid is kept as given.
    const remove = (body.remove ?? []).map((value) => value.trim());
    const removeStored = remove.flatMap((value) => {
      try {
        return checkEntries(row.kind, [value], 'remove');
      } catch {
        return [];
      }
    });
    const removing = [...new Set([...remove, ...removeStored])];
    for (let i = 0; i < removing.length; i += INSERT_CHUNK) {
      await tx
        .deleteFrom('blocklist_entries')
        .where('blocklist_id', '=', id)
        .where('value', 'in', removing.slice(i, i + INSERT_CHUNK))
        .execute();
    }
    await insertEntries(tx, actor.appId, id, add);
    const saved = await finish(tx, id, row.kind, 'add');
    await audit(tx, actor, 'blocklist.updated', saved, { added: add.length, removed: removing.length });
    return withEntries(tx, saved);
  });
}

export async function deleteBlocklist(db: AppDb, actor: Actor, id: string): Promise<void> {
  requireManager(actor);
  await changing(db, actor, async (tx) => {
    const row = await findList(tx, id, true);
    await tx.deleteFrom('blocklists').where('id', '=', id).execute();
    await audit(tx, actor, 'blocklist.deleted', row);
  });
}

/** The app's active lists with their entries, as the matcher takes them (one query). */
export async function loadActiveBlocklists(db: AppDb): Promise<BlocklistSpec[]> {
  const rows = await db
    .selectFrom('blocklists as b')
    .leftJoin('blocklist_entries as e', 'e.blocklist_id', 'b.id')
    .select(['b.id', 'b.name', 'b.kind', 'b.mode', 'b.reason', 'e.value'])
    .where('b.is_active', '=', true)
    .orderBy('b.created_at')
    .orderBy('b.id')
    .execute();
  const lists = new Map<string, BlocklistSpec & { entries: string[] }>();
  for (const row of rows) {
    let list = lists.get(row.id);
    if (!list) {
      list = { id: row.id, name: row.name, kind: row.kind, mode: row.mode, reason: row.reason, entries: [] };
      lists.set(row.id, list);
    }
    if (row.value !== null) list.entries.push(row.value);
  }
  return [...lists.values()];
}

/** Runs a change in a transaction holding the app's blocklist lock; a taken name is a 409. */
async function changing<T>(db: AppDb, actor: Actor, change: (tx: AppDb) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`blocklists:${actor.appId}`}))`.execute(tx);
      return change(tx);
    });
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION)
      throw new ChatError('conflict', 'A blocklist with this name exists', {
        issues: [{ path: ['name'], message: 'Taken by another blocklist of this app' }],
      });
    throw error;
  }
}

async function insertEntries(tx: AppDb, appId: string, listId: string, values: string[]): Promise<void> {
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('blocklist_entries')
      .values(
        values.slice(i, i + INSERT_CHUNK).map((value) => ({ app_id: appId, blocklist_id: listId, value })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/**
 * Counts the list's entries, holds the limits (per list, per app, regexes), and stamps the
 * list. A limit passed throws, and the transaction takes everything back.
 */
async function finish(tx: AppDb, id: string, kind: BlocklistKind, field: string): Promise<BlocklistRow> {
  const counts = await tx
    .selectFrom('blocklist_entries as e')
    .innerJoin('blocklists as b', 'b.id', 'e.blocklist_id')
    .select((eb) => [
      eb.fn.countAll<string>().as('app'),
      eb.fn.count<string>('e.value').filterWhere('e.blocklist_id', '=', id).as('list'),
      eb.fn.count<string>('e.value').filterWhere('b.kind', '=', 'regex').as('regexes'),
    ])
    .executeTakeFirstOrThrow();
  const list = Number(counts.list);
  const perList =
    kind === 'regex' ? MODERATION_LIMITS.BLOCKLIST_REGEXES : MODERATION_LIMITS.BLOCKLIST_ENTRIES;
  if (list > perList) throw limitError(`A ${kind} list has at most ${perList} entries`, field);
  if (Number(counts.app) > MODERATION_LIMITS.BLOCKLIST_ENTRIES_PER_APP)
    throw limitError(
      `An application's blocklists have at most ${MODERATION_LIMITS.BLOCKLIST_ENTRIES_PER_APP} entries`,
      field,
    );
  if (Number(counts.regexes) > MODERATION_LIMITS.BLOCKLIST_REGEXES_PER_APP)
    throw limitError(
      `An application's blocklists have at most ${MODERATION_LIMITS.BLOCKLIST_REGEXES_PER_APP} regexes`,
      field,
    );
  return tx
    .updateTable('blocklists')
    .set({ entry_count: list, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

function limitError(message: string, field: string): ChatError {
  return new ChatError('validation_failed', message, { issues: [{ path: [field], message }] });
}

async function audit(
  tx: AppDb,
  actor: Actor,
  action: string,
  row: BlocklistRow,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await recordModerationAction(tx, {
    action,
    actor,
    details: { blocklist_id: row.id, blocklist_name: row.name, mode: row.mode, kind: row.kind, ...extra },
  });
}
