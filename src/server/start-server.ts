/** Starts the console server: opens and migrates its database, listens, and stops cleanly (requests finished, database closed). */

import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createLogger, type Logger } from '../util/logger';
import { createServerApp, type ServerAppDeps, type ServerLogOptions } from './app';
import type { Database } from './db/database';
import { migrate } from './db/migrations';
import { openDatabase } from './db/open-database';
import type { ServerConfig, ServerStorage } from './server-config';

/** How long `stop` lets open requests (and streams) finish before cutting their connections. */
const STOP_GRACE_MS = 10_000;

/**
 * The route modules the server runs besides the console's own sign-in routes. The agent-facing
 * API and the approvals console add their plugin here.
 */
export const ROUTE_MODULES: readonly FastifyPluginAsync[] = [];

export interface StartServerDeps {
  log?: ServerLogOptions;
  /** For the database's own messages (opened, migrated). */
  logger?: Logger;
  version?: string;
  plugins?: readonly FastifyPluginAsync[];
  /** Tests only: cheap scrypt parameters. */
  scryptParams?: ServerAppDeps['scryptParams'];
}

export interface RunningServer {
  /** Where the browser (or the proxy) reaches it, e.g. http://127.0.0.1:8443/. */
  url: string;
  app: FastifyInstance;
  db: Database;
  stop(): Promise<void>;
}

/** Opens the database the storage names and brings its schema up to date; a SQLite directory that cannot be made is named with the flag that changes it. */
export async function openServerDatabase(storage: ServerStorage, logger: Logger): Promise<Database> {
  let db: Database;
  try {
    db = await openDatabase(storage.kind === 'sqlite' ? { dataDir: storage.dataDir } : { databaseUrl: storage.databaseUrl }, { logger });
  } catch (error) {
    if (storage.kind === 'postgres') throw error;
    throw new Error(`${(error as Error).message} (choose another directory with --data DIR)`);
  }
  try {
    await migrate(db, { logger });
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

function urlOf(config: ServerConfig, port: number): string {
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  return `${config.tls === undefined ? 'http' : 'https'}://${host}:${port}/`;
}

async function closeWithin(app: FastifyInstance, ms: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), ms);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

export async function startServer(config: ServerConfig, deps: StartServerDeps = {}): Promise<RunningServer> {
  const logger = deps.logger ?? createLogger('server');
  const https = config.tls === undefined ? undefined : { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) };
  const db = await openServerDatabase(config.storage, logger);
  const app = createServerApp({ db, localHttp: config.localHttp, https, trustProxy: config.proxy, log: deps.log, version: deps.version, scryptParams: deps.scryptParams });
  for (const plugin of deps.plugins ?? ROUTE_MODULES) app.register(plugin);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close().catch(() => undefined);
    await db.close();
    const { code, message } = error as NodeJS.ErrnoException;
    const hint = code === 'EADDRINUSE' ? ': another program uses that port; choose another with --port N' : code === 'EACCES' ? ': that port needs privileges; choose one above 1023 with --port N' : '';
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${message}${hint}`);
  }
  const address = app.server.address();
  const url = urlOf(config, typeof address === 'object' && address !== null ? address.port : config.port);
  const { count } = (await db.get<{ count: number }>('SELECT COUNT(*) AS count FROM users')) ?? { count: 0 };
  if (Number(count) === 0) logger.warn('no console users yet: add one with portcullis server user add --email E --role R');
  let stopping: Promise<void> | undefined;
  return {
    url,
    app,
    db,
    stop: () =>
      (stopping ??= (async () => {
        await closeWithin(app, STOP_GRACE_MS);
        await db.close();
      })()),
  };
}
