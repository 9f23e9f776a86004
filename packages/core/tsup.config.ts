import { packageConfig } from '../../tsup.base';

// Two entries: the client, and the Web Push service worker module (`@chat/core/service-worker`),
// which shares no code with it and stays out of the main bundle.
export default packageConfig({
  entry: { index: 'src/index.ts', 'service-worker': 'src/service-worker/index.ts' },
});
