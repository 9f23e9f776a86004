import { resolve } from 'node:path';
import { exampleAxeTest } from '@chat/browser-e2e/example-axe';

/** What `ng build` wrote (turbo runs `build` before `test`). */
exampleAxeTest(
  'axe on every screen of the Angular chat app',
  resolve(import.meta.dirname, '../dist/browser'),
);
