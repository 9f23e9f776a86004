import { defineConfig, type Options } from 'tsup';

/**
 * The one build config every publishable package shares: ESM, type declarations, sourcemaps,
 * dependencies left external. A package passes only what differs (its entry points).
 */
export function packageConfig(overrides: Partial<Options> = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    treeshake: true,
    ...overrides,
  });
}
