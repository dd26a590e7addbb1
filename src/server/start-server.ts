/** Starts the console server: opens and migrates its database, listens, and stops cleanly (requests finished, database closed). */

import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { systemScheduler, type Scheduler } from '../devices/scheduler';
import { createLogger, type Logger } from '../util/logger';
import { agentRoutes } from './agent-routes/agent-routes';
import { createServerApp, type ServerAppDeps, type ServerLogOptions } from './app';
import { consolePages } from './console-pages';
import { consoleRoutes } from './console-routes/console-routes';
import type { Database } from './db/database';
import { migrate } from './db/migrations';
import { RequestNotifier } from './notify-requests';
import { ViolationNotifier } from './notify-violations';
import { openDatabase } from './db/open-database';
import { setUpMail, type ServerMail } from './mail-setup';
import { PolicyPublisher } from './policy-publisher';
import { RetentionJob } from './retention';
import type { ServerConfig, ServerStorage } from './server-config';
import { loadServerKeys } from './server-keys';
import { loadSsoSettings, type SsoSettings } from './sso/sso-settings';

/** How long `stop` lets open requests (and streams) finish before cutting their connections. */
const STOP_GRACE_MS = 10_000;

/**
 * The route modules the server runs besides the console's sign-in routes and its two APIs (the
 * agents' and the approvals console's, which startServer builds around one PolicyPublisher).
 */
export const ROUTE_MODULES: readonly FastifyPluginAsync[] = [consolePages()];

export interface StartServerDeps {
  log?: ServerLogOptions;
  /** For the database's own messages (opened, migrated). */
  logger?: Logger;
  version?: string;
  plugins?: readonly FastifyPluginAsync[];
  /** Tests only: cheap scrypt parameters. */
  scryptParams?: ServerAppDeps['scryptParams'];
  /** The daily retention run, the policy stream's heartbeat and email retries (Node's timers unless said). */
  scheduler?: Scheduler;
  /** Where the SMTP password's variable is read (process.env unless said). */
  env?: NodeJS.ProcessEnv;
}

export interface RunningServer {
  /** Where the browser (or the proxy) reaches it, e.g. http://127.0.0.1:8443/. */
  url: string;
  app: FastifyInstance;
  db: Database;
  /** Signs and announces policy versions: the one both APIs share. */
  publisher: PolicyPublisher;
  retention: RetentionJob;
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

/** `--sso FILE`'s providers, or undefined without the flag; a bad file stops the start, naming the flag, the file and the field. */
async function ssoSettings(file: string | undefined): Promise<SsoSettings | undefined> {
  if (file === undefined) return undefined;
  const loaded = await loadSsoSettings(file, (path) => readFile(path, 'utf8'));
  if (!loaded.ok) throw new Error(`--sso: ${loaded.error}`);
  return loaded.value;
}

/** The signing keys, the one publisher, the mailer and the single sign-on settings, or the database closed and the reason thrown. */
async function serverParts(config: ServerConfig, db: Database, deps: StartServerDeps, logger: Logger, scheduler: Scheduler): Promise<{ publisher: PolicyPublisher; mail: ServerMail | undefined; sso: SsoSettings | undefined }> {
  try {
    const sso = await ssoSettings(config.ssoSettingsFile);
    const keys = await loadServerKeys({ dataDir: config.storage.kind === 'sqlite' ? config.storage.dataDir : undefined, privateKeyPath: config.policyKeyFile }, { logger });
    const publisher = new PolicyPublisher({ db, keys, logger });
    const mail = await setUpMail(config, { env: deps.env ?? process.env, logger, scheduler });
    return { publisher, mail, sso };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export async function startServer(config: ServerConfig, deps: StartServerDeps = {}): Promise<RunningServer> {
  const logger = deps.logger ?? createLogger('server');
  const scheduler = deps.scheduler ?? systemScheduler;
  const https = config.tls === undefined ? undefined : { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) };
  const db = await openServerDatabase(config.storage, logger);
  const { publisher, mail, sso } = await serverParts(config, db, deps, logger, scheduler);
  const app = createServerApp({ db, localHttp: config.localHttp, https, trustProxy: config.proxy, log: deps.log, version: deps.version, scryptParams: deps.scryptParams, sso });
  // With mail settings, SLT hear of new requests and the headteacher of violations; without, nothing is sent.
  const requestMail = mail === undefined ? undefined : new RequestNotifier({ db, mailer: mail.mail.mailer, consoleUrl: mail.mail.consoleUrl, logger });
  const violationMail = mail === undefined ? undefined : new ViolationNotifier({ db, mailer: mail.mail.mailer, consoleUrl: mail.mail.consoleUrl, logger });
  app.register(agentRoutes({ db, publisher, logger, scheduler, onRequestsReceived: requestMail?.requestsReceived, onAuditAppended: violationMail?.auditAppended }));
  app.register(consoleRoutes({ db, publisher, logger, mail: mail?.mail }));
  for (const plugin of deps.plugins ?? ROUTE_MODULES) app.register(plugin);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close().catch(() => undefined);
    mail?.close();
    await db.close();
    const { code, message } = error as NodeJS.ErrnoException;
    const hint = code === 'EADDRINUSE' ? ': another program uses that port; choose another with --port N' : code === 'EACCES' ? ': that port needs privileges; choose one above 1023 with --port N' : '';
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${message}${hint}`);
  }
  const address = app.server.address();
  const url = urlOf(config, typeof address === 'object' && address !== null ? address.port : config.port);
  const { count } = (await db.get<{ count: number }>('SELECT COUNT(*) AS count FROM users')) ?? { count: 0 };
  if (Number(count) === 0) logger.warn('no console users yet: add one with portcullis server user add --email E --role R');
  const retention = new RetentionJob({ db, scheduler, logger });
  retention.start();
  let stopping: Promise<void> | undefined;
  return {
    url,
    app,
    db,
    publisher,
    retention,
    stop: () =>
      (stopping ??= (async () => {
        await retention.stop();
        await closeWithin(app, STOP_GRACE_MS);
        await Promise.all([requestMail?.settled(), violationMail?.settled()]);
        mail?.close();
        await db.close();
      })()),
  };
}
