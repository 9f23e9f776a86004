import { packageConfig } from '../../tsup.base';

// An app, not a library: no type declarations.
export default packageConfig({ entry: ['src/main.ts'], dts: false });
