/** The console server's Fastify app: logging, body limit, security headers, `{ ok, value | error }` answers, the health and OpenAPI routes, console sign-in (password and single sign-on), and room for other route modules (`app.register(plugin)`). */

import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyHttpsOptions, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Server as HttpsServer } from 'node:https';
import { z } from 'zod';
import { DEFAULT_LOGIN_THROTTLE_POLICY, LoginThrottle, type LoginThrottlePolicy } from './auth/login-throttle';
import type { ScryptParams } from './auth/password-hash';
import type { RandomBytes } from './auth/random-bytes';
import type { SessionTimeouts } from './auth/session-tokens';
import { ConsoleLogin } from './console-auth/console-login';
import { sessionRoutes } from './console-auth/session-routes';
import { SessionStore } from './console-auth/session-store';
import type { Database } from './db/database';
import { installErrorAnswers } from './http/error-answers';
import { HttpError } from './http/http-error';
import { addRoute } from './http/route';
import { securityHeaders } from './http/security-headers';
import type { ServerContext } from './http/server-context';
import { openApiDocument, RouteRegistry } from './openapi';
import { OpenIdRelyingParty } from './sso/oidc-client';
import { SsoAttempts } from './sso/sso-attempts';
import { SsoLogin } from './sso/sso-login';
import { ssoRoutes } from './sso/sso-routes';
import type { SsoSettings } from './sso/sso-settings';
import { UserStore } from './users/user-store';

/** Larger bodies are refused with 413 before they are read in full. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Never written to the log, whoever logs a request's headers or body. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'body.password',
  'req.body.password',
  'password',
  '*.password',
];

export interface ServerLogOptions {
  /** pino's level ('info' unless said; 'silent' for none). */
  level?: string;
  /** Where the JSON lines go: standard error unless said. */
  stream?: { write(line: string): void };
}

export interface ServerAppDeps {
  db: Database;
  /** Epoch ms; Date.now unless said. */
  clock?: () => number;
  log?: ServerLogOptions;
  /** Plain HTTP on this machine (no TLS, no HTTPS proxy): the session cookie cannot be Secure. */
  localHttp: boolean;
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: Buffer; key: Buffer };
  /** Fastify's trustProxy: the addresses of an HTTPS proxy in front, whose X-Forwarded-For is believed. */
  trustProxy?: string;
  version?: string;
  /** Tests only: cheap scrypt parameters. Production always hashes with CURRENT_SCRYPT_PARAMS. */
  scryptParams?: Readonly<ScryptParams>;
  throttlePolicy?: Readonly<LoginThrottlePolicy>;
  sessionTimeouts?: SessionTimeouts;
  random?: RandomBytes;
  /** `--sso FILE`'s providers; without them the sign-in page offers none. */
  sso?: SsoSettings;
}

/** A single sign-on callback's query holds an authorization code, a credential while it lasts: it never reaches the log. */
function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  return at !== -1 && url.startsWith('/sso/') ? `${url.slice(0, at)}?[redacted]` : url;
}

/** Fastify's own request serializer (fastify/lib/logger-pino.js), but for the URL. */
function requestForLog(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: loggedUrl(request.url), version: request.headers['accept-version'], host: request.host, remoteAddress: request.ip, remotePort: request.socket.remotePort };
}

const healthAnswer = z.object({ status: z.literal('ok'), version: z.string(), database: z.enum(['sqlite', 'postgres']) });

function fastifyOptions(deps: ServerAppDeps): FastifyServerOptions {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    trustProxy: deps.trustProxy ?? false,
    // Lines shaped like createLogger's (src/util/logger.ts): ISO time, level by name, module, message.
    logger: {
      level: deps.log?.level ?? 'info',
      stream: deps.log?.stream ?? process.stderr,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      base: { module: 'server' },
      messageKey: 'message',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label: string) => ({ level: label }) },
      serializers: { req: requestForLog },
    },
  };
}

/**
 * A new app, not yet listening. Route modules add themselves with `app.register(plugin)` before
 * `listen` or `ready`; inside, `addRoute(instance, ...)` (src/server/http/route.ts) checks input,
 * applies the route's auth kind and lists the route in `GET /openapi.json`, and
 * `instance.portcullis` holds the database, clock and stores.
 */
export function createServerApp(deps: ServerAppDeps): FastifyInstance {
  const clock = deps.clock ?? Date.now;
  const options = fastifyOptions(deps);
  // Fastify's types give an HTTPS app another server type; the routes never touch the raw server.
  const app = (deps.https === undefined ? Fastify(options) : Fastify({ ...options, https: deps.https } as FastifyHttpsOptions<HttpsServer>)) as unknown as FastifyInstance;

  const registry = new RouteRegistry();
  app.addHook('onRoute', registry.onRoute);
  // JSON only: a cross-site form can post text/plain without asking, never application/json.
  app.removeContentTypeParser('text/plain');

  const users = new UserStore({ db: deps.db, clock, scryptParams: deps.scryptParams, lockout: deps.throttlePolicy });
  const sessions = new SessionStore({ db: deps.db, clock, timeouts: deps.sessionTimeouts, random: deps.random });
  const context: ServerContext = { db: deps.db, clock, localHttp: deps.localHttp, users, sessions };
  app.decorate('portcullis', context);
  app.decorateRequest('consoleSession', null);
  app.addHook('onSend', securityHeaders(deps.localHttp));
  installErrorAnswers(app, BODY_LIMIT_BYTES);

  const version = deps.version ?? 'unknown';
  addRoute(app, {
    method: 'GET',
    path: '/api/health',
    summary: 'Whether the server and its database answer',
    auth: { kind: 'public' },
    answer: healthAnswer,
    async handle() {
      await deps.db.get('SELECT 1 AS one').catch(() => {
        throw new HttpError(503, 'The database is not answering.');
      });
      return { status: 'ok' as const, version, database: deps.db.engine };
    },
  });

  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', { config: { doc: { summary: 'This OpenAPI 3.1 document: every route, its input, answer and who may call it', auth: { kind: 'public' }, rawAnswer: 'application/json' } } }, async () => {
    document ??= openApiDocument(registry.routes(), { version, localHttp: deps.localHttp });
    return document;
  });

  const throttle = new LoginThrottle(clock, deps.throttlePolicy ?? DEFAULT_LOGIN_THROTTLE_POLICY);
  const login = new ConsoleLogin({ users, sessions, throttle, clock, scryptParams: deps.scryptParams });
  app.register(sessionRoutes, { login });
  app.register(ssoRoutes, { settings: deps.sso, relyingParty: new OpenIdRelyingParty(), attempts: new SsoAttempts({ clock, random: deps.random }), login: new SsoLogin({ users, sessions, throttle }) });
  return app;
}
