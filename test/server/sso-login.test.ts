/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider, in its own process): the
 * console server redirects to it, the test signs in at its login form with fetch, and the callback
 * ends with a console session, or refused, back at /login?sso=<reason>.
 */
import type { AddressInfo } from 'node:net';
import type { Database } from '../../src/server/db/database';
import { UserStore } from '../../src/server/users/user-store';
import { addUser, GOOD_PASSWORD, signIn, testApp, type TestApp } from '../support/console-server';
import { forEachDatabase } from '../support/databases';
import { FetchBrowser, signInAtProvider } from '../support/oidc-fetch-browser';
import { startOidcProvider, TEST_CLIENT_SECRET, testSsoProvider, type OidcProviderProcess } from '../support/oidc-provider-process';

const MINUTE = 60_000;

/** Logins at the provider's form, and the claims each one's ID token carries. */
const ACCOUNTS = {
  ann: { email: 'ann@school.example', email_verified: true, name: 'Ann Head' },
  'ann-shouting': { email: 'ANN@School.Example', email_verified: true },
  stranger: { email: 'stranger@school.example', email_verified: true },
  unverified: { email: 'bob@school.example', email_verified: false },
  'no-email': { name: 'Nobody' },
  gone: { email: 'gone@school.example', email_verified: true },
  outsider: { email: 'out@other.example', email_verified: true },
  'other-workspace': { email: 'bob@school.example', email_verified: true, hd: 'elsewhere.example' },
};

