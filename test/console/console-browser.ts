/** The console in real headless Chromium for tests: the pages built afresh, the console server as `portcullis server` starts it (sign-in, both APIs, these pages) on a free port of 127.0.0.1 over a fresh SQLite database, one user per role, and helpers to sign in, check accessibility and watch for CSP refusals. */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildConsolePages } from '../../renderer/console/build-pages';
import { consolePages } from '../../src/server/console-pages';
import type { Database } from '../../src/server/db/database';
import type { PolicyPublisher } from '../../src/server/policy-publisher';
import type { ServerConfig } from '../../src/server/server-config';
import { startServer } from '../../src/server/start-server';
import type { User } from '../../src/server/users/user-store';
import type { Role } from '../../src/server/users/roles';
import { addUser, GOOD_PASSWORD, TEST_SCRYPT_PARAMS } from '../support/console-server';
import { silentLogger } from '../support/databases';

export const CHROMIUM = process.env.PORTCULLIS_CHROMIUM ?? '/usr/bin/chromium';

/** One account per role, all with GOOD_PASSWORD. */
export const USERS: Readonly<Record<Role, string>> = {
  'slt-approver': 'slt@school.example',
  headteacher: 'head@school.example',
  'it-admin': 'it@school.example',
  dpo: 'dpo@school.example',
};

export interface ConsoleWorld {
  /** http://127.0.0.1:PORT (no trailing slash). */
  origin: string;
  db: Database;
  publisher: PolicyPublisher;
  /** The accounts, by role. */
  users: Readonly<Record<Role, User>>;
  browser: Browser;
  /** A new browser context (its own cookies) with a page that records console errors and uncaught exceptions. */
  newPage(): Promise<WatchedPage>;
  /** A console API call as `role` (with its CSRF token), as the pages make it: the answer's value, or a thrown error with the server's sentence. */
  call<T>(role: Role, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
  /** A new page, already signed in as `role` (through POST /api/session), at `path` and ready; the role's context is shared by the file's tests. */
  pageAs(role: Role, path: string): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console messages of type error, and uncaught exceptions, in order. */
  errors: string[];
}

/** Builds the pages into a temporary directory, starts the server over a fresh SQLite database with one user per role (and `settings`, such as `ssoSettingsFile`), and launches Chromium. */
export async function startConsoleWorld(settings: Pick<ServerConfig, 'ssoSettingsFile'> = {}): Promise<ConsoleWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-console-'));
  const pagesDir = join(dir, 'pages');
  const [browser] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--lang=en-GB'], env: { ...process.env, LANGUAGE: 'en_GB' } }),
    buildConsolePages(pagesDir, { minify: false }),
  ]);
  const server = await startServer(
    { host: '127.0.0.1', port: 0, storage: { kind: 'sqlite', dataDir: join(dir, 'data') }, tls: undefined, proxy: undefined, localHttp: true, ...settings },
    { log: { level: 'silent' }, logger: silentLogger, scryptParams: TEST_SCRYPT_PARAMS, version: '0.0.0-test', plugins: [consolePages({ dir: pagesDir })] },
  );
  const { db, publisher } = server;
  const origin = server.url.replace(/\/$/, '');
  const users = {} as Record<Role, User>;
  for (const [role, email] of Object.entries(USERS) as Array<[Role, string]>) users[role] = await addUser(db, email, role, GOOD_PASSWORD, Date.now);
  const contexts: BrowserContext[] = [];
  const newContext = async (): Promise<BrowserContext> => {
    const context = await browser.newContext({ baseURL: origin, locale: 'en-GB', timezoneId: 'Europe/London', acceptDownloads: true });
    contexts.push(context);
    return context;
  };
  const roleContexts = new Map<Role, Promise<BrowserContext>>();
  const csrfTokens = new Map<Role, string>();
  const signedInContext = (role: Role): Promise<BrowserContext> => {
    const made = roleContexts.get(role) ?? (async () => {
      const context = await newContext();
      const answer = await context.request.post('/api/session', { data: { email: USERS[role], password: GOOD_PASSWORD } });
      if (!answer.ok()) throw new Error(`sign-in as ${role} failed: ${answer.status()} ${await answer.text()}`);
      csrfTokens.set(role, ((await answer.json()) as { value: { csrfToken: string } }).value.csrfToken);
      return context;
    })();
    roleContexts.set(role, made);
    return made;
  };
  return {
    origin,
    db,
    publisher,
    users,
    browser,
    newPage: async () => watched(await newContext()),
    async call<T>(role: Role, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
      const { request } = await signedInContext(role);
      const answer = await request.fetch(path, { method, headers: { 'x-csrf-token': csrfTokens.get(role) ?? '' }, ...(body === undefined ? {} : { data: body }) });
      const json = (await answer.json()) as { ok: true; value: T } | { ok: false; error: string };
      if (!json.ok) throw new Error(`${method} ${path} as ${role}: ${answer.status()} ${json.error}`);
      return json.value;
    },
    async pageAs(role, path) {
      const opened = await watched(await signedInContext(role));
      await opened.page.goto(path);
      await ready(opened.page);
      return opened;
    },
    async close() {
      await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
      await browser.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function watched(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return { page, context, errors };
}

/** Waits until the page's script has finished its first render (`<body data-ready>`). */
export async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
}

/** Signs in through the sign-in page (as a person would) and waits for the page it lands on. */
export async function signInAs(page: Page, role: Role, next?: string): Promise<void> {
  await page.goto(next === undefined ? '/login' : `/login?next=${encodeURIComponent(next)}`);
  await ready(page);
  await page.getByLabel('Email address').fill(USERS[role]);
  await page.getByLabel('Password').fill(GOOD_PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Sign in' }).click()]);
  await ready(page);
}

/** The live region's text once it says something matching `pattern`. */
export async function statusSays(page: Page, pattern: RegExp): Promise<string> {
  const status = page.locator('#status');
  await status.filter({ hasText: pattern }).waitFor();
  return (await status.textContent()) ?? '';
}

/** axe-core's own bundle, evaluated in the page through the DevTools protocol: page.addScriptTag would insert it as an inline script, which the console's CSP rightly refuses. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** axe-core's serious and critical violations on the page as it is now, one line each (empty: none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`);
}

/** Console errors that are the Content-Security-Policy refusing something (an inline script or style, a foreign source), and the page's uncaught exceptions. */
export function pageFaults(errors: readonly string[]): string[] {
  return errors.filter((text) => text.startsWith('uncaught: ') || /Content Security Policy|Refused to (execute|apply|load|connect|evaluate)/i.test(text));
}
