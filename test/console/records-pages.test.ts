/** The approvals register, events, reports, privacy and PCs pages in real Chromium, over records that enrolled PCs sent: search and revoke, CSV export, filters, the subject access download, the retention setting, enrolment tokens and revoking an agent; axe on each. */

import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { consoleSettings } from '../../src/server/console-settings';
import type { Role } from '../../src/server/users/roles';
import { pageFaults, seriousViolations, startConsoleWorld, statusSays, type ConsoleWorld } from './console-browser';
import { anotherStick, askForDevice, enrolPc, identityOf, shipAudit, type SchoolPc } from './school-pcs';

let world: ConsoleWorld;
let library: SchoolPc;
let lab: SchoolPc;
const ORANGE_STICK = { ...anotherStick(900), name: 'Orange Stick', manufacturer: 'Fruitware' };
const BLUE_STICK = { ...anotherStick(901), name: 'Blue Stick', manufacturer: 'Skyware' };
/** Asked for on the library PC, never recorded by an agent. */
const GREEN_STICK = { ...anotherStick(902), name: 'Green Stick', manufacturer: 'Leafware' };

const approveAll = (requestId: string) =>
  world.call('slt-approver', 'POST', `/api/requests/${requestId}/approve`, { decision: { deviceScope: { by: 'serial' }, machineScope: 'every', userScope: 'anyone' } });

beforeAll(async () => {
  world = await startConsoleWorld();
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await consoleSettings.setTermDates(world.db, [{ name: 'Spring term', start: day(-10), end: day(50) }]);
  [library, lab] = [await enrolPc(world, 'LIB-PC-01'), await enrolPc(world, 'SCI-LAB-02')];
  await approveAll(await askForDevice(world, library, { device: ORANGE_STICK, user: 'jsmith' }));
  await approveAll(await askForDevice(world, lab, { device: BLUE_STICK, user: 'agreen' }));
  await shipAudit(world, library, [
    { event: { type: 'device-decided', device: identityOf(ORANGE_STICK), target: 'block', implicit: true, reason: 'blocked: no rule allows a USB storage device from Fruitware' }, user: 'jsmith' },
    { event: { type: 'idle-locked', session: '2', idleMs: 600_000, by: 'service' }, user: 'jsmith' },
  ]);
  await askForDevice(world, library, { device: GREEN_STICK, user: 'mpatel' });
  await shipAudit(world, lab, [{ event: { type: 'idle-logged-off', session: '3', lockedForMs: 1_800_000, by: 'service' }, user: 'agreen' }]);
});
afterAll(() => world?.close());

async function accessible(page: Page, errors: readonly string[]): Promise<void> {
  expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
  expect(await seriousViolations(page)).toEqual([]);
  expect(pageFaults(errors)).toEqual([]);
}

const rowsOf = (page: Page, table: string) => page.locator(`${table} tbody tr`);

