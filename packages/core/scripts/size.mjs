// The whole core as an app's bundler sees it, every dependency included. zod and the protocol's
// validators must stay out: core imports only types from @chat/protocol, and values from its
// zod-free `@chat/protocol/constants` entry.
import { checkBudget, NO_VALIDATORS } from '../../../scripts/bundle-budget.mjs';

await checkBudget({
  name: '@chat/core browser bundle',
  entry: new URL('../src/index.ts', import.meta.url).pathname,
  budgetBytes: 25 * 1024,
  forbidden: NO_VALIDATORS,
});
