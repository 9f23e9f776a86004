import { resolve } from 'node:path';
import { exampleAxeTest } from '@chat/browser-e2e/example-axe';

exampleAxeTest('axe on every screen of the Vue chat app', resolve(import.meta.dirname, '../dist'));
