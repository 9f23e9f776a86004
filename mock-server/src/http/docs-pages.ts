import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Human-readable documentation of both APIs, served by the server itself from the files of two
 * npm packages, so it works offline (no CDN):
 *
 * - `GET /v1/docs`: the REST API, `/v1/openapi.json` rendered by Redoc (MIT);
 * - `GET /v1/docs/socket`: the WebSocket protocol, `/v1/asyncapi.json` rendered by the AsyncAPI
 *   React component (Apache-2.0), its standalone browser bundle.
 *
 * The pages are static HTML with no inline script: each loads its viewer's bundle and a small
 * start script from `/v1/docs/assets/`, which then fetches the document from this server. The
 * bundles (2–3 MB each) are read on first use, kept in memory, and sent gzipped when the browser
 * accepts it.
 *
 * The two pages get a content security policy of their own (the rest of the server keeps the
 * global one): the viewers inject `<style>` elements; Redoc runs its search index in a worker
 * made from a `blob:` URL; the AsyncAPI component validates the document in the browser with a
 * JSON Schema validator that compiles its checks (`'unsafe-eval'`, on that page only). Scripts
 * still come from this origin only, no inline script runs, and nothing may frame the pages from
 * elsewhere.
 */

export const DOCS_PAGES = { rest: '/v1/docs', socket: '/v1/docs/socket' } as const;
const ASSETS = '/v1/docs/assets';

const require = createRequire(import.meta.url);

interface Asset {
  type: string;
  /** A file of an installed package, resolved and read on first use. */
  file?: string;
  /** Text to replace in that file: `[what, by]`. */
  replace?: [string, string][];
  text?: string;
}

const JS = 'text/javascript; charset=utf-8';

/** Starts Redoc on the OpenAPI document. */
const REST_START = `Redoc.init('/v1/openapi.json', {
  expandResponses: '200,201',
  jsonSampleExpandLevel: 3,
  hideDownloadButton: false,
  pathInMiddlePanel: true,
}, document.getElementById('docs'));
`;

/** Starts the AsyncAPI component on the AsyncAPI document. */
const SOCKET_START = `AsyncApiStandalone.render({
  schema: { url: '/v1/asyncapi.json', requestOptions: { credentials: 'same-origin' } },
  config: { show: { sidebar: true, errors: true }, expand: { messageExamples: false } },
}, document.getElementById('docs'));
`;

/** Every file the pages load, by its name under `/v1/docs/assets/`: nothing else is served. */
const ASSET_FILES: Record<string, Asset> = {
  'redoc.standalone.js': {
    type: JS,
    file: 'redoc/bundles/redoc.standalone.js',
    // The one outside URL in Redoc: the logo of its "API docs by Redocly" link, from Redocly's
    // CDN. Offline it cannot load, and the policy refuses it anyway; an empty image instead,
    // which Redoc hides (the link stays).
    replace: [['https://cdn.redoc.ly/redoc/logo-mini.svg', 'data:,']],
  },
  'asyncapi.standalone.js': { type: JS, file: '@asyncapi/react-component/browser/standalone/index.js' },
  'asyncapi.css': {
    type: 'text/css; charset=utf-8',
    file: '@asyncapi/react-component/styles/default.min.css',
  },
  'rest.js': { type: JS, text: REST_START },
  'socket.js': { type: JS, text: SOCKET_START },
};

