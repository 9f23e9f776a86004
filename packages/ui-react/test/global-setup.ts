import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatServerSetup } from '@chat/test-server';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A site the link-preview tests link to (on 127.0.0.2, which only this run's server may fetch). */
    linkedSite: string;
  }
}

/** A page with Open Graph tags, and its image. */
function startLinkedSite(): Promise<{ url: string; close(): void }> {
  const site = createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.url === '/card.png') {
      res
        .writeHead(200, { 'content-type': 'image/png' })
        .end(
          Buffer.from(
            'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==',
            'base64',
          ),
        );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head>
<meta property="og:title" content="Release notes <b>4.2</b>">
<meta property="og:description" content="What changed in this release, in three lines.">
<meta property="og:site_name" content="Example Docs">
<meta property="og:image" content="${origin}/card.png">
<title>ignored</title></head><body>release</body></html>`);
  });
  return new Promise((resolve) =>
    site.listen(0, '127.0.0.2', () => {
      const { port } = site.address() as AddressInfo;
      resolve({ url: `http://127.0.0.2:${port}`, close: () => site.close() });
    }),
  );
}

/** The reference server for this run; tests reach it with `inject('chatServer')`. */
export default async function setup(project: TestProject) {
  const site = await startLinkedSite();
  project.provide('linkedSite', site.url);
  const stop = await chatServerSetup('ui-react', { linkPreviews: { allowCidrs: ['127.0.0.2/32'] } })(project);
  return async () => {
    await stop();
    site.close();
  };
}
