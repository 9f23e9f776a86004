import { packageConfig } from '../../tsup.base';

// msw stays external: the app's own copy must run the handlers.
export default packageConfig({ external: ['msw'] });
