import type { Kysely } from 'kysely';
import { type AppDb, type AppTable, scopeToApp } from './app-scope';
import type { Database } from './schema';

/** The tables that belong to no one application: applications, customer accounts, teams' links. */
export type PlatformTable = Exclude<keyof Database, AppTable>;
/** A query builder that cannot even name an application's table. */
export type PlatformDb = Kysely<Pick<Database, PlatformTable>>;

/**
 * The data-access seam everything above the store goes through. Application data is reached
 * only through `forApp`, whose every query is confined to that application (`scopeToApp`);
 * `platform` reaches only the tables above applications, by its type.
 */
export interface DataAccess {
  forApp(appId: string): AppDb;
  readonly platform: PlatformDb;
}

/** Scoped builders are kept per application (creating one is cheap; this keeps it free). */
const MAX_CACHED_APPS = 1_000;

export function createDataAccess(db: Kysely<Database>): DataAccess {
  const forApp = perApp((appId) => scopeToApp(db, appId));
  return { forApp, platform: db as unknown as PlatformDb };
}

/** Memoizes something built for one application, for a bounded number of applications. */
export function perApp<T>(make: (appId: string) => T): (appId: string) => T {
  const made = new Map<string, T>();
  return (appId) => {
    let value = made.get(appId);
    if (value === undefined) {
      if (made.size >= MAX_CACHED_APPS) made.clear();
      value = make(appId);
      made.set(appId, value);
    }
    return value;
  };
}
