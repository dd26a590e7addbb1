/** The Settings page in real Chromium: IT change the term dates (a refusal keeps the form) and publish a base policy (a bad one publishes nothing); SLT read the terms, the headteacher the base; axe for each role. */

import type { Page } from 'playwright-core';
import { consoleSettings } from '../../src/server/console-settings';
import type { Role } from '../../src/server/users/roles';
import { pageFaults, seriousViolations, startConsoleWorld, statusSays, type ConsoleWorld } from './console-browser';

let world: ConsoleWorld;
const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const inWords = (iso: string): string => new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const AUTUMN = { name: 'Autumn term', start: day(-20), end: day(40) };
const SPRING = { name: 'Spring term', start: day(55), end: day(140) };

beforeAll(async () => {
  world = await startConsoleWorld();
  await consoleSettings.setTermDates(world.db, [AUTUMN]);
});
afterAll(() => world?.close());

const term = (page: Page, n: number) => page.getByRole('group', { name: `Term ${n}` });

async function accessible(page: Page, errors: readonly string[]): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  expect(pageFaults(errors)).toEqual([]);
}

interface Base {
  text: string;
  version: number | null;
}

describe('term dates', () => {
  it('lets IT add a term and save, and the page shows the terms again after a reload', async () => {
    const { page, errors } = await world.pageAs('it-admin', '/settings');
    expect(await page.locator('#terms-default').textContent()).toBe(`Approvals made today expire on ${inWords(AUTUMN.end)} (the end of Autumn term) by default.`);
    expect(await term(page, 1).getByLabel('Name').inputValue()).toBe('Autumn term');
    await accessible(page, errors);

    await page.getByRole('button', { name: 'Add a term' }).click();
    expect(await page.evaluate(() => document.activeElement?.closest('fieldset')?.querySelector('legend')?.textContent)).toBe('Term 2');
    await term(page, 2).getByLabel('Name').fill(SPRING.name);
    await term(page, 2).getByLabel('First day').fill(SPRING.start);
    await term(page, 2).getByLabel('Last day').fill(SPRING.end);
    await page.getByRole('button', { name: 'Save term dates' }).click();
    expect(await statusSays(page, /^Saved/)).toBe(`Saved 2 terms. Approvals made today expire on ${inWords(AUTUMN.end)} (the end of Autumn term) by default.`);
    expect(await consoleSettings.termDates(world.db)).toEqual([AUTUMN, SPRING]);

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    expect(await term(page, 2).getByLabel('Last day').inputValue()).toBe(SPRING.end);
    expect(await page.getByRole('table', { name: "The school's terms" }).textContent()).toContain(inWords(SPRING.start));
    await accessible(page, errors);
  });

  it("refuses overlapping terms with the server's words, keeps what was typed, and removes a term", async () => {
    const { page } = await world.pageAs('it-admin', '/settings');
    await page.getByRole('button', { name: 'Add a term' }).click();
    await term(page, 3).getByLabel('Name').fill('Summer term');
    await term(page, 3).getByLabel('First day').fill(day(100));
    await term(page, 3).getByLabel('Last day').fill(day(180));
    await page.getByRole('button', { name: 'Save term dates' }).click();
    const alert = page.locator('#terms-problem');
    await alert.filter({ hasText: 'overlaps' }).waitFor();
    expect(await alert.textContent()).toBe(`Not saved: terms[2].start: ${day(100)} overlaps terms[1] "Spring term" (${SPRING.start} to ${SPRING.end})`);
    expect(await term(page, 3).getByLabel('Name').inputValue()).toBe('Summer term');
    expect(await term(page, 3).getByLabel('First day').inputValue()).toBe(day(100));
    expect(await consoleSettings.termDates(world.db)).toEqual([AUTUMN, SPRING]);

    await term(page, 3).getByRole('button', { name: 'Remove term 3' }).click();
    await term(page, 1).getByRole('button', { name: 'Remove term 1' }).click();
    expect(await term(page, 1).getByLabel('Name').inputValue()).toBe('Spring term');
    await page.getByRole('button', { name: 'Save term dates' }).click();
    await statusSays(page, /^Saved 1 term\./);
    expect(await consoleSettings.termDates(world.db)).toEqual([SPRING]);
    expect(await page.locator('#terms-default').textContent()).toBe(`Approvals made today expire on ${inWords(SPRING.end)} (the end of Spring term) by default.`);
    await consoleSettings.setTermDates(world.db, [AUTUMN, SPRING]);
  });

  it('shows SLT the terms read-only, with no form and no save button', async () => {
    const { page, errors } = await world.pageAs('slt-approver', '/settings');
    const table = page.getByRole('table', { name: "The school's terms" });
    expect(await table.locator('tbody tr').allTextContents()).toEqual([
      `Autumn term${inWords(AUTUMN.start)}${inWords(AUTUMN.end)}`,
      `Spring term${inWords(SPRING.start)}${inWords(SPRING.end)}`,
    ]);
    expect(await page.locator('#terms-default').textContent()).toContain(inWords(AUTUMN.end));
    expect(await page.getByRole('button', { name: 'Save term dates' }).count()).toBe(0);
    expect(await page.getByRole('textbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Publish the base policy' }).count()).toBe(0);
    await accessible(page, errors);
  });
});

