/** The requests queue in real Chromium: requests sent by enrolled PCs are explained (warnings first), approved through the dialog (scope, PCs, user, expiry, conditions, note) and refused with a reason, and leave the queue. */

import type { Page } from 'playwright-core';
import { consoleSettings } from '../../src/server/console-settings';
import { pageFaults, seriousViolations, startConsoleWorld, statusSays, type ConsoleWorld } from './console-browser';
import { askForDevice, enrolPc, KEYBOARD_STICK, type SchoolPc } from './school-pcs';

let world: ConsoleWorld;
let pc: SchoolPc;
/** The school's current term ends 40 days from now. */
const termEnd = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
const termEndWords = new Date(`${termEnd}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

beforeAll(async () => {
  world = await startConsoleWorld();
  const termStart = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
  await consoleSettings.setTermDates(world.db, [{ name: 'Autumn term', start: termStart, end: termEnd }]);
  pc = await enrolPc(world, 'ART-PC-03');
});
afterAll(() => world?.close());

const card = (page: Page, id: string) => page.locator(`article[data-request-id="${id}"]`);

describe('the requests page', () => {
  it('explains a request in plain words, warnings first, and offers only what the device allows', async () => {
    const id = await askForDevice(world, pc, { device: KEYBOARD_STICK, user: 'mpatel', justification: 'Music files for the school concert' });
    const { page, errors } = await world.pageAs('slt-approver', '/requests');
    const request = card(page, id);
    expect(await request.getByRole('heading', { level: 2 }).textContent()).toMatch(/USB Flash Disk|storage/i);
    const warning = request.getByRole('note');
    expect(await warning.textContent()).toContain('also presents itself as a keyboard');
    const text = (await request.textContent()) ?? '';
    expect(text).toContain('mpatel');
    expect(text).toContain('ART-PC-03');
    expect(text.split('Music files for the school concert')).toHaveLength(2);
    expect(await request.locator('blockquote.justification').allTextContents()).toEqual(['mpatel: Music files for the school concert']);
    expect(await request.getByRole('list', { name: 'About the device' }).textContent()).not.toMatch(/Why|Music files/);
    expect(text).toContain('Seen before');
    expect(text).toContain('Similar approvals');

    await request.getByRole('button', { name: 'Approve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve this device' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('This device only (by its serial number)').isDisabled()).toBe(true);
    expect(await dialog.locator('#device-serial-hint').textContent()).toContain('reports no serial number');
    expect(await dialog.getByLabel('Any device of this model').isChecked()).toBe(true);
    expect(await dialog.getByLabel(/^The end of this term/).isChecked()).toBe(true);
    expect(await dialog.locator('#expiry-term-label').textContent()).toBe(`The end of this term: ${termEndWords} (the end of Autumn term)`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Approve…');
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageFaults(errors)).toEqual([]);
  });

  it('approves through the dialog: the result is announced and the request leaves the queue', async () => {
    const id = await askForDevice(world, pc, { user: 'jsmith' });
    const { page, errors } = await world.pageAs('slt-approver', '/requests');
    const request = card(page, id);
    await request.getByRole('button', { name: 'Approve…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Approve this device' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('device-serial');
    expect(await dialog.getByLabel('This device only (by its serial number)').isChecked()).toBe(true);
    await dialog.getByLabel('Every school PC').check();
    await dialog.getByLabel('Anyone signed in to those PCs').check();
    await dialog.getByLabel('I have had the device checked for viruses').check();
    await dialog.getByLabel('Note for the record (optional)').fill('Checked by IT on the front desk');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await statusSays(page, /^Approved/);
    await request.waitFor({ state: 'detached' });
    const status = (await page.locator('#status').textContent()) ?? '';
    expect(status).toMatch(new RegExp(`^Approved: .+, until ${termEndWords}\\. Policy version \\d+ is on its way to the PCs\\.$`));
    const approval = await world.db.get<{ approved_by: string; expires: string }>('SELECT approved_by, expires FROM approvals WHERE request_id = ?', [id]);
    expect(approval).toMatchObject({ expires: termEnd });
    expect((await world.publisher.latest())?.version).toBeGreaterThan(0);
    expect(pageFaults(errors)).toEqual([]);
  });

  it("shows the server's refusal inside the dialog and keeps it open", async () => {
    const id = await askForDevice(world, pc, { user: 'agreen' });
    const { page } = await world.pageAs('slt-approver', '/requests');
    await card(page, id).getByRole('button', { name: 'Approve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve this device' });
    await dialog.getByLabel('Only if it is a hardware-encrypted storage model').check();
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'does not report itself as a hardware-encrypted model' }).waitFor();
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByLabel('PCs in these groups').check();
    await dialog.getByLabel('Only if it is a hardware-encrypted storage model').uncheck();
    await dialog.getByRole('button', { name: 'Approve' }).click();
    expect(await dialog.getByRole('alert').textContent()).toBe('Enter at least one group name, or choose other PCs.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pcs-group-names');
  });

  it('refuses with a reason: announced, gone from the queue, and listed with the reason under Refused', async () => {
    const id = await askForDevice(world, pc, { user: 'tbrown', justification: 'Games for wet play' });
    const { page } = await world.pageAs('slt-approver', '/requests');
    const request = card(page, id);
    await request.getByRole('button', { name: 'Refuse…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refuse this request' });
    await dialog.getByRole('button', { name: 'Refuse' }).click();
    expect(await dialog.getByRole('alert').textContent()).toBe('Give a reason: it is kept with the record.');
    await dialog.getByLabel('Reason (the member of staff sees it)').fill('Games are not allowed on school PCs');
    await dialog.getByRole('button', { name: 'Refuse' }).click();
    expect(await statusSays(page, /^Refused/)).toMatch(/tbrown will see your reason on ART-PC-03\.$/);
    await request.waitFor({ state: 'detached' });
    await page.getByLabel('Show requests').selectOption('refused');
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await card(page, id).locator('.notice').textContent()).toBe('This request was refused by Test Person: Games are not allowed on school PCs.');
  });

  it('makes a one-time code for a PC with no network', async () => {
    const id = await askForDevice(world, pc, { user: 'kjones' });
    const { page } = await world.pageAs('slt-approver', '/requests');
    await card(page, id).getByRole('button', { name: 'One-time code for an offline PC…' }).click();
    const dialog = page.getByRole('dialog', { name: 'One-time code for a PC with no network' });
    await dialog.getByLabel('The code works for (hours)').fill('2');
    await dialog.getByRole('button', { name: 'Make the code' }).click();
    expect(await dialog.locator('#offline-code-value').textContent()).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    expect(await dialog.textContent()).toContain('Read it out to kjones at ART-PC-03');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows the queue to the headteacher without Approve or Refuse', async () => {
    const id = await askForDevice(world, pc, { user: 'hwhite' });
    const { page, errors } = await world.pageAs('headteacher', '/requests');
    const request = card(page, id);
    await request.waitFor();
    expect(await request.getByRole('button').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageFaults(errors)).toEqual([]);
  });
});
