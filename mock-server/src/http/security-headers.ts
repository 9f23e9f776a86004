import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The standard security headers on every response (helmet): `nosniff`, frame and referrer
 * policies, HSTS, and a content security policy for the web app served from the same origin.
 * The policy lets that app load its own code and styles, talk to this server (fetch and the
 * WebSocket, same origin), and show images and media from anywhere over https (avatars and
 * attachments live on other hosts); nothing else may frame it. The inline scripts of the app's
 * `index.html` (builds such as Angular's add one) are allowed by their hashes, nothing else
 * inline. Requests are not upgraded to https: the server often runs on plain http on a laptop
 * or a LAN address, where the upgrade would break every request.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: { inlineScripts?: string[] } = {}) {
  const hashes = (options.inlineScripts ?? []).map(
    (script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`,
  );
  void app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'", ...hashes],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:', 'https:'],
        'media-src': ["'self'", 'data:', 'blob:', 'https:'],
        'upgrade-insecure-requests': null,
      },
    },
  });
}

/** The contents of the inline `<script>` elements of an HTML page. */
export function inlineScriptsOf(html: string): string[] {
  const scripts: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc\s*=/i.test(match[1] ?? '') && match[2]) scripts.push(match[2]);
  }
  return scripts;
}
