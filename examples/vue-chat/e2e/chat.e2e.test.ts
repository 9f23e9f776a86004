import { resolve } from 'node:path';
import { exampleSmokeTest } from '@chat/browser-e2e/example-smoke';

exampleSmokeTest('the Vue chat app in Chromium', resolve(import.meta.dirname, '../dist'));
