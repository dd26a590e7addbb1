import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addUser, cookieOf, GOOD_PASSWORD, signIn, START, TEST_SCRYPT_PARAMS, testApp, testClock, type TestApp } from '../../../test/support/console-server';
import { forEachDatabase } from '../../../test/support/databases';
import { DEFAULT_LOGIN_THROTTLE_POLICY } from '../auth/login-throttle';
import { hashPassword } from '../auth/password-hash';
import { hashSessionToken } from '../auth/session-tokens';
import type { Database } from '../db/database';
import { addRoute } from '../http/route';
import { UserStore } from '../users/user-store';
import { WRONG_LOGIN } from './console-login';

const MINUTE = 60_000;

/** A console route per case: GET for SLT, POST for the DPO. */
function testRoutes(app: FastifyInstance): void {
  app.register(async (scope) => {
    addRoute(scope, { method: 'GET', path: '/slt-only', summary: 'test', auth: { kind: 'console', roles: ['slt-approver', 'headteacher'] }, answer: z.object({ email: z.string() }), handle: async ({ session }) => ({ email: session.user.email }) });
    addRoute(scope, { method: 'POST', path: '/dpo-only', summary: 'test', auth: { kind: 'console', roles: ['dpo'] }, body: z.strictObject({ note: z.string() }), answer: z.object({ note: z.string() }), handle: async ({ body }) => body });
  }, { prefix: '/api/test' });
}

