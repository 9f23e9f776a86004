/**
 * Environment → typed configuration. Every value has a default that runs locally with no outside
 * services: embedded PostgreSQL in `.chat-data/`, an in-process bus, files on disk.
 */
export interface ServerConfig {
  port: number;
  host: string;
  /** `production` seeds nothing and refuses demo defaults. */
  production: boolean;
  /** PostgreSQL connection string; unset means embedded PGlite. */
  databaseUrl: string | undefined;
  /** PGlite data directory, or `memory`. */
  dataDir: string;
  /** Redis connection string; unset means an in-process bus (single node). */
  redisUrl: string | undefined;
  logLevel: string;
  /** Seed the demo application (default outside production). */
  seedDemo: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const production = env.NODE_ENV === 'production';
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
  }
  return {
    port,
    host: env.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    production,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.CHAT_DATA_DIR || '.chat-data',
    redisUrl: env.REDIS_URL || undefined,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    seedDemo: env.CHAT_SEED_DEMO ? env.CHAT_SEED_DEMO !== '0' : !production,
  };
}