describe('the approvals register', () => {
  it('searches, filters and revokes with a reason; the CSV link carries the filters', async () => {
    const { page, errors } = await world.pageAs('slt-approver', '/approvals');
    expect(await rowsOf(page, '#approval-list').count()).toBe(2);
    await page.getByRole('searchbox', { name: 'Search' }).fill('orange');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#summary', { hasText: '1 approval found.' }).waitFor();
    expect(await rowsOf(page, '#approval-list').first().textContent()).toContain('LIB-PC-01');
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe('/api/approvals.csv?q=orange&status=all');
    await accessible(page, errors);

    await page.getByRole('button', { name: 'Revoke approval of Fruitware Orange Stick', exact: false }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this approval' });
    await dialog.getByLabel('Reason (kept in the register)').fill('The stick was lost');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    expect(await statusSays(page, /^Revoked/)).toContain('Fruitware Orange Stick');
    await page.locator('#approval-list', { hasText: 'The stick was lost' }).waitFor();
    expect(await rowsOf(page, '#approval-list').first().textContent()).toMatch(/Revoked by Test Person, .*: The stick was lost/);

    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Search' }).click();
    await rowsOf(page, '#approval-list').filter({ hasText: 'Blue Stick' }).waitFor();
    expect(await rowsOf(page, '#approval-list').count()).toBe(1);
    await page.getByLabel('Approved by').fill('nobody at all');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No approvals match.').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^portcullis-approvals-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(readFileSync(await download.path(), 'utf8')).toMatch(/^\uFEFF?Approval,Device,Computer,/);
  });

  it('shows the register to the DPO without Revoke', async () => {
    const { page, errors } = await world.pageAs('dpo', '/approvals');
    expect(await rowsOf(page, '#approval-list').count()).toBe(2);
    expect(await page.locator('#approval-list').getByRole('button').count()).toBe(0);
    await accessible(page, errors);
  });
});

describe('events, devices and reports', () => {
  it.each<Role>(['it-admin', 'dpo'])('lists the events newest first and filters them, for %s', async (role) => {
    const { page, errors } = await world.pageAs(role, '/events');
    expect(await rowsOf(page, '#event-list').count()).toBe(3);
    await page.getByLabel('PC').fill('lib-pc-01');
    await page.getByLabel('Kind of event').selectOption('idle-locked');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#event-list caption', { hasText: '(1 event)' }).waitFor();
    expect(await rowsOf(page, '#event-list').first().textContent()).toContain('jsmith');
    expect(await page.locator('#devices-section').isVisible()).toBe(role !== 'dpo');
    if (role === 'it-admin') {
      const devices = rowsOf(page, '#device-list');
      expect(await devices.filter({ hasText: 'Orange Stick' }).textContent()).toContain('1 time on LIB-PC-01');
      const asked = (await devices.filter({ hasText: 'Green Stick' }).textContent()) ?? '';
      expect(asked).toContain('Asked for on LIB-PC-01, not yet seen in its audit log');
      expect(asked).toMatch(/Not yet seen; asked for .+ on LIB-PC-01 \(mpatel\)/);
      expect(asked).not.toContain('0 times');
    }
    await accessible(page, errors);
  });

  it("gives the headteacher blocked attempts, decisions by approver and idle locks per PC", async () => {
    const { page, errors } = await world.pageAs('headteacher', '/reports');
    const report = page.locator('#report');
    await report.getByRole('table', { name: /Devices blocked/ }).waitFor();
    expect(await report.getByRole('table', { name: /Devices blocked/ }).textContent()).toContain('LIB-PC-01');
    expect(await report.getByRole('table', { name: /approved and refused/ }).textContent()).toContain('2');
    const idle = (await report.getByRole('table', { name: /locked or logged off/ }).textContent()) ?? '';
    expect(idle).toContain('LIB-PC-01');
    expect(idle).toContain('SCI-LAB-02');
    await accessible(page, errors);
  });
});

describe("the DPO's privacy page", () => {
  it('downloads a subject access export and sets the retention with what it means', async () => {
    const { page, errors } = await world.pageAs('dpo', '/privacy');
    expect(await page.getByLabel('Keep audit records for (months)').inputValue()).toBe('12');
    expect(await page.locator('#retention-meaning').textContent()).toContain('older than 12 months are deleted for good');
    await accessible(page, errors);

    await page.getByLabel("Member of staff's user name").fill('jsmith');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download export' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^subject-access-jsmith-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as { subject: string; requests: unknown[] };
    expect(exported.subject).toBe('jsmith');
    expect(exported.requests).toHaveLength(1);
    expect(await statusSays(page, /downloading/)).toContain('1 request');

    await page.getByLabel('Keep audit records for (months)').fill('24');
    expect(await page.locator('#retention-meaning').textContent()).toContain('older than 24 months');
    await page.getByRole('button', { name: 'Save' }).click();
    await statusSays(page, /^Saved: records are kept for 24 months\.$/);
    expect(await consoleSettings.retentionMonths(world.db)).toBe(24);
  });
});

describe("IT's PCs page", () => {
  it('makes an enrolment token (shown once), lists the PCs and revokes one', async () => {
    const { page, errors } = await world.pageAs('it-admin', '/agents');
    expect(await rowsOf(page, '#agent-list').count()).toBe(2);
    const agentId = page.getByRole('row', { name: /SCI-LAB-02/ }).locator('code.agent-id');
    expect(await agentId.textContent()).toBe(lab.agentId);
    expect(lab.agentId).toMatch(/^agt_/);
    await agentId.click();
    expect(await page.evaluate(() => window.getSelection()?.toString())).toBe(lab.agentId);
    await page.getByRole('button', { name: 'Make an enrolment token' }).click();
    expect(await page.locator('#token-value').textContent()).toMatch(/^pce_/);
    await accessible(page, errors);
    await page.getByRole('button', { name: 'Revoke the agent on SCI-LAB-02' }).click();
    await page.getByRole('dialog', { name: "Revoke this PC's agent" }).getByRole('button', { name: 'Revoke' }).click();
    await statusSays(page, /^Revoked the agent on SCI-LAB-02/);
    await page.locator('#agent-list', { hasText: 'Revoked' }).waitFor();
    expect(await page.getByRole('button', { name: 'Revoke the agent on SCI-LAB-02' }).count()).toBe(0);
  });
});