forEachDatabase((harness) => {
  let db: Database;
  let server: TestApp;
  let clock: TestApp['clock'];

  const login = (email: string, password: string, from = '192.0.2.10') => server.call({ method: 'POST', url: '/api/session', payload: { email, password }, from });
  const whoAmI = (cookie: string) => server.call({ method: 'GET', url: '/api/session', headers: { cookie } });

  beforeEach(async () => {
    ({ db } = await harness.migrated());
    await addUser(db, 'head@school.example', 'headteacher');
    await addUser(db, 'dpo@school.example', 'dpo');
    server = await testApp(db, {}, testRoutes);
    clock = server.clock;
  });
  afterEach(() => server.close());

  it('signs in: a local-HTTP session cookie, the user and a CSRF token; only the hash of the session id is stored', async () => {
    const response = await login('Head@School.example', GOOD_PASSWORD);
    expect(response.statusCode).toBe(200);
    const setCookie = String(response.setCookie);
    expect(setCookie).toMatch(/^portcullis-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const body = response.json() as { ok: true; value: { user: unknown; csrfToken: string; expiresAt: string } };
    expect(body).toEqual({ ok: true, value: { user: { email: 'head@school.example', name: 'Test Person', role: 'headteacher' }, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: new Date(START + 30 * MINUTE).toISOString() } });
    const token = cookieOf(response).split('=')[1] ?? '';
    expect(await db.all('SELECT id_hash, csrf_token FROM sessions')).toEqual([{ id_hash: hashSessionToken(token), csrf_token: body.value.csrfToken }]);
    const me = await whoAmI(cookieOf(response));
    expect(me.json()).toEqual(body);
  });

  it('sets a __Host- Secure cookie when the browser comes over HTTPS', async () => {
    const secure = await testApp(db, { localHttp: false });
    const response = await secure.call({ method: 'POST', url: '/api/session', payload: { email: 'dpo@school.example', password: GOOD_PASSWORD } });
    expect(String(response.setCookie)).toMatch(/^__Host-portcullis-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    expect((await secure.call({ method: 'GET', url: '/api/session', headers: { cookie: cookieOf(response) } })).statusCode).toBe(200);
    expect((await secure.call({ method: 'GET', url: '/api/session', headers: { cookie: cookieOf(response).replace('__Host-', '') } })).statusCode).toBe(401);
    await secure.close();
  });

  it('answers a wrong password and an unknown email alike, with no cookie', async () => {
    for (const [email, password] of [['head@school.example', 'Wrong-Password-1'], ['nobody@school.example', GOOD_PASSWORD]] as const) {
      const response = await login(email, password);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ ok: false, error: WRONG_LOGIN });
      expect(response.setCookie).toBeUndefined();
    }
  });

  it('refuses a malformed sign-in naming the fields', async () => {
    const response = await server.call({ method: 'POST', url: '/api/session', payload: { email: 'head@school.example', pass: 'x' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ ok: false, error: 'password: required, but missing; body: unknown field "pass"' });
  });

  it('locks an account after 5 wrong passwords (429, Retry-After, when to try again), even against the right one, across a restart', async () => {
    for (let i = 0; i < 5; i += 1) expect((await login('head@school.example', `Wrong-Password-${i}`)).statusCode).toBe(401);
    const locked = await login('head@school.example', GOOD_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('900');
    expect(locked.json()).toEqual({ ok: false, error: 'This account is locked after too many wrong passwords. Try again in 15 minutes, or ask another SLT member to unlock it.' });
    expect(await db.get('SELECT failed_logins, locked_until FROM users WHERE email = ?', ['head@school.example'])).toEqual({ failed_logins: 5, locked_until: new Date(START + DEFAULT_LOGIN_THROTTLE_POLICY.accountLockMs).toISOString() });

    const restarted = await testApp(db, { clock: testClock(START + 5 * MINUTE) });
    const stillLocked = await restarted.call({ method: 'POST', url: '/api/session', payload: { email: 'head@school.example', password: GOOD_PASSWORD } });
    expect(stillLocked.statusCode).toBe(429);
    expect(stillLocked.headers.get('retry-after')).toBe('600');
    expect((stillLocked.json() as { error: string }).error).toContain('Try again in 10 minutes');
    restarted.clock.advance(10 * MINUTE);
    expect((await restarted.call({ method: 'POST', url: '/api/session', payload: { email: 'head@school.example', password: GOOD_PASSWORD } })).statusCode).toBe(200);
    expect(await db.get('SELECT failed_logins, locked_until FROM users WHERE email = ?', ['head@school.example'])).toEqual({ failed_logins: 0, locked_until: null });
    await restarted.close();
  });

  it('lets an unlocked account in at once, and locks an unknown email with the same words', async () => {
    for (let i = 0; i < 5; i += 1) {
      await login('head@school.example', 'Wrong-Password-1');
      await login('ghost@school.example', 'Wrong-Password-1');
    }
    const real = (await login('head@school.example', GOOD_PASSWORD)).json() as { error: string };
    const ghost = await login('ghost@school.example', GOOD_PASSWORD);
    expect(ghost.statusCode).toBe(429);
    expect((ghost.json() as { error: string }).error).toBe(real.error);
    await new UserStore({ db, clock }).unlock('head@school.example');
    expect((await login('head@school.example', GOOD_PASSWORD)).statusCode).toBe(200);
  });

  it('throttles an address after 20 failures a minute, whatever the emails, and not another address', async () => {
    for (let i = 0; i < 20; i += 1) expect((await login(`user${i}@school.example`, 'Wrong-Password-1', '198.51.100.7')).statusCode).toBe(401);
    const throttled = await login('head@school.example', GOOD_PASSWORD, '198.51.100.7');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
    expect(throttled.json()).toEqual({ ok: false, error: 'Too many failed logins from this computer. Try again in 1 minute.' });
    expect((await login('head@school.example', GOOD_PASSWORD, '198.51.100.8')).statusCode).toBe(200);
    clock.advance(MINUTE);
    expect((await login('head@school.example', GOOD_PASSWORD, '198.51.100.7')).statusCode).toBe(200);
  });

  it('never writes a password, session cookie or CSRF token to the log', async () => {
    const { cookie, csrfToken } = await signIn(server, 'head@school.example');
    await login('head@school.example', 'Wrong-Password-7');
    await server.call({ method: 'DELETE', url: '/api/session', headers: { cookie, 'x-csrf-token': csrfToken } });
    const log = server.logLines.join('');
    expect(log).toContain('console login');
    for (const secret of [GOOD_PASSWORD, 'Wrong-Password-7', cookie.split('=')[1] ?? '', csrfToken]) expect(log).not.toContain(secret);
  });

  it('signs out with the CSRF token: the session ends and its cookie is cleared', async () => {
    const { cookie, csrfToken } = await signIn(server, 'head@school.example');
    for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'A'.repeat(43) }] as Record<string, string>[]) {
      const refused = await server.call({ method: 'DELETE', url: '/api/session', headers });
      expect(refused.statusCode).toBe(403);
      expect((refused.json() as { error: string }).error).toMatch(/^The X-CSRF-Token header is missing or does not match this session/);
    }
    const response = await server.call({ method: 'DELETE', url: '/api/session', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true, value: { signedOut: true } });
    expect(response.setCookie).toBe('portcullis-session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect(await db.all('SELECT id_hash FROM sessions')).toEqual([]);
    expect((await whoAmI(cookie)).statusCode).toBe(401);
  });

  it('answers 401 without a session, and 403 naming the role needed', async () => {
    const none = await server.call({ method: 'GET', url: '/api/test/slt-only' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ ok: false, error: 'Sign in first: this needs a console session.' });
    expect((await server.call({ method: 'GET', url: '/api/test/slt-only', headers: { cookie: 'portcullis-session=garbage' } })).statusCode).toBe(401);
    const dpo = await signIn(server, 'dpo@school.example');
    const wrongRole = await server.call({ method: 'GET', url: '/api/test/slt-only', headers: { cookie: dpo.cookie } });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json()).toEqual({ ok: false, error: 'This needs one of the roles slt-approver, headteacher; you are signed in as dpo.' });
    const head = await signIn(server, 'head@school.example');
    expect((await server.call({ method: 'GET', url: '/api/test/slt-only', headers: { cookie: head.cookie } })).json()).toEqual({ ok: true, value: { email: 'head@school.example' } });
    const post = await server.call({ method: 'POST', url: '/api/test/dpo-only', headers: { cookie: head.cookie, 'x-csrf-token': head.csrfToken }, payload: { note: 'x' } });
    expect(post.json()).toEqual({ ok: false, error: 'This needs the role dpo; you are signed in as headteacher.' });
  });

  it("checks a state-changing console request's CSRF token before its body", async () => {
    const dpo = await signIn(server, 'dpo@school.example');
    const post = (headers: Record<string, string>, payload: object = { note: 'hello' }) => server.call({ method: 'POST', url: '/api/test/dpo-only', headers: { cookie: dpo.cookie, ...headers }, payload });
    expect((await post({})).statusCode).toBe(403);
    expect((await post({ 'x-csrf-token': `${dpo.csrfToken.slice(1)}x` })).statusCode).toBe(403);
    expect((await post({}, { wrong: true })).statusCode).toBe(403);
    const other = await signIn(server, 'head@school.example');
    expect((await post({ 'x-csrf-token': other.csrfToken })).statusCode).toBe(403);
    expect((await post({ 'x-csrf-token': dpo.csrfToken })).json()).toEqual({ ok: true, value: { note: 'hello' } });
    expect((await post({ 'x-csrf-token': dpo.csrfToken }, { wrong: true })).json()).toEqual({ ok: false, error: 'note: required, but missing; body: unknown field "wrong"' });
  });

  it('ends a session after 30 idle minutes, moves the end on with use, and ends it 12 hours after sign-in', async () => {
    const { cookie } = await signIn(server, 'head@school.example');
    clock.advance(20 * MINUTE);
    expect((await whoAmI(cookie)).json()).toMatchObject({ value: { expiresAt: new Date(clock.now + 30 * MINUTE).toISOString() } });
    clock.advance(29 * MINUTE);
    expect((await whoAmI(cookie)).statusCode).toBe(200);
    const absoluteEnd = START + 12 * 60 * MINUTE;
    while (clock.now + 25 * MINUTE < absoluteEnd) {
      clock.advance(25 * MINUTE);
      expect((await whoAmI(cookie)).statusCode).toBe(200);
    }
    expect((await whoAmI(cookie)).json()).toMatchObject({ value: { expiresAt: new Date(absoluteEnd).toISOString() } });
    clock.advance(absoluteEnd - clock.now);
    const ended = await whoAmI(cookie);
    expect(ended.json()).toEqual({ ok: false, error: 'Your session has ended: sign in again.' });
    expect(await db.all('SELECT id_hash FROM sessions')).toEqual([]);

    const idle = await signIn(server, 'head@school.example');
    clock.advance(30 * MINUTE);
    expect((await whoAmI(idle.cookie)).statusCode).toBe(401);
  });

  it('replaces the session a browser held before signing in, and refuses a disabled user', async () => {
    const first = await signIn(server, 'head@school.example');
    const second = await server.call({ method: 'POST', url: '/api/session', headers: { cookie: first.cookie }, payload: { email: 'head@school.example', password: GOOD_PASSWORD } });
    expect(cookieOf(second)).not.toBe(first.cookie);
    expect((await whoAmI(first.cookie)).statusCode).toBe(401);
    expect((await whoAmI(cookieOf(second))).statusCode).toBe(200);
    await new UserStore({ db, clock }).disable('head@school.example');
    expect((await whoAmI(cookieOf(second))).statusCode).toBe(401);
    expect((await login('head@school.example', GOOD_PASSWORD)).json()).toEqual({ ok: false, error: WRONG_LOGIN });
  });

  it('re-hashes a password made with weaker parameters at the next good sign-in', async () => {
    const weak = await hashPassword(GOOD_PASSWORD, { ...TEST_SCRYPT_PARAMS, N: 8 });
    await db.run('UPDATE users SET password_hash = ? WHERE email = ?', [weak, 'dpo@school.example']);
    await signIn(server, 'dpo@school.example');
    const row = await db.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = ?', ['dpo@school.example']);
    expect(row?.password_hash).toMatch(/^scrypt\$16\$1\$1\$/);
    await signIn(server, 'dpo@school.example');
  });
});
