import { defineConfig } from 'tsup';

/**
 * One file, `dist/cli.js`, that `npm run cluster` runs. `@chat/fault-kit` (a devDependency, so
 * not left external) is bundled in: it has no build of its own, and its helpers stay in one place.
 */
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  sourcemap: true,
  clean: true,
});
