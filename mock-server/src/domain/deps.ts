import type { Publish } from '../events/published-event';
import type { AppDb } from '../store/app-scope';
import type { BeforeSendHooks } from './messages/before-send';
import type { ContentFilters } from './messages/content-filter';

/** What every domain call needs. */
export interface DomainDeps {
  db: AppDb;
  publish: Publish;
  /** The applications' before-send hooks; none when not given (tests, the demo seed). */
  beforeSend?: BeforeSendHooks;
  /** The applications' blocklists, asked on every send and edit; none when not given. */
  contentFilters?: ContentFilters;
}
