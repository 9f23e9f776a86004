import { lazyComponent } from './lazy-component';

export type { BrowseChannelsProps } from './browse-channels-body';

/**
 * The app's public channels to browse and join (see `browse-channels-body.tsx`); its code loads
 * the first time the panel shows.
 */
export const BrowseChannels = lazyComponent(() =>
  import('./browse-channels-body').then((m) => m.BrowseChannels),
);