function page(options: { title: string; styles: string[]; scripts: string[]; loading?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<link rel="icon" href="data:,">
${options.styles.map((name) => `<link rel="stylesheet" href="${ASSETS}/${name}">`).join('\n')}
<style>
html { line-height: 1.15; -webkit-text-size-adjust: 100%; tab-size: 4; }
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; }
#loading { margin: 2rem; color: #555; }
#docs:not(:empty) ~ #loading { display: none; }
</style>
</head>
<body>
<div id="docs"></div>
${options.loading ? `<p id="loading">${options.loading}</p>` : ''}
${options.scripts.map((name) => `<script src="${ASSETS}/${name}"></script>`).join('\n')}
</body>
</html>
`;
}

const PAGES = {
  [DOCS_PAGES.rest]: page({
    title: 'Chat REST API reference',
    styles: [],
    scripts: ['redoc.standalone.js', 'rest.js'],
  }),
  [DOCS_PAGES.socket]: page({
    title: 'Chat WebSocket protocol reference',
    styles: ['asyncapi.css'],
    scripts: ['asyncapi.standalone.js', 'socket.js'],
    // The component shows nothing while it parses and validates the document in the browser
    // (seconds on a slow machine): the note goes away once it renders.
    loading: 'Loading the WebSocket protocol reference (the document is validated in your browser)…',
  }),
};

/**
 * The policy of a documentation page (see above): this origin only, inline styles, images from
 * `data:`/`blob:`, and what its viewer needs on top (`scripts`, `workers`).
 */
function pagePolicy(extra: { scripts?: string[]; workers?: string[] }) {
  return {
    useDefaults: true,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'", ...(extra.scripts ?? [])],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'worker-src': ["'self'", ...(extra.workers ?? [])],
      'upgrade-insecure-requests': null,
    },
  };
}

/** Each page's policy: Redoc's search runs in a `blob:` worker; the AsyncAPI parser needs eval. */
export const DOCS_POLICIES = {
  [DOCS_PAGES.rest]: pagePolicy({ workers: ['blob:'] }),
  [DOCS_PAGES.socket]: pagePolicy({ scripts: ["'unsafe-eval'"] }),
};

interface Loaded {
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

const compress = promisify(gzip);
const loaded = new Map<string, Promise<Loaded>>();

/** A page or asset, read and compressed once. */
function load(key: string, read: () => string | Buffer): Promise<Loaded> {
  let entry = loaded.get(key);
  if (!entry) {
    entry = (async () => {
      const content = read();
      const body = typeof content === 'string' ? Buffer.from(content) : content;
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      return { body, gzipped: await compress(body), etag };
    })();
    // A failed read is tried again on the next request.
    entry.catch(() => loaded.delete(key));
    loaded.set(key, entry);
  }
  return entry;
}

async function send(request: FastifyRequest, reply: FastifyReply, type: string, file: Loaded) {
  reply.header('content-type', type);
  reply.header('etag', file.etag);
  reply.header('vary', 'accept-encoding');
  // Revalidated each time (an upgrade of the server changes them), answered 304 when unchanged.
  reply.header('cache-control', 'no-cache');
  if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
    reply.header('content-encoding', 'gzip');
    return reply.send(file.gzipped);
  }
  return reply.send(file.body);
}

/**
 * The two documentation pages and the files they load. Registered as a plugin so that its routes
 * are added once the security headers plugin is loaded, which then sees their own policy.
 */
export function registerDocsPages(app: FastifyInstance): void {
  void app.register(docsPages);
}

async function docsPages(app: FastifyInstance): Promise<void> {
  for (const [path, html] of Object.entries(PAGES)) {
    const helmet = { contentSecurityPolicy: DOCS_POLICIES[path as keyof typeof DOCS_POLICIES] };
    app.get(path, { helmet }, async (request, reply) =>
      send(request, reply, 'text/html; charset=utf-8', await load(path, () => html)),
    );
  }
  // Scripts and styles keep the server's policy: a policy governs documents, not what they load.
  app.get<{ Params: { name: string } }>(`${ASSETS}/:name`, async (request, reply) => {
    const { name } = request.params;
    const asset = Object.hasOwn(ASSET_FILES, name) ? ASSET_FILES[name] : undefined;
    if (!asset) return reply.callNotFound();
    const file = await load(name, () => {
      if (asset.file === undefined) return asset.text ?? '';
      const content = readFileSync(require.resolve(asset.file));
      if (!asset.replace) return content;
      let text = content.toString('utf8');
      for (const [what, by] of asset.replace) text = text.replaceAll(what, by);
      return text;
    });
    return send(request, reply, asset.type, file);
  });
}
