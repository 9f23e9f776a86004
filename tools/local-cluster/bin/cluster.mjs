// `npm run cluster`: builds what the cluster runs (the server, this tool, the React example)
// with turbo, one line per package, then starts the cluster in this process. Options after `--`
// go to it (`npm run cluster -- --help`).
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const web = !process.argv.includes('--no-web') && !process.env.CHAT_WEB_ROOT;
console.log('Building the server, the cluster tool and the React example (cached after the first time)…');
const build = spawnSync(
  'npx',
  [
    'turbo',
    'run',
    'build',
    '--filter=@chat/local-cluster...',
    ...(web ? ['--filter=@chat/example-react-chat...'] : []),
    '--output-logs=hash-only',
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
if (build.status !== 0) {
  console.error('cluster: the build failed (see above)');
  process.exit(build.status ?? 1);
}
await import('../dist/cli.js');