forEachDatabase((harness) => {
  let provider: OidcProviderProcess;
  let db: Database;
  let server: TestApp;
  let origin: string;

  beforeAll(async () => {
    provider = await startOidcProvider();
    ({ db } = await harness.migrated());
    await addUser(db, 'ann@school.example', 'headteacher');
    await addUser(db, 'bob@school.example', 'slt-approver');
    await addUser(db, 'gone@school.example', 'dpo');
    await addUser(db, 'out@other.example', 'it-admin');
    await new UserStore({ db, clock: Date.now }).disable('gone@school.example');
    const providers = [
      testSsoProvider(provider.issuer, { allowedDomains: ['school.example'] }),
      testSsoProvider(provider.issuer, { id: 'open', label: 'Any domain' }),
      testSsoProvider('http://127.0.0.1:1', { id: 'down', label: 'Not answering' }),
    ];
    server = await testApp(db, { sso: { consoleUrl: undefined, providers } });
    origin = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    await provider.configure({
      clients: [
        { client_id: 'portcullis', client_secret: TEST_CLIENT_SECRET, redirect_uris: [`${origin}/sso/test/callback`, `${origin}/sso/open/callback`] },
        { client_id: 'another-app', client_secret: TEST_CLIENT_SECRET, redirect_uris: [`${origin}/sso/test/callback`] },
      ],
      accounts: ACCOUNTS,
    });
  });
  afterAll(async () => {
    await server.close();
    await provider.stop();
  });
  // Refusals count against the address, as wrong passwords do; each test starts with a clean minute.
  afterEach(() => server.clock.advance(MINUTE));

  /** GET /sso/<id>/start in `browser`: the provider's authorization URL it redirects to. */
  async function start(browser: FetchBrowser, id = 'test'): Promise<URL> {
    const step = await browser.request(`${origin}/sso/${id}/start`);
    expect(step.status).toBe(303);
    return new URL(step.location ?? '');
  }

  /** The whole sign-in as `login` up to the callback address, not yet requested. */
  async function throughProvider(browser: FetchBrowser, login: keyof typeof ACCOUNTS, id = 'test'): Promise<string> {
    return signInAtProvider(browser, (await start(browser, id)).href, login, `${origin}/sso/${id}/callback`);
  }

  const whoAmI = (cookie: string) => server.call({ method: 'GET', url: '/api/session', headers: { cookie } });
  const sessionCookieOf = (browser: FetchBrowser) => browser.cookie('127.0.0.1', 'portcullis-session');
  const loggedEvents = (event: string) => server.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === event);

  it('lists the providers for the sign-in page, without issuers or secrets, 404s an unknown one and 400s a name no provider could have', async () => {
    const list = await server.call({ method: 'GET', url: '/api/sso/providers' });
    expect(list.json()).toEqual({
      ok: true,
      value: {
        providers: [
          { id: 'test', label: 'Sign in with the test provider', startUrl: '/sso/test/start' },
          { id: 'open', label: 'Any domain', startUrl: '/sso/open/start' },
          { id: 'down', label: 'Not answering', startUrl: '/sso/down/start' },
        ],
      },
    });
    const unknown = await server.call({ method: 'GET', url: '/sso/nope/start' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ ok: false, error: 'no such sign-in provider: nope' });
    const malformed = await server.call({ method: 'GET', url: '/sso/Not%20One/callback' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ ok: false, error: 'provider: expected a short name of lower-case letters, digits and hyphens, such as google' });
  });

  it('signs in through the provider (code flow, PKCE S256, state, nonce) and ends with the console session of the account with that email', async () => {
    const browser = new FetchBrowser();
    const begin = await browser.request(`${origin}/sso/test/start`);
    const authorization = new URL(begin.location ?? '');
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${provider.issuer}/auth`);
    const params = Object.fromEntries(authorization.searchParams);
    expect(params).toEqual({
      client_id: 'portcullis',
      redirect_uri: `${origin}/sso/test/callback`,
      response_type: 'code',
      scope: 'openid email profile',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      hd: 'school.example',
    });
    const attemptCookie = (await fetch(`${origin}/sso/test/start`, { redirect: 'manual' })).headers.get('set-cookie') ?? '';
    expect(attemptCookie).toMatch(/^portcullis-sso=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/);

    const callback = await signInAtProvider(browser, authorization.href, 'ann', `${origin}/sso/test/callback`);
    expect(new URL(callback).searchParams.get('state')).toBe(params.state);
    const done = await browser.request(callback);
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${origin}/`);
    expect(browser.cookie('127.0.0.1', 'portcullis-sso')).toBeUndefined();
    const cookie = `portcullis-session=${sessionCookieOf(browser)}`;
    const me = await whoAmI(cookie);
    expect(me.json()).toMatchObject({ ok: true, value: { user: { email: 'ann@school.example', role: 'headteacher' }, csrfToken: expect.any(String) } });

    expect(loggedEvents('console-login')).toContainEqual(expect.objectContaining({ method: 'sso', role: 'headteacher' }));
    const log = server.logLines.join('');
    expect(log).toContain('/sso/test/callback?[redacted]');
    expect(log).not.toContain(new URL(callback).searchParams.get('code'));
    expect(log).not.toContain(TEST_CLIENT_SECRET);
    expect(log).not.toContain(params.nonce);
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it('finds the account whatever the case of the email the provider sends, and replaces a session the browser held', async () => {
    const browser = new FetchBrowser();
    const earlier = await signIn(server, 'ann@school.example');
    browser.setCookie('127.0.0.1', 'portcullis-session', earlier.cookie.split('=')[1] ?? '');
    expect((await browser.request(await throughProvider(browser, 'ann-shouting'))).location).toBe(`${origin}/`);
    expect((await whoAmI(`portcullis-session=${sessionCookieOf(browser)}`)).json()).toMatchObject({ value: { user: { email: 'ann@school.example' } } });
    expect((await whoAmI(earlier.cookie)).statusCode).toBe(401);
  });

  it.each([
    ['stranger', 'no-account', 'stranger@school.example'],
    ['unverified', 'no-verified-email', 'bob@school.example'],
    ['no-email', 'no-verified-email', undefined],
    ['gone', 'disabled', 'gone@school.example'],
    ['outsider', 'domain-not-allowed', 'out@other.example'],
    ['other-workspace', 'domain-not-allowed', 'bob@school.example'],
  ] as const)('refuses %s (%s): back to the sign-in page with no session, and logged', async (login, reason, email) => {
    const browser = new FetchBrowser();
    const refused = await browser.request(await throughProvider(browser, login));
    expect(refused.status).toBe(303);
    expect(refused.location).toBe(`${origin}/login?sso=${reason}`);
    expect(sessionCookieOf(browser)).toBeUndefined();
    const logged = loggedEvents('sso-login-refused').at(-1);
    expect(logged).toMatchObject({ level: 'warn', provider: 'test', reason });
    expect(logged?.email).toBe(email);
  });

  it('lets the account of another domain in through a provider that does not restrict domains', async () => {
    const browser = new FetchBrowser();
    expect((await browser.request(await throughProvider(browser, 'outsider', 'open'))).location).toBe(`${origin}/`);
    expect((await whoAmI(`portcullis-session=${sessionCookieOf(browser)}`)).json()).toMatchObject({ value: { user: { email: 'out@other.example', role: 'it-admin' } } });
  });

  it('refuses a callback whose state was changed, and the attempt is then used up', async () => {
    const browser = new FetchBrowser();
    const callback = new URL(await throughProvider(browser, 'ann'));
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')?.slice(0, -2)}xy`);
    expect((await browser.request(tampered.href)).location).toBe(`${origin}/login?sso=failed`);
    expect(loggedEvents('sso-login-refused').at(-1)).toMatchObject({ reason: 'failed', error: expect.stringMatching(/"state"/) });
    expect((await browser.request(callback.href)).location).toBe(`${origin}/login?sso=expired`);
    expect(sessionCookieOf(browser)).toBeUndefined();
  });

  it('refuses a replayed callback, in the same browser or with a new attempt', async () => {
    const browser = new FetchBrowser();
    const callback = await throughProvider(browser, 'ann');
    expect((await browser.request(callback)).location).toBe(`${origin}/`);
    expect((await browser.request(callback)).location).toBe(`${origin}/login?sso=expired`);
    const attacker = new FetchBrowser();
    await start(attacker);
    expect((await attacker.request(callback)).location).toBe(`${origin}/login?sso=failed`);
    expect(sessionCookieOf(attacker)).toBeUndefined();
  });

  it("refuses a callback from another browser's sign-in (login CSRF), with or without an attempt of its own", async () => {
    const attacker = new FetchBrowser();
    const attackersCallback = await throughProvider(attacker, 'ann');
    const victim = new FetchBrowser();
    expect((await victim.request(attackersCallback)).location).toBe(`${origin}/login?sso=expired`);
    await start(victim);
    expect((await victim.request(attackersCallback)).location).toBe(`${origin}/login?sso=failed`);
    expect(sessionCookieOf(victim)).toBeUndefined();
  });

  it('refuses an ID token with another nonce than the one sent', async () => {
    const browser = new FetchBrowser();
    const authorization = await start(browser);
    authorization.searchParams.set('nonce', 'a-nonce-the-console-never-made');
    const callback = await signInAtProvider(browser, authorization.href, 'ann', `${origin}/sso/test/callback`);
    expect((await browser.request(callback)).location).toBe(`${origin}/login?sso=failed`);
    expect(loggedEvents('sso-login-refused').at(-1)).toMatchObject({ reason: 'failed', error: expect.stringMatching(/"nonce"/) });
    expect(sessionCookieOf(browser)).toBeUndefined();
  });

  it('refuses a code the provider issued to another application', async () => {
    const browser = new FetchBrowser();
    const authorization = await start(browser);
    authorization.searchParams.set('client_id', 'another-app');
    const callback = await signInAtProvider(browser, authorization.href, 'ann', `${origin}/sso/test/callback`);
    expect((await browser.request(callback)).location).toBe(`${origin}/login?sso=failed`);
    expect(loggedEvents('sso-login-refused').at(-1)).toMatchObject({ reason: 'failed', error: expect.stringMatching(/invalid_grant/) });
    expect(sessionCookieOf(browser)).toBeUndefined();
  });

  it('refuses a sign-in that took more than 10 minutes', async () => {
    const browser = new FetchBrowser();
    const callback = await throughProvider(browser, 'ann');
    server.clock.advance(10 * MINUTE);
    expect((await browser.request(callback)).location).toBe(`${origin}/login?sso=expired`);
  });

  it('says so when the person cancels at the provider', async () => {
    const browser = new FetchBrowser();
    const form = await browser.follow((await start(browser)).href);
    const abort = new URL(`${new URL(form.last.url).pathname}/abort`, provider.issuer).href;
    const back = await browser.follow(abort, (next) => next.startsWith(`${origin}/`));
    expect(new URL(back.next ?? '').searchParams.get('error')).toBe('access_denied');
    expect((await browser.request(back.next ?? '')).location).toBe(`${origin}/login?sso=cancelled`);
  });

  it('sends the browser back to the sign-in page when the provider does not answer', async () => {
    const browser = new FetchBrowser();
    const step = await browser.request(`${origin}/sso/down/start`);
    expect(step.location).toBe(`${origin}/login?sso=unavailable`);
    expect(browser.cookie('127.0.0.1', 'portcullis-sso')).toBeUndefined();
    expect(loggedEvents('sso-unavailable').at(-1)).toMatchObject({ level: 'error', provider: 'down' });
  });

  it('counts refused callbacks against the address, with wrong passwords: 20 in a minute stop both for the rest of it', async () => {
    const from = new FetchBrowser({ 'x-forwarded-for': '198.51.100.23' });
    for (let i = 0; i < 20; i += 1) expect((await from.request(`${origin}/sso/test/callback?code=x&state=y`)).location).toBe(`${origin}/login?sso=expired`);
    expect((await from.request(`${origin}/sso/test/start`)).location).toBe(`${origin}/login?sso=rate-limited`);
    const password = await server.call({ method: 'POST', url: '/api/session', payload: { email: 'ann@school.example', password: GOOD_PASSWORD }, from: '198.51.100.23' });
    expect(password.statusCode).toBe(429);
    const elsewhere = await new FetchBrowser({ 'x-forwarded-for': '198.51.100.24' }).request(`${origin}/sso/test/start`);
    expect(elsewhere.location).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
  });
}, ['sqlite']);
