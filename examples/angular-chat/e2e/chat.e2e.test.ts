import { resolve } from 'node:path';
import { exampleSmokeTest } from '@chat/browser-e2e/example-smoke';

/** What `ng build` wrote (turbo runs `build` before `test`). */
exampleSmokeTest('the Angular chat app in Chromium', resolve(import.meta.dirname, '../dist/browser'));
