import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves a built web app (e.g. the React example) from the same origin as the API, so the app
 * needs no CORS and no URL configuration. Page paths it does not know fall back to its
 * `index.html` (see `registerErrorHandling`).
 */
export function registerWebRoot(app: FastifyInstance, root: string): void {
  const dir = resolve(root);
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`The web root ${dir} has no index.html: build the web app first`);
  }
  void app.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: false });
}
