import { packageConfig } from '../../tsup.base';

// React and core stay external: the app brings one copy of each.
export default packageConfig({ external: ['react', '@chat/core'] });
