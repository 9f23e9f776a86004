import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npm run dev` serves the app with hot reload and forwards the API and the socket to the
 * reference server of `npm start` (port 8080), so the app talks to its own origin either way.
 */
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } },
  },
  build: { sourcemap: true },
});
