/** jsdom for rendering, with Node's WebSocket for the real server (see the shared file). */
export { default } from '@chat/test-server/jsdom-environment';
