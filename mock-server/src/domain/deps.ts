import type { Publish } from '../events/published-event';
import type { AppDb } from '../store/app-scope';

/** What every domain call needs. */
export interface DomainDeps {
  db: AppDb;
  publish: Publish;
}
