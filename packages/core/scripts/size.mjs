// The whole core as an app's bundler sees it, every dependency included. zod and the protocol's
// validators must stay out: core imports only types from @chat/protocol, and values from its
// zod-free `@chat/protocol/constants` entry.
import { checkBudget, NO_VALIDATORS } from '../../../scripts/bundle-budget.mjs';

const src = new URL('../src', import.meta.url).pathname;

/** The chunks loaded on demand, as the core imports them, with their files. */
const LAZY = {
  'file upload (the first file a user sends)': {
    './upload-all': 'uploads/upload-all.ts',
    './upload-file': 'uploads/upload-file.ts',
  },
  'resumable upload (the first file of 8 MB or more)': { './upload-parts': 'uploads/upload-parts.ts' },
  'files of sends kept in the offline queue (the first one)': {
    './queued-uploads': 'offline/queued-uploads.ts',
  },
  'Web Push (an app that turns it on)': { './web-push': 'web-push.ts' },
  'accounts on the chat server (login, register, resume)': { './auth-session': 'auth-session.ts' },
};
/** What those chunks share with the core (loaded already when they load). */
const SHARED = [
  './http-client',
  './token-manager',
  '../errors',
  '../environment',
  '../http-client',
  './file-info',
  './media-url',
  './errors',
];

await checkBudget({
  name: '@chat/core browser bundle',
  entry: `${src}/index.ts`,
  budgetBytes: 25 * 1024,
  external: Object.values(LAZY).flatMap(Object.keys),
  forbidden: NO_VALIDATORS,
});

for (const [what, files] of Object.entries(LAZY)) {
  await checkBudget({
    name: `@chat/core on demand: ${what}`,
    stdin: {
      contents: Object.values(files)
        .map((file) => `export * from ${JSON.stringify(`${src}/${file}`)};`)
        .join('\n'),
      resolveDir: src,
    },
    // The core's own and the other chunks are loaded already, or on their own.
    external: [...SHARED, ...Object.values(LAZY).flatMap(Object.keys)],
    budgetBytes: 3 * 1024,
    forbidden: NO_VALIDATORS,
  });
}
