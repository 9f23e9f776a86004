import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * `npm run dev` serves the app with hot reload and forwards the API and the socket to the
 * reference server of `npm start` (port 8080), so the app talks to its own origin either way.
 *
 * The build is an installable app with an offline shell: a service worker (Workbox, through
 * vite-plugin-pwa) precaches the app's files, and any page path opened offline gets the app,
 * which then shows the conversations and queued messages from IndexedDB. The API, the socket
 * and the docs are never served from the worker: the SDK owns what data is fresh.
 */
export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Chat — React example',
        short_name: 'Chat',
        description: 'The chat SDK’s example app',
        theme_color: '#2563eb',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,webmanifest}'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/v1\//, /^\/(healthz|readyz|metrics)$/],
        cleanupOutdatedCaches: true,
        // The first visit's page is served by the worker as soon as it is installed, so even
        // a reload right after the first login works offline.
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  server: {
    proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } },
  },
  build: { sourcemap: true },
});
