/** Single sign-on in real Chromium against a real OpenID provider (oidc-provider in its own process): the sign-in page shows the provider's button, which goes through the provider's own login page and ends signed in; a refusal comes back to the sign-in page in words. */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startOidcProvider, TEST_CLIENT_SECRET, type OidcProviderProcess } from '../support/oidc-provider-process';
import { pageFaults, ready, seriousViolations, startConsoleWorld, statusSays, USERS, type ConsoleWorld } from './console-browser';

const LABEL = 'Sign in with your school account';

let provider: OidcProviderProcess;
let world: ConsoleWorld;
let dir: string;
/** The console as Chromium reaches it: localhost, while the provider is 127.0.0.1, so the two are different sites (as a school's console and Google are) and the callback arrives cross-site. */
let consoleAt: string;

beforeAll(async () => {
  provider = await startOidcProvider();
  dir = mkdtempSync(join(tmpdir(), 'portcullis-sso-'));
  writeFileSync(join(dir, 'client-secret'), `${TEST_CLIENT_SECRET}\n`, { mode: 0o600 });
  const settings = { providers: [{ id: 'school', label: LABEL, issuer: provider.issuer, clientId: 'portcullis', clientSecretFile: join(dir, 'client-secret'), allowedDomains: ['school.example'] }] };
  writeFileSync(join(dir, 'sso.json'), JSON.stringify(settings));
  world = await startConsoleWorld({ ssoSettingsFile: join(dir, 'sso.json') });
  consoleAt = world.origin.replace('127.0.0.1', 'localhost');
  await provider.configure({
    clients: [{ client_id: 'portcullis', client_secret: TEST_CLIENT_SECRET, redirect_uris: [`${consoleAt}/sso/school/callback`] }],
    accounts: { head: { email: USERS.headteacher, email_verified: true }, stranger: { email: 'stranger@school.example', email_verified: true } },
  });
});
afterAll(async () => {
  await world?.close();
  await provider?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** From the console's sign-in page, through the button and the provider's own login form as `login`. */
async function signInThroughProvider(page: Page, login: string): Promise<void> {
  await page.getByRole('link', { name: LABEL }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password the test provider takes');
  await Promise.all([page.waitForURL((url) => url.origin === consoleAt && !url.pathname.startsWith('/sso/')), page.getByRole('button', { name: 'Sign-in' }).click()]);
  await ready(page);
}

it('shows a button per provider beside the password form, and signing in through it ends on the console as that account', async () => {
  const { page, context, errors } = await world.newPage();
  await page.goto(`${consoleAt}/login`);
  await ready(page);
  expect(await page.getByRole('link', { name: LABEL }).getAttribute('href')).toBe('/sso/school/start');
  expect(await page.getByLabel('Password').isVisible()).toBe(true);
  expect(await seriousViolations(page)).toEqual([]);

  await signInThroughProvider(page, 'head');
  expect(new URL(page.url()).pathname).toBe('/');
  expect(await page.locator('#account').textContent()).toContain('Signed in as Test Person');
  expect(await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link').allTextContents()).toEqual(['Home', 'Requests', 'Approvals', 'Events', 'Reports', 'Settings']);
  const cookies = await context.cookies(consoleAt);
  expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite])).toEqual([['portcullis-session', true, 'Strict']]);
  expect(pageFaults(errors)).toEqual([]);
});

it('comes back to the sign-in page saying why when the console has no account for that email, and says it once', async () => {
  const { page, context, errors } = await world.newPage();
  await page.goto(`${consoleAt}/login`);
  await ready(page);
  await signInThroughProvider(page, 'stranger');
  expect(await statusSays(page, /no console account/)).toBe('There is no console account for that email address. Ask the school’s IT admin to add one.');
  expect(page.url()).toBe(`${consoleAt}/login`);
  expect(await context.cookies(consoleAt)).toEqual([]);
  expect(pageFaults(errors)).toEqual([]);
});
