// What @chat/angular adds to an app, measured on the FESM bundle ng-packagr built (what an app's
// bundler starts from), with @angular/*, rxjs and @chat/core external. Run `npm run build` first.
import { existsSync } from 'node:fs';
import { checkBudget, NO_DEPENDENCIES } from '../../../scripts/bundle-budget.mjs';

const entry = new URL('../dist/fesm2022/chat-angular.mjs', import.meta.url).pathname;
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run \`npm run build\` first`);
  process.exit(1);
}
await checkBudget({
  name: '@chat/angular FESM (@angular/*, rxjs, @chat/core external)',
  entry,
  external: ['@angular/*', 'rxjs', 'rxjs/*', '@chat/core', 'tslib'],
  budgetBytes: 5 * 1024,
  forbidden: NO_DEPENDENCIES,
});
