import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { ServerConfig } from './config';
import type { Publish, PublishedEvent } from './domain/deps';
import { buildHttpApp } from './http/app';
import { type DemoCredentials, seedDemo } from './seed';
import { openStore, type Store } from './store/database';
import { VERSION } from './version';

export interface ChatServer {
  /** Base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  store: Store;
  logger: Logger;
  /** What `seedDemo` created, when it ran. */
  demo: DemoCredentials | null;
  /** Registers a listener for every committed event (the WebSocket gateway plugs in here). */
  onEvent(listener: (event: PublishedEvent) => void): () => void;
  close(): Promise<void>;
}

export interface ChatServerOptions extends Partial<ServerConfig> {
  /** Use this store instead of opening one (tests share one database per worker). */
  store?: Store;
  logger?: Logger;
}

/**
 * Starts the whole server in this process: store (PGlite or PostgreSQL, migrated), demo seed
 * outside production, REST routes. `port: 0` picks a free port.
 */
export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const logger =
    options.logger ??
    pino({
      level: options.logLevel ?? 'info',
      // Tokens, passwords and message text never reach the logs.
      redact: {
        paths: [
          'req.headers.authorization',
          '*.password',
          '*.token',
          '*.refresh_token',
          '*.access_token',
          '*.text',
        ],
        censor: '[redacted]',
      },
    });
  const ownsStore = !options.store;
  const store =
    options.store ??
    (await openStore({ databaseUrl: options.databaseUrl, dataDir: options.dataDir ?? '.chat-data' }));

  const listeners = new Set<(event: PublishedEvent) => void>();
  const publish: Publish = (event) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error }, 'event listener failed');
      }
    }
  };

  let ready = false;
  const app = buildHttpApp({ db: store.db, publish, logger, version: VERSION, isReady: () => ready });
  const demo = options.seedDemo ? await seedDemo({ db: store.db, publish }) : null;
  await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  ready = true;

  return {
    url: `http://${host}:${address.port}`,
    store,
    logger,
    demo,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      ready = false;
      await app.close();
      if (ownsStore) await store.close();
    },
  };
}
