import { packageConfig } from '../../tsup.base';

// Two entries: everything, and the zod-free constants that browser SDKs import.
export default packageConfig({ entry: ['src/index.ts', 'src/constants.ts'] });
