import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

/**
 * A webhook receiver on loopback whose answers the test decides: queued answers first (one per
 * request), then what `answer(request)` says, by default 200.
 */
export class Receiver {
  readonly got: Received[] = [];
  /** Answers for the next requests, in order. */
  answers: (number | Answer)[] = [];
  answer: (request: Received) => Answer = () => ({ status: 200 });
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const request = { path: req.url ?? '/', headers: req.headers, body, at: Date.now() };
        this.got.push(request);
        const queued = this.answers.shift();
        const answer =
          queued === undefined
            ? this.answer(request)
            : typeof queued === 'number'
              ? { status: queued }
              : queued;
        const reply = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        };
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  ofType(type: string) {
    return this.got.filter((r) => r.body && JSON.parse(r.body).type === type);
  }

  at(path: string) {
    return this.got.filter((r) => r.path === path);
  }
}
