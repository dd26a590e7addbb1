/** A console server app for tests: cheap password hashing, a clock the test moves, and its log lines kept for assertions. */

import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createServerApp, type ServerAppDeps } from '../../src/server/app';
import type { ScryptParams } from '../../src/server/auth/password-hash';
import type { Database } from '../../src/server/db/database';
import { UserStore, type User } from '../../src/server/users/user-store';

/** Far cheaper than production's N=2^17 (about 0.4 s a hash), and never used outside tests. */
export const TEST_SCRYPT_PARAMS: Readonly<ScryptParams> = { N: 16, r: 1, p: 1, saltBytes: 16, hashBytes: 32 };

/** A password the school's rule accepts. */
export const GOOD_PASSWORD = 'Lantern-Quiver-72';

export const START = Date.parse('2026-09-07T08:00:00Z');

export interface TestClock {
  now: number;
  (): number;
  advance(ms: number): void;
}

export function testClock(start = START): TestClock {
  const clock = (() => clock.now) as TestClock;
  clock.now = start;
  clock.advance = (ms) => void (clock.now += ms);
  return clock;
}

/** One request as a test makes it: `payload` is sent as it is, an object as JSON; `from` is the client's address (X-Forwarded-For, which the test app trusts from loopback). */
export interface CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  payload?: string | object;
  from?: string;
}

export interface Answer {
  statusCode: number;
  headers: Headers;
  /** The first Set-Cookie header, if any. */
  setCookie: string | undefined;
  body: string;
  json(): unknown;
}

export interface TestApp {
  app: FastifyInstance;
  clock: TestClock;
  /** Every JSON line the app logged. */
  logLines: string[];
  /**
   * A real HTTP request to the listening app. (Fastify's inject() cannot be used under jest:
   * light-my-request requires cookie@2, an ES module, which jest's CommonJS loader refuses.)
   */
  call(options: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

/**
 * The console server app on a free port of 127.0.0.1, with cheap password hashing, a clock the
 * test moves, local-HTTP cookies and X-Forwarded-For believed from loopback; `setUp` may register
 * more routes before it starts.
 */
export async function testApp(db: Database, deps: Partial<ServerAppDeps> & { clock?: TestClock } = {}, setUp?: (app: FastifyInstance) => void): Promise<TestApp> {
  const clock = deps.clock ?? testClock();
  const logLines: string[] = [];
  const app = createServerApp({
    db,
    localHttp: true,
    trustProxy: 'loopback',
    scryptParams: TEST_SCRYPT_PARAMS,
    version: '0.0.0-test',
    log: { level: 'info', stream: { write: (line) => void logLines.push(line) } },
    ...deps,
    clock,
  });
  setUp?.(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const call = async (options: CallOptions): Promise<Answer> => {
    const json = options.payload !== undefined && typeof options.payload !== 'string';
    const headers: Record<string, string> = { ...(json ? { 'content-type': 'application/json' } : {}), ...(options.from === undefined ? {} : { 'x-forwarded-for': options.from }), ...options.headers };
    const response = await fetch(`http://127.0.0.1:${port}${options.url}`, {
      method: options.method,
      headers,
      ...(options.payload === undefined ? {} : { body: json ? JSON.stringify(options.payload) : (options.payload as string) }),
    });
    const body = await response.text();
    return { statusCode: response.status, headers: response.headers, setCookie: response.headers.getSetCookie()[0], body, json: () => JSON.parse(body) as unknown };
  };
  return { app, clock, logLines, call, close: () => app.close() };
}

export async function addUser(db: Database, email: string, role: User['role'], password = GOOD_PASSWORD, clock: () => number = () => START): Promise<User> {
  const added = await new UserStore({ db, clock, scryptParams: TEST_SCRYPT_PARAMS }).create({ email, role, password, name: 'Test Person' });
  if (!added.ok) throw new Error(added.error);
  return added.value;
}

/** The session cookie's `name=value` from a sign-in answer. */
export function cookieOf(response: Answer): string {
  if (response.setCookie === undefined) throw new Error(`no Set-Cookie in the answer: ${response.statusCode} ${response.body}`);
  return response.setCookie.split(';')[0] ?? '';
}

export interface SignedIn {
  cookie: string;
  csrfToken: string;
}

export async function signIn(server: TestApp, email: string, password = GOOD_PASSWORD, from = '192.0.2.10'): Promise<SignedIn> {
  const response = await server.call({ method: 'POST', url: '/api/session', payload: { email, password }, from });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return { cookie: cookieOf(response), csrfToken: (response.json() as { value: { csrfToken: string } }).value.csrfToken };
}
