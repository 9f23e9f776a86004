import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The main suite: unit tests and the end-to-end tests against an in-process server. The fault
 * suite (test/fault) runs on its own, after it (vitest.fault.config.ts).
 */
export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, 'test/fault/**'],
  },
});
