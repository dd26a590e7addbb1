/** The console's sign-in, nav and page serving in real Chromium: each role signs in and sees only its pages; a wrong password and a lockout are told in the server's words; the pages pass axe and the CSP. */

import type { Role } from '../../src/server/users/roles';
import { CONSOLE_PAGE_NAMES } from '../../src/server/console-pages';
import { NAV_PAGES } from '../../renderer/console/parts/page-list';
import { addUser, GOOD_PASSWORD } from '../support/console-server';
import { pageFaults, ready, seriousViolations, signInAs, startConsoleWorld, statusSays, USERS, type ConsoleWorld } from './console-browser';

let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld();
});
afterAll(() => world?.close());

const NAV_FOR: Readonly<Record<Role, string[]>> = {
  'slt-approver': ['Home', 'Requests', 'Approvals', 'Events', 'Reports', 'Settings'],
  headteacher: ['Home', 'Requests', 'Approvals', 'Events', 'Reports', 'Settings'],
  'it-admin': ['Home', 'Requests', 'Approvals', 'Events', 'PCs', 'Settings'],
  dpo: ['Home', 'Approvals', 'Events', 'Privacy'],
};

describe('the console pages in Chromium', () => {
  it('serves every page name the renderer knows, and no others', () => {
    expect([...CONSOLE_PAGE_NAMES].sort()).toEqual(['login', ...NAV_PAGES.map((page) => page.name)].sort());
  });

  it.each(Object.keys(NAV_FOR) as Role[])('signs in as %s, lands on its first page and shows only its pages in the nav', async (role) => {
    const { page, errors } = await world.newPage();
    await signInAs(page, role);
    const nav = page.getByRole('navigation', { name: 'Console pages' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(NAV_FOR[role]);
    expect(await nav.locator('[aria-current="page"]').textContent()).toBe(NAV_FOR[role][1]);
    expect(await page.locator('#account').textContent()).toContain('Signed in as Test Person');
    expect(pageFaults(errors)).toEqual([]);
  });

  it('goes to the sign-in page without a session and comes back to the page asked for', async () => {
    const { page } = await world.newPage();
    await page.goto('/approvals');
    await page.waitForURL('**/login?next=%2Fapprovals');
    await page.getByLabel('Email address').fill(USERS.dpo);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/approvals');
  });

  it('tells a page a role may not use, and does not send a signed-in user to a foreign site', async () => {
    const { page } = await world.newPage();
    await signInAs(page, 'dpo', 'https://evil.example/');
    expect(new URL(page.url()).pathname).toBe('/approvals');
    await page.goto('/agents');
    await ready(page);
    expect(await page.locator('#content').textContent()).toContain('This page is for the IT admin; you are signed in as data protection officer.');
  });

  it("shows the server's sentence for a wrong password, then for a locked account", async () => {
    const { page } = await world.newPage();
    await page.goto('/login');
    await ready(page);
    await addUser(world.db, 'locked@school.example', 'headteacher', GOOD_PASSWORD, Date.now);
    await page.getByLabel('Email address').fill('locked@school.example');
    for (let i = 0; i < 5; i += 1) {
      await page.getByLabel('Password').fill(`Wrong-Password-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await statusSays(page, /The email or password is wrong\./);
      await page.locator('#status').evaluate((node) => (node.textContent = ''));
    }
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await statusSays(page, /locked/)).toMatch(/Try again in \d+ minutes?/);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('signs out', async () => {
    const { page } = await world.newPage();
    await signInAs(page, 'headteacher');
    await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: 'Sign out' }).click()]);
    await page.goto('/requests');
    await page.waitForURL('**/login?next=%2Frequests');
  });

  it('passes axe (no serious or critical violations) on the sign-in and home pages, with no CSP refusals', async () => {
    const { page, errors } = await world.newPage();
    await page.goto('/login');
    await ready(page);
    expect(await seriousViolations(page)).toEqual([]);
    await signInAs(page, 'it-admin');
    await page.goto('/');
    await ready(page);
    expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['Portcullis console']);
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageFaults(errors)).toEqual([]);
    // The check above can see a refusal: an inline script is refused, and said so.
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.inlineRan = true' })));
    await page.waitForEvent('console', { predicate: (message) => message.type() === 'error', timeout: 2000 }).catch(() => undefined);
    expect(await page.evaluate(() => 'inlineRan' in window)).toBe(false);
    expect(pageFaults(errors)).toEqual([expect.stringContaining("violates the following Content Security Policy directive")]);
  });

  it('is usable from the keyboard: a skip link first, then the page, with a focus ring you can see', async () => {
    const { page } = await world.pageAs('slt-approver', '/approvals');
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => ({ id: document.activeElement?.id, text: document.activeElement?.textContent, outline: document.activeElement === null ? '' : `${getComputedStyle(document.activeElement).outlineStyle} ${getComputedStyle(document.activeElement).outlineWidth}` }));
    expect(await focused()).toMatchObject({ text: 'Skip to main content', outline: 'solid 3px' });
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('main');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ id: 'filter-q', outline: 'solid 3px' });
  });

  it('serves the pages and assets with their types and the security headers, and nothing outside them', async () => {
    const get = (path: string) => fetch(`${world.origin}${path}`);
    const home = await get('/');
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(home.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get('/console/requests.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('/console/console.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('/console/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml');
    const etag = home.headers.get('etag') ?? '';
    expect((await fetch(`${world.origin}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    for (const path of ['/console/..%2fpackage.json', '/console/%2e%2e%2f%2e%2e%2fpackage.json', '/console/requests.html', '/console/nope.js', '/console/', '/index']) {
      const answer = await get(path);
      expect([path, answer.status]).toEqual([path, 404]);
    }
  });
});
