import { lazyComponent } from './lazy-component';

export type { SearchPanelProps } from './search-panel-body';

/**
 * Searches the user's messages as they type (see `search-panel-body.tsx`); its code loads the
 * first time the panel shows.
 */
export const SearchPanel = lazyComponent(() => import('./search-panel-body').then((m) => m.SearchPanel));
