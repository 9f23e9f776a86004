import { packageConfig } from '../../tsup.base';

// Dependencies (vue, @chat/core) stay external: tsup leaves every dependency and peer out.
export default packageConfig();
