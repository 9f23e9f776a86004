import angular from '@analogjs/vite-plugin-angular';
import { defineConfig } from 'vitest/config';

// Analog's plugin compiles the Angular code; TestBed runs zoneless on jsdom (test/test-setup.ts).
export default defineConfig({
  // `fastCompile`: the default path (one TypeScript program built at start) intermittently left
  // decorated files uncompiled under Vitest 5 ("SyntaxError: Invalid or unexpected token").
  plugins: [angular({ tsconfig: 'tsconfig.spec.json', fastCompile: true })],
  test: {
    environment: 'jsdom',
    setupFiles: ['test/test-setup.ts'],
    // The reference server, started once for all test files (see the file for why not per file).
    globalSetup: ['test/global-setup.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