describe('the base policy', () => {
  it('lets IT publish a base in audit mode: the page shows the new version and the base in words', async () => {
    const { page, errors } = await world.pageAs('it-admin', '/settings');
    const before = await world.call<Base>('it-admin', 'GET', '/api/policy/base');
    expect(await page.locator('#base-version').textContent()).toBe("In force: Portcullis's built-in default (IT have not published a base yet).");
    const summary = page.locator('#base-summary');
    expect(await summary.textContent()).toContain('Enforce: devices are allowed or blocked as the rules say.');
    expect(await summary.textContent()).toContain('Blocked: it stays plugged in but unusable');
    const rules = JSON.parse(before.text) as { rules: Array<{ reason?: string }> };
    expect(await summary.getByRole('table', { name: /Base rules/ }).locator('tbody tr').count()).toBe(rules.rules.length);
    expect(await summary.textContent()).toContain(rules.rules[0]?.reason ?? 'no reason?');
    await accessible(page, errors);

    const edited = { ...(JSON.parse(before.text) as object), mode: 'audit', idle: { lockAfter: '10m', logoffAfter: 'never' } };
    await page.getByLabel('The base policy as JSON').fill(JSON.stringify(edited, null, 2));
    await page.getByRole('button', { name: 'Publish the base policy' }).click();
    const said = await statusSays(page, /^Published/);
    const version = (await world.publisher.latest())?.version;
    expect(said).toContain(`policy version ${version}`);
    await page.locator('#base-version', { hasText: `policy version ${version}` }).waitFor();
    expect(await summary.textContent()).toContain('Audit only: each PC records what it would decide, and blocks nothing.');
    expect(await summary.textContent()).toContain('Locks after 10 minutes without keyboard or mouse.');
    expect(await summary.textContent()).toContain('A locked session is never logged off.');
    expect(await world.call<Base>('it-admin', 'GET', '/api/policy/base')).toMatchObject({ version });
  });

  it('shows the field a bad base gets wrong (or that it is not JSON), keeps the edit, and publishes nothing', async () => {
    const { page } = await world.pageAs('it-admin', '/settings');
    const before = await world.publisher.latest();
    const text = page.getByLabel('The base policy as JSON');
    const broken = (await text.inputValue()).replace('"mode": "audit"', '"mode": "loud"');
    await text.fill(broken);
    await page.getByRole('button', { name: 'Publish the base policy' }).click();
    const alert = page.locator('#base-problem');
    await alert.filter({ hasText: 'mode' }).waitFor();
    expect(await alert.textContent()).toBe('Not published: text: mode: expected "enforce" or "audit"');
    expect(await text.inputValue()).toBe(broken);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('base-text');
    await text.fill(`${broken},`);
    await page.getByRole('button', { name: 'Publish the base policy' }).click();
    await alert.filter({ hasText: 'not valid JSON' }).waitFor();
    expect(await text.inputValue()).toBe(`${broken},`);
    expect((await world.publisher.latest())?.version).toBe(before?.version);
    expect(JSON.parse((await world.call<Base>('it-admin', 'GET', '/api/policy/base')).text)).toMatchObject({ mode: 'audit' });
  });

  it('shows the headteacher the base read-only, and no term dates', async () => {
    const { page, errors } = await world.pageAs('headteacher', '/settings');
    expect(await page.locator('#base-summary').textContent()).toContain('Audit only');
    expect(await page.locator('#terms-section').isVisible()).toBe(false);
    expect(await page.getByRole('textbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Publish the base policy' }).count()).toBe(0);
    await accessible(page, errors);
  });

  it.each<Role>(['it-admin', 'slt-approver', 'headteacher'])('offers Settings in the nav of the %s', async (role) => {
    const { page } = await world.pageAs(role, '/settings');
    expect(await page.getByRole('navigation', { name: 'Console pages' }).locator('[aria-current="page"]').textContent()).toBe('Settings');
  });
});
