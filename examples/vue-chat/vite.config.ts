import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/** Where `npm start` (the reference server) listens; the dev server forwards the API there. */
const CHAT_SERVER = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [vue()],
  server: {
    // Same origin in development too: REST and the WebSocket (`/v1/ws`) go through the proxy.
    proxy: { '/v1': { target: CHAT_SERVER, ws: true } },
  },
});
