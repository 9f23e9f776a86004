import { existsSync, readFileSync } from 'node:fs';
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
  readIndexHtml(dir);
  void app.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: false });
}

/** The web app's `index.html` (its inline scripts go into the content security policy). */
export function readIndexHtml(root: string): string {
  const file = join(resolve(root), 'index.html');
  if (!existsSync(file))
    throw new Error(`The web root ${resolve(root)} has no index.html: build the web app first`);
  return readFileSync(file, 'utf8');
}
