import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { packageConfig } from '../../tsup.base';

/**
 * Every export is a client component (state, effects), so React Server Components frameworks
 * need `'use client'` atop the bundle. The bundler drops module directives, so it is added after
 * the build, on the first line (which holds only imports), so the source map's lines still match.
 */
async function markClientModule(file: string) {
  const code = await readFile(file, 'utf8');
  if (!code.startsWith("'use client';")) await writeFile(file, `'use client';${code}`);
}

export default packageConfig({
  // Peers and sibling packages stay imports: the app's bundler dedupes them with its own copies.
  external: ['react', 'react-dom', 'react/jsx-runtime', /^@chat\//],
  onSuccess: async () => {
    await markClientModule('dist/index.js');
    // The stylesheet ships as `@chat/ui-react/styles.css`; nothing imports it from JS, so it
    // never lands in the JS bundle and the host decides whether to load it.
    await copyFile('src/styles.css', 'dist/styles.css');
  },
});
