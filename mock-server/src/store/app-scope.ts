import {
  AliasNode,
  AndNode,
  BinaryOperationNode,
  ColumnNode,
  type DeleteQueryNode,
  IdentifierNode,
  type InsertQueryNode,
  type Kysely,
  type KyselyPlugin,
  OnNode,
  type OperationNode,
  OperationNodeTransformer,
  OperatorNode,
  ParensNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PrimitiveValueListNode,
  type QueryResult,
  ReferenceNode,
  type RootOperationNode,
  type SelectQueryNode,
  TableNode,
  type UnknownRow,
  type UpdateQueryNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  WhereNode,
} from 'kysely';
import type { Database } from './schema';

/**
 * The tables with an `app_id`. In all but one every row belongs to an application; in
 * `refresh_tokens` the rows of portal accounts (customer users) have none, and an application's
 * scope never sees them.
 */
export type AppTable = {
  [K in keyof Database]: 'app_id' extends keyof Database[K] ? K : never;
}[keyof Database];

/** Listed at run time; the type below fails to compile when a table is added without it. */
export const APP_TABLES = [
  'app_users',
  'refresh_tokens',
  'app_user_devices',
  'push_providers',
  'push_sends',
  'push_settings',
  'push_counters',
  'user_mutes',
  'user_blocks',
  'uploads',
  'upload_parts',
  'upload_policies',
  'channels',
  'channel_members',
  'messages',
  'message_attachments',
  'link_preview_cache',
  'message_reactions',
  'message_reads',
  'message_drafts',
  'channel_events',
  'webhooks',
  'webhook_deliveries',
  'campaigns',
  'moderation_queue',
  'moderation_reports',
  'moderation_audit',
  'blocklists',
  'blocklist_entries',
  'outbox',
] as const satisfies readonly AppTable[];
type Unlisted = Exclude<AppTable, (typeof APP_TABLES)[number]>;
const everyAppTableListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyAppTableListed;

const appTables: ReadonlySet<string> = new Set(APP_TABLES);

/** A query builder whose every query is confined to one application (see `scopeToApp`). */
export type AppDb = Kysely<Database>;

/**
 * The one place tenancy is applied. Every query built on the returned builder is rewritten before
 * it runs: each application table it reads, joins, updates or deletes from (subqueries and CTEs
 * included, under any alias) gets `app_id = <appId>` added to its WHERE or its join's ON, and each
 * row inserted into one gets `app_id = <appId>` (a row naming another application is refused).
 * Raw SQL text is opaque to it, so outside `store/` raw SQL may not name tables (the layout test
 * enforces that).
 */
export function scopeToApp(db: Kysely<Database>, appId: string): AppDb {
  return db.withPlugin(new AppScopePlugin(appId));
}

export class CrossAppWriteError extends Error {
  constructor(table: string) {
    super(`Refused a write into ${table} for another application than the query's scope`);
    this.name = 'CrossAppWriteError';
  }
}

class AppScopePlugin implements KyselyPlugin {
  private readonly transformer: AppScopeTransformer;

