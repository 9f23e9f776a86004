import { packageConfig } from '../tsup.base';

export default packageConfig({
  entry: { index: 'src/index.ts', cli: 'src/startup/cli.ts' },
  // Migrations are plain SQL read at run time; they ship beside the code.
  publicDir: 'src/store/migrations',
});
