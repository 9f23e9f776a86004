import { chatServerSetup } from '@chat/test-server';

/**
 * The reference server for this run; tests reach it with `inject('chatServer')`. Presence goes
 * offline 200 ms after the last socket closes: short, so tests need not wait.
 */
export default chatServerSetup('vue', { realtime: { presenceGraceMs: 200 } });
