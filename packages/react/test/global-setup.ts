import { chatServerSetup } from '@chat/test-server';

/** The reference server for this run; tests reach it with `inject('chatServer')`. */
export default chatServerSetup('react');
