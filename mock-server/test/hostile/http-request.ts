import net from 'node:net';

/** One HTTP request exactly as the suite puts it on the wire. */
export interface HttpRequest {
  method: string;
  /** Path and query string, already encoded. */
  target: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Announce a longer body than is sent, then close the connection. */
  hangUp?: boolean;
}

export interface HttpAnswer {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export async function sendHttp(baseUrl: string, request: HttpRequest): Promise<HttpAnswer | undefined> {
  if (request.hangUp) {
    await hangUp(baseUrl, request);
    return undefined;
  }
  const response = await fetch(`${baseUrl}${request.target}`, {
    method: request.method,
    headers: request.headers,
    body: request.body as string | Uint8Array<ArrayBuffer> | undefined,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** Sends the headers and half the body, then resets the connection. */
function hangUp(baseUrl: string, request: HttpRequest): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const body = Buffer.from(request.body ?? '');
  const head = [
    `${request.method} ${request.target} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${body.length + 100}`,
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(head);
      socket.write(body.subarray(0, Math.ceil(body.length / 2)));
      // Long enough for the server to start reading the body, so it is cut off mid-read.
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

/**
 * Percent-encodes a URL component. A lone surrogate has no UTF-8 form, so it is written as the
 * three bytes a careless encoder (WTF-8) would produce: invalid UTF-8 for the server to refuse.
 */
export function encodeComponent(text: string): string {
  if (text.isWellFormed()) return encodeURIComponent(text);
  let out = '';
  for (const char of text) {
    const unit = char.codePointAt(0)!;
    if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(char);
  }
  return out;
}

/** `?a=1&b=2&b=3` from a query object; arrays repeat their key. */
export function queryString(query: Record<string, unknown>): string {
  const parts = Object.entries(query).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map(
      (item) =>
        `${encodeComponent(key)}=${encodeComponent(typeof item === 'string' ? item : JSON.stringify(item))}`,
    ),
  );
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
