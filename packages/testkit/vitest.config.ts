import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The contract test boots the reference server (PGlite) in-process; a first boot is slow.
    hookTimeout: 60_000,
    testTimeout: 20_000,
  },
});
