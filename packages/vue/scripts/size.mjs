// What @chat/vue adds to an app: vue and @chat/core left out (the app ships those anyway). An
// adapter that grows is taking on logic that belongs in core.
import { checkBudget, NO_DEPENDENCIES } from '../../../scripts/bundle-budget.mjs';

await checkBudget({
  name: '@chat/vue browser bundle (vue, @chat/core external)',
  entry: new URL('../src/index.ts', import.meta.url).pathname,
  external: ['vue', '@chat/core'],
  budgetBytes: 5 * 1024,
  forbidden: NO_DEPENDENCIES,
});
