import { packageConfig } from '../../tsup.base';

// Entries beside the client, kept out of its size budget: the Web Push service worker module
// (`@chat/core/service-worker`, which shares no code with it) and the push preferences store the
// adapters share (`@chat/core/push-preferences`; shared code goes to a common chunk, so its
// `ChatError` is the client's), and moderation (`@chat/core/moderation`: reports, blocks, the
// review queue, with its own route table).
export default packageConfig({
  entry: {
    index: 'src/index.ts',
    'service-worker': 'src/service-worker/index.ts',
    'push-preferences': 'src/push-preferences.ts',
    moderation: 'src/moderation.ts',
  },
});
