// What @chat/react adds to an app: React and @chat/core left out (the app has them anyway; core
// has its own budget). An adapter that grows is taking on logic that belongs in core.
import { checkBudget, NO_DEPENDENCIES } from '../../../scripts/bundle-budget.mjs';

await checkBudget({
  name: '@chat/react browser bundle (react, @chat/core external)',
  entry: new URL('../src/index.ts', import.meta.url).pathname,
  external: ['react', 'react/jsx-runtime', 'react-dom', '@chat/core'],
  budgetBytes: 5 * 1024,
  forbidden: NO_DEPENDENCIES,
});
