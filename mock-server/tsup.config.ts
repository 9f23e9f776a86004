import { packageConfig } from '../tsup.base';

export default packageConfig({
  // The push send thread's script is loaded by path (push/thread-transport.ts), beside the bundles.
  entry: { index: 'src/index.ts', cli: 'src/startup/cli.ts', 'push-send-thread': 'src/push/send-thread.ts' },
  // Migrations are plain SQL read at run time; they ship beside the code.
  publicDir: 'src/store/migrations',
});
