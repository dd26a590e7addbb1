/** The pages plugin without a browser: where it finds the built pages, and what it answers when they are not built. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NAV_PAGES, type PageName } from '../../renderer/console/parts/page-list';
import { consolePages, defaultConsoleDir, packageRoot } from '../../src/server/console-pages';
import { CONSOLE_ROUTES } from '../../src/server/console-protocol';
import { migrate } from '../../src/server/db/migrations';
import { openDatabase } from '../../src/server/db/open-database';
import { silentLogger } from '../support/databases';
import { testApp } from '../support/console-server';

describe('the pages and their roles', () => {
  /** The API route each page cannot show anything without. */
  const MAIN_ROUTE: Record<Exclude<PageName, 'index' | 'login'>, keyof typeof CONSOLE_ROUTES> = {
    requests: 'listRequests',
    approvals: 'listApprovals',
    events: 'listEvents',
    reports: 'report',
    privacy: 'subjectAccessExport',
    agents: 'listAgents',
    settings: 'getBasePolicy',
  };

  it.each(Object.entries(MAIN_ROUTE))('offers the %s page to exactly the roles its route %s accepts', (name, route) => {
    const page = NAV_PAGES.find((candidate) => candidate.name === name);
    expect([...(page?.roles ?? [])].sort()).toEqual([...CONSOLE_ROUTES[route as keyof typeof CONSOLE_ROUTES].roles].sort());
  });
});

describe('consolePages', () => {
  it("finds the package root from this source tree, tsc's output and the bundle alike, and nothing above a foreign tree", () => {
    const root = resolve(__dirname, '../..');
    expect(packageRoot(join(root, 'src', 'server'))).toBe(root);
    expect(packageRoot(join(root, 'dist', 'src', 'server'))).toBe(root);
    expect(packageRoot(join(root, 'dist'))).toBe(root);
    expect(defaultConsoleDir()).toBe(join(root, 'dist', 'console'));
    expect(packageRoot(tmpdir())).toBeUndefined();
  });

  it('answers 503 with what to do when the pages are not built, and still serves the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-no-pages-'));
    const db = await openDatabase({ dataDir: join(dir, 'data') }, { logger: silentLogger });
    await migrate(db, { logger: silentLogger });
    const server = await testApp(db, { log: { level: 'silent' } }, (app) => void app.register(consolePages({ dir: join(dir, 'missing') })));
    try {
      const page = await server.call({ method: 'GET', url: '/requests' });
      expect(page.statusCode).toBe(503);
      expect(page.json()).toEqual({ ok: false, error: `The console pages are not built (looked in ${join(dir, 'missing')}): run npm run build.` });
      expect((await server.call({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    } finally {
      await server.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
