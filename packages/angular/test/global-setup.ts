import { chatServerSetup } from '@chat/test-server';

/**
 * The reference server for this run; tests reach it with `inject('chatServer')`. It runs in the
 * Vitest process because test files get jsdom's globals (timers, `crypto` without `subtle`).
 */
export default chatServerSetup('angular');
