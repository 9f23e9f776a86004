import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import { installLayout } from './layout';

// Node-environment files (SSR) have no DOM to lay out or clean up.
if (typeof document !== 'undefined') {
  installLayout();
  // As apps run in development: effects mount, unmount and mount again.
  configure({ reactStrictMode: true });
  // axe probes a canvas for icon fonts; jsdom has none and would log "not implemented".
  HTMLCanvasElement.prototype.getContext = () => null;
  afterEach(cleanup);
}