  constructor(appId: string) {
    this.transformer = new AppScopeTransformer(appId);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The application table a FROM/JOIN item names, and what its columns are qualified with. */
function appTableOf(node: OperationNode): { table: string; ref: string } | undefined {
  if (TableNode.is(node)) {
    const table = node.table.identifier.name;
    return appTables.has(table) ? { table, ref: table } : undefined;
  }
  if (AliasNode.is(node) && TableNode.is(node.node) && IdentifierNode.is(node.alias)) {
    const table = node.node.table.identifier.name;
    return appTables.has(table) ? { table, ref: node.alias.name } : undefined;
  }
  return undefined;
}

/**
 * `existing AND condition`, the existing one in parentheses: a raw `a OR b` must not bind to the
 * scope (`a OR (b AND app_id = …)` would let rows of every application through).
 */
function andScope(existing: OperationNode | undefined, condition: OperationNode): OperationNode {
  return existing ? AndNode.create(ParensNode.create(existing), condition) : condition;
}

class AppScopeTransformer extends OperationNodeTransformer {
  constructor(private readonly appId: string) {
    super();
  }

  private belongs(ref: string): OperationNode {
    return BinaryOperationNode.create(
      ReferenceNode.create(ColumnNode.create('app_id'), TableNode.create(ref)),
      OperatorNode.create('='),
      ValueNode.create(this.appId),
    );
  }

  /** ANDs the scope of every application table among `items` into the query's WHERE. */
  private scopeWhere<T extends SelectQueryNode | UpdateQueryNode | DeleteQueryNode>(
    node: T,
    items: ReadonlyArray<OperationNode>,
  ): T {
    let scoped = node;
    for (const item of items) {
      const found = appTableOf(item);
      if (found)
        scoped = {
          ...scoped,
          where: WhereNode.create(andScope(scoped.where?.where, this.belongs(found.ref))),
        };
    }
    return scoped;
  }

  /** Scopes joined application tables in the join's ON, so outer joins keep their meaning. */
  private scopeJoins<T extends SelectQueryNode | UpdateQueryNode | DeleteQueryNode>(node: T): T {
    if (!node.joins) return node;
    let where: OperationNode[] = [];
    const joins = node.joins.map((join) => {
      const found = appTableOf(join.table);
      if (!found) return join;
      // A USING join has no ON to extend; its scope goes to the WHERE.
      if (join.joinType === 'Using') {
        where = [...where, join.table];
        return join;
      }
      return { ...join, on: OnNode.create(andScope(join.on?.on, this.belongs(found.ref))) };
    });
    return this.scopeWhere({ ...node, joins }, where);
  }

  protected override transformSelectQuery(node: SelectQueryNode): SelectQueryNode {
    const out = super.transformSelectQuery(node);
    return this.scopeJoins(this.scopeWhere(out, out.from?.froms ?? []));
  }

  protected override transformUpdateQuery(node: UpdateQueryNode): UpdateQueryNode {
    const out = super.transformUpdateQuery(node);
    const items = [...(out.table ? [out.table] : []), ...(out.from?.froms ?? [])];
    return this.scopeJoins(this.scopeWhere(out, items));
  }

  protected override transformDeleteQuery(node: DeleteQueryNode): DeleteQueryNode {
    const out = super.transformDeleteQuery(node);
    return this.scopeJoins(this.scopeWhere(out, [...out.from.froms, ...(out.using?.tables ?? [])]));
  }

  protected override transformInsertQuery(node: InsertQueryNode): InsertQueryNode {
    const out = super.transformInsertQuery(node);
    const table = out.into && appTableOf(out.into)?.table;
    if (!table) return out;
    if (!out.values || !ValuesNode.is(out.values))
      throw new Error(`The app scope only inserts VALUES rows into ${table}`);
    const columns = out.columns ?? [];
    const at = columns.findIndex((column) => column.column.name === 'app_id');
    const rows = out.values.values.map((row) => {
      const values: ReadonlyArray<unknown> = PrimitiveValueListNode.is(row) ? row.values : row.values;
      if (at === -1)
        return PrimitiveValueListNode.is(row)
          ? PrimitiveValueListNode.create([...row.values, this.appId])
          : ValueListNode.create([...row.values, ValueNode.create(this.appId)]);
      const given = values[at];
      const value = PrimitiveValueListNode.is(row)
        ? given
        : ValueNode.is(given as OperationNode)
          ? (given as ValueNode).value
          : undefined;
      if (value !== this.appId) throw new CrossAppWriteError(table);
      return row;
    });
    return {
      ...out,
      columns: at === -1 ? [...columns, ColumnNode.create('app_id')] : columns,
      values: ValuesNode.create(rows),
    };
  }
}
