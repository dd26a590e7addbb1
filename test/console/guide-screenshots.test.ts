/** The SLT guide's story in real Chromium, asserted step by step, with the guide's screenshots taken on the way (written to docs/screenshots/ only with UPDATE_SCREENSHOTS=1). */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import type { ForwardedRequest } from '../../src/server/agent-protocol';
import { consoleSettings } from '../../src/server/console-settings';
import type { Role } from '../../src/server/users/roles';
import { pageFaults, ready, startConsoleWorld, statusSays, USERS, type ConsoleWorld, type WatchedPage } from './console-browser';
import { anotherStick, askForDevice, enrolPc, identityOf, KEYBOARD_STICK, shipAudit, type SchoolPc } from './school-pcs';
import { GOOD_PASSWORD } from '../support/console-server';

/** Every screenshot this test takes; the guide may show only these. */
export const GUIDE_SCREENSHOTS = [
  'sign-in',
  'requests-queue',
  'request-explained',
  'approve-dialog',
  'request-approved',
  'refuse-dialog',
  'approvals-register',
  'events',
  'devices',
  'reports',
  'privacy',
] as const;
type ScreenshotName = (typeof GUIDE_SCREENSHOTS)[number];

const DOCS = join(__dirname, '..', '..', 'docs');
const GUIDE = join(DOCS, 'slt-guide.md');
const UPDATING = process.env.UPDATE_SCREENSHOTS === '1';
const SHOTS = UPDATING ? join(DOCS, 'screenshots') : mkdtempSync(join(tmpdir(), 'portcullis-guide-shots-'));
const VIEWPORT = { width: 1280, height: 800 };

/** The people in the story: console accounts get real-looking names (the helpers name everyone "Test Person"). */
const NAMES: Readonly<Record<Role, string>> = { 'slt-approver': 'Ms R. Okafor', headteacher: 'Mr D. Hughes', 'it-admin': 'Mr S. Clarke', dpo: 'Mrs L. Evans' };

/** A phone a PE teacher wants for photos of a match: still waiting at the end of the story. */
const CAMERA: ForwardedRequest['device'] = {
  id: { vendor: '04a9', product: '32d9' },
  serial: '8F6B2C1D0E3A4B5C',
  name: 'Canon Digital Camera',
  manufacturer: 'Canon Inc.',
  hash: 'cAn0nCAMERAhashcAn0nCAMERAhashcAn0nCAMERA0=',
  kind: 'phone-or-camera',
  interfaces: [{ classCode: 0x06, subclass: 0x01, protocol: 0x01 }],
  warnings: [],
};
/** The SanDisk stick already approved on the library PC last week (another serial of the model asked for now). */
const LIBRARY_STICK = anotherStick(4242);
const JSMITH_STICK = anotherStick(1717);

let world: ConsoleWorld;
let art: SchoolPc;
let lab: SchoolPc;
let library: SchoolPc;
let staffroom: SchoolPc;
const ids = { keyboardStick: '', stick: '', camera: '' };
const taken = new Set<ScreenshotName>();
const termEnd = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
const termEndWords = new Date(`${termEnd}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The page's viewport (or its top `height` pixels), or one element, as a PNG of at most 256 colours (about 40% of Chromium's size). */
async function screenshot(name: ScreenshotName, page: Page, part: Locator | { height: number } = { height: VIEWPORT.height }): Promise<void> {
  const options = { animations: 'disabled', caret: 'hide' } as const;
  const png = 'height' in part ? await page.screenshot({ ...options, clip: { x: 0, y: 0, width: VIEWPORT.width, height: part.height } }) : await part.screenshot(options);
  writeFileSync(join(SHOTS, `${name}.png`), indexedPng(png));
  taken.add(name);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Chromium's 8-bit RGB(A) PNG again with a palette of its 256 commonest colours (a screenshot of
 * the console has a few hundred, nearly all anti-aliased text edges), each other colour drawn
 * as the nearest of them.
 */
function indexedPng(png: Buffer): Buffer {
  const chunks: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) chunks.push({ type: png.toString('ascii', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + png.readUInt32BE(at)) });
  const header = chunks.find((chunk) => chunk.type === 'IHDR')?.data;
  if (header === undefined || header[8] !== 8 || (header[9] !== 2 && header[9] !== 6) || header[12] !== 0) throw new Error('expected an 8-bit RGB(A) PNG, not interlaced');
  const [width, height, bpp] = [header.readUInt32BE(0), header.readUInt32BE(4), header[9] === 6 ? 4 : 3];
  const filtered = inflateSync(Buffer.concat(chunks.filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.data)));
  const stride = width * bpp;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = filtered[y * (stride + 1)] ?? 0;
    for (let x = 0; x < stride; x += 1) {
      const a = x >= bpp ? (pixels[y * stride + x - bpp] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= bpp && y > 0 ? (pixels[(y - 1) * stride + x - bpp] ?? 0) : 0;
      const [pa, pb, pc] = [Math.abs(b - c), Math.abs(a - c), Math.abs(a + b - 2 * c)];
      const predicted = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter] ?? 0;
      pixels[y * stride + x] = ((filtered[y * (stride + 1) + 1 + x] ?? 0) + predicted) & 255;
    }
  }
  const colourAt = (i: number): number => (((pixels[i * bpp] ?? 0) << 16) | ((pixels[i * bpp + 1] ?? 0) << 8) | (pixels[i * bpp + 2] ?? 0)) >>> 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < width * height; i += 1) counts.set(colourAt(i), (counts.get(colourAt(i)) ?? 0) + 1);
  const palette = [...counts.entries()].sort((p, q) => q[1] - p[1]).slice(0, 256).map(([colour]) => colour);
  const distance = (p: number, q: number): number => ((p >> 16) - (q >> 16)) ** 2 + (((p >> 8) & 255) - ((q >> 8) & 255)) ** 2 + ((p & 255) - (q & 255)) ** 2;
  const nearest = new Map<number, number>();
  for (const colour of counts.keys()) nearest.set(colour, palette.reduce((best, candidate, index) => (distance(colour, candidate) < distance(colour, palette[best] ?? 0) ? index : best), 0));
  const rows = Buffer.alloc((width + 1) * height);
  for (let i = 0; i < width * height; i += 1) rows[Math.floor(i / width) * (width + 1) + 1 + (i % width)] = nearest.get(colourAt(i)) ?? 0;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const plte = Buffer.from(palette.flatMap((colour) => [colour >> 16, (colour >> 8) & 255, colour & 255]));
  return Buffer.concat([png.subarray(0, 8), pngChunk('IHDR', ihdr), pngChunk('PLTE', plte), pngChunk('IDAT', deflateSync(rows, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

async function open(role: Role, path: string): Promise<WatchedPage> {
  const opened = await world.pageAs(role, path);
  await opened.page.setViewportSize(VIEWPORT);
  return opened;
}

const card = (page: Page, id: string): Locator => page.locator(`article[data-request-id="${id}"]`);
const rows = (page: Page, table: string): Locator => page.locator(`${table} tbody tr`);

beforeAll(async () => {
  if (UPDATING) mkdirSync(SHOTS, { recursive: true });
  world = await startConsoleWorld();
  for (const role of Object.keys(NAMES) as Role[]) await world.db.run('UPDATE users SET display_name = ? WHERE id = ?', [NAMES[role], world.users[role].id]);
  const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await consoleSettings.setTermDates(world.db, [{ name: 'Autumn term', start: day(-60), end: termEnd }, { name: 'Spring term', start: day(36), end: day(120) }]);
  [art, lab, library, staffroom] = [await enrolPc(world, 'ART-PC-03'), await enrolPc(world, 'SCI-LAB-02'), await enrolPc(world, 'LIB-PC-01'), await enrolPc(world, 'STAFFROOM-01')];

  // Last week: a SanDisk stick approved for the library PC, and a day of the PCs' records.
  const earlier = await askForDevice(world, library, { device: LIBRARY_STICK, user: 'agreen', justification: 'Library catalogue backups' });
  await world.call('slt-approver', 'POST', `/api/requests/${earlier}/approve`, { decision: { deviceScope: { by: 'serial' }, machineScope: { machines: 'this' }, userScope: 'requester', conditions: { virusChecked: true } } });
  const stickBlocked = { type: 'device-decided', device: identityOf(KEYBOARD_STICK), target: 'block', implicit: true, reason: 'blocked: no rule allows a USB storage device from Generic' } as const;
  await shipAudit(world, art, [
    { event: stickBlocked, user: 'mpatel', minutesAgo: 180 },
    { event: { type: 'idle-locked', session: '2', idleMs: 300_000, by: 'tray' }, user: 'mpatel', minutesAgo: 150 },
    { event: stickBlocked, user: 'mpatel', minutesAgo: 30 },
  ]);
  await shipAudit(world, lab, [
    { event: { type: 'device-decided', device: identityOf(JSMITH_STICK), target: 'block', implicit: true, reason: 'blocked: no rule allows a USB storage device from SanDisk' }, user: 'jsmith', minutesAgo: 45 },
    { event: { type: 'idle-locked', session: '4', idleMs: 420_000, by: 'service' }, user: 'jsmith', minutesAgo: 20 },
  ]);
  await shipAudit(world, staffroom, [
    { event: { type: 'idle-locked', session: '3', idleMs: 310_000, by: 'tray' }, user: 'hwhite', minutesAgo: 200 },
    { event: { type: 'idle-logged-off', session: '3', lockedForMs: 1_800_000, by: 'tray' }, user: 'hwhite', minutesAgo: 170 },
  ]);

  // This morning: three requests waiting, oldest first.
  ids.keyboardStick = await askForDevice(world, art, { device: KEYBOARD_STICK, user: 'mpatel', justification: 'Music files for the school concert' });
  ids.stick = await askForDevice(world, lab, { device: JSMITH_STICK, user: 'jsmith', justification: 'Year 11 coursework photos for moderation', durationDays: 30 });
  ids.camera = await askForDevice(world, staffroom, { device: CAMERA, user: 'tbrown', justification: 'Photos of the Year 8 football match for the newsletter', durationDays: 7 });
}, 60_000);

afterAll(async () => {
  await world?.close();
  if (!UPDATING) rmSync(SHOTS, { recursive: true, force: true });
});

describe('the SLT guide, step by step', () => {
  it('signs in with an email address and password and lands on the requests queue', async () => {
    const { page, errors } = await world.newPage();
    await page.setViewportSize(VIEWPORT);
    await page.goto('/login');
    await ready(page);
    await page.getByLabel('Email address').fill(USERS['slt-approver']);
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await screenshot('sign-in', page);
    await Promise.all([page.waitForURL((url) => url.pathname === '/requests'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await ready(page);
    expect(await page.locator('#account').textContent()).toContain(`Signed in as ${NAMES['slt-approver']} (SLT approver)`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Device requests');
    expect(pageFaults(errors)).toEqual([]);
  });

  it('shows the queue oldest first, the stick that is also a keyboard with its warning', async () => {
    const { page, errors } = await open('slt-approver', '/requests');
    expect(await page.locator('#summary').textContent()).toBe('3 requests waiting for a decision.');
    expect(await page.locator('article.request').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-request-id')))).toEqual([ids.keyboardStick, ids.stick, ids.camera]);
    const badUsb = card(page, ids.keyboardStick);
    expect(await badUsb.getByRole('heading', { level: 2 }).textContent()).toBe('mpatel asks to use a USB storage device (Generic USB Flash Disk) on ART-PC-03');
    expect(await badUsb.getByRole('note').textContent()).toContain('also presents itself as a keyboard');
    expect(await badUsb.getByRole('list', { name: 'Seen before' }).textContent()).toMatch(/^Seen on ART-PC-03 .*\(by mpatel\)/);
    await screenshot('requests-queue', page, { height: 560 });

    const stick = card(page, ids.stick);
    expect(await stick.getByRole('note').count()).toBe(0);
    expect(await stick.getByRole('list', { name: 'About the device' }).textContent()).toContain(`Serial number: ${JSMITH_STICK.serial}`);
    expect(await stick.getByRole('list', { name: 'Similar approvals' }).textContent()).toMatch(new RegExp(`^Another SanDisk Cruzer Blade \\(serial "${LIBRARY_STICK.serial}"\\) is approved on LIB-PC-01`));
    await stick.scrollIntoViewIfNeeded();
    await screenshot('request-explained', page, stick);
    expect(pageFaults(errors)).toEqual([]);
  });

  it('approves the stick for this PC and this member of staff until the end of term, virus-checked', async () => {
    const { page, errors } = await open('slt-approver', '/requests');
    const stick = card(page, ids.stick);
    await stick.getByRole('button', { name: 'Approve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve this device' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('This device only (by its serial number)').isChecked()).toBe(true);
    expect(await dialog.getByLabel('Only SCI-LAB-02, the PC it was asked for on').isChecked()).toBe(true);
    expect(await dialog.getByLabel('Only jsmith, who asked').isChecked()).toBe(true);
    expect(await dialog.locator('#expiry-term-label').textContent()).toBe(`The end of this term: ${termEndWords} (the end of Autumn term)`);
    expect(await dialog.getByLabel(/^The end of this term/).isChecked()).toBe(true);
    await dialog.getByLabel('I have had the device checked for viruses').check();
    await dialog.getByLabel('Note for the record (optional)').fill('Scanned by IT at the front desk');
    // The whole dialog in one picture: a taller window for this one.
    await page.setViewportSize({ width: VIEWPORT.width, height: 1300 });
    await dialog.evaluate((element) => element.scrollTo(0, 0));
    await screenshot('approve-dialog', page, dialog);
    await page.setViewportSize(VIEWPORT);

    const before = (await world.publisher.latest())?.version ?? 0;
    await dialog.getByRole('button', { name: 'Approve' }).click();
    expect(await statusSays(page, /^Approved/)).toMatch(
      new RegExp(`^Approved: jsmith asks to use a USB storage device \\(SanDisk Cruzer Blade\\) on SCI-LAB-02, until ${termEndWords}\\. Policy version ${before + 1} is on its way to the PCs\\.$`),
    );
    await stick.waitFor({ state: 'detached' });
    const policy = await world.publisher.latest();
    expect(policy?.version).toBe(before + 1);
    const envelope = JSON.parse(policy?.envelopeText ?? '{}') as { document?: string };
    const rule = (JSON.parse(envelope.document ?? '{}') as { rules: Array<{ rule: string; scope?: unknown; expires?: string; reason?: string }> }).rules.find((r) => r.rule.includes(JSMITH_STICK.serial));
    expect(rule).toMatchObject({ scope: { machines: ['SCI-LAB-02'], users: ['jsmith'] }, expires: termEnd });
    expect(rule?.reason).toMatch(/virus/i);

    await page.getByLabel('Show requests').selectOption('approved');
    await page.getByRole('button', { name: 'Show' }).click();
    await card(page, ids.stick).waitFor();
    expect(await card(page, ids.stick).locator('.notice').textContent()).toBe(`This request was approved by ${NAMES['slt-approver']}.`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot('request-approved', page, { height: 540 });
    expect(pageFaults(errors)).toEqual([]);
  });

  it('refuses the stick that is also a keyboard, with a reason the member of staff sees', async () => {
    const { page, errors } = await open('slt-approver', '/requests');
    await card(page, ids.keyboardStick).getByRole('button', { name: 'Refuse…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refuse this request' });
    await dialog.getByLabel('Reason (the member of staff sees it)').fill('This stick also acts as a keyboard, which can type commands into the PC. Please use a school stick from the IT office instead.');
    await screenshot('refuse-dialog', page, dialog);
    await dialog.getByRole('button', { name: 'Refuse' }).click();
    expect(await statusSays(page, /^Refused/)).toBe('Refused: mpatel asks to use a USB storage device (Generic USB Flash Disk) on ART-PC-03. mpatel will see your reason on ART-PC-03.');
    await card(page, ids.keyboardStick).waitFor({ state: 'detached' });
    expect(await page.locator('#summary').textContent()).toBe('1 request waiting for a decision.');
    expect(await world.db.get('SELECT status, decision_reason FROM approval_requests WHERE id = ?', [ids.keyboardStick])).toEqual({ status: 'refused', decision_reason: expect.stringContaining('acts as a keyboard') });
    expect(pageFaults(errors)).toEqual([]);
  });

  it('finds approvals in the register, revokes a lost stick and offers the search as CSV', async () => {
    const { page, errors } = await open('slt-approver', '/approvals');
    expect(await rows(page, '#approval-list').count()).toBe(2);
    await page.getByRole('searchbox', { name: 'Search' }).fill('cruzer');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#summary', { hasText: '2 approvals found.' }).waitFor();
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe('/api/approvals.csv?q=cruzer&status=all');
    const before = (await world.publisher.latest())?.version ?? 0;
    await page.getByRole('button', { name: /^Revoke approval of .*4242/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this approval' });
    await dialog.getByLabel('Reason (kept in the register)').fill('Reported lost by agreen');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    expect(await statusSays(page, /^Revoked/)).toMatch(/The PCs block it again once they have the new policy\.$/);
    const revoked = rows(page, '#approval-list').filter({ hasText: 'LIB-PC-01' });
    await revoked.filter({ hasText: 'Reported lost by agreen' }).waitFor();
    expect(await revoked.textContent()).toMatch(new RegExp(`Revoked by ${NAMES['slt-approver']}, .*: Reported lost by agreen`));
    expect(await rows(page, '#approval-list').filter({ hasText: 'SCI-LAB-02' }).textContent()).toContain('Active');
    expect((await world.publisher.latest())?.version).toBe(before + 1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot('approvals-register', page);
    expect(pageFaults(errors)).toEqual([]);
  });

  it('shows the events, the devices seen and, filtered, the idle locks for a spot check', async () => {
    const { page, errors } = await open('slt-approver', '/events');
    expect(await rows(page, '#event-list').count()).toBe(7);
    expect(await rows(page, '#event-list').first().textContent()).toContain('SCI-LAB-02');

    const devices = page.locator('#devices-section');
    const badUsb = rows(page, '#device-list').filter({ hasText: 'USB Flash Disk' });
    expect(await badUsb.textContent()).toMatch(/2 times on ART-PC-03.*Blocked: no rule allows a USB storage device from Generic.*1 request/);
    await devices.scrollIntoViewIfNeeded();
    await screenshot('devices', page, devices);

    await page.getByLabel('Kind of event').selectOption('idle-locked');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#event-list caption', { hasText: '(3 events)' }).waitFor();
    expect(await rows(page, '#event-list').allTextContents()).toEqual([
      expect.stringContaining('SCI-LAB-02'),
      expect.stringContaining('ART-PC-03'),
      expect.stringContaining('STAFFROOM-01'),
    ]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot('events', page, { height: 690 });
    expect(pageFaults(errors)).toEqual([]);
  });

  it("gives the headteacher blocked attempts, decisions by approver and idle locks per PC", async () => {
    const { page, errors } = await open('headteacher', '/reports');
    const report = page.locator('#report');
    const blocked = report.getByRole('table', { name: /Devices blocked/ });
    await blocked.waitFor();
    expect(await blocked.locator('tbody tr').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^ART-PC-03.*USB Flash Disk.*2$/), expect.stringMatching(/^SCI-LAB-02.*Cruzer Blade.*1$/)]));
    expect(await report.getByRole('table', { name: /approved and refused/ }).locator('tbody tr').allTextContents()).toEqual([`${NAMES['slt-approver']}21`]);
    const idle = report.getByRole('table', { name: /locked or logged off/ });
    expect(await idle.textContent()).toContain('STAFFROOM-01');
    expect(await idle.locator('tbody tr').filter({ hasText: 'SCI-LAB-02' }).textContent()).toContain('7 min');
    await screenshot('reports', page);
    expect(pageFaults(errors)).toEqual([]);
  });

  it("gives the DPO a subject access export and the retention period with what it means", async () => {
    const { page, errors } = await open('dpo', '/privacy');
    expect(await page.getByLabel('Keep audit records for (months)').inputValue()).toBe('12');
    expect(await page.locator('#retention-meaning').textContent()).toContain('older than 12 months are deleted for good');
    await page.getByLabel("Member of staff's user name").fill('jsmith');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download export' }).click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as { subject: string; requests: Array<{ status: string }>; auditRecords: unknown[]; notes: string[] };
    expect(exported.subject).toBe('jsmith');
    expect(exported.requests.map((request) => request.status)).toEqual(['approved']);
    expect(exported.auditRecords).toHaveLength(2);
    expect(exported.notes.join(' ')).toContain('never the contents of devices, files, keystrokes or screens');
    expect(await statusSays(page, /downloading/)).toContain('1 request, 2 audit records and 1 approval');
    await screenshot('privacy', page, { height: 780 });
    expect(pageFaults(errors)).toEqual([]);
  });

  it('took every screenshot, and the guide shows only screenshots this test takes', () => {
    expect([...taken].sort()).toEqual([...GUIDE_SCREENSHOTS].sort());
    for (const name of GUIDE_SCREENSHOTS) expect(existsSync(join(SHOTS, `${name}.png`))).toBe(true);
    const guide = readFileSync(GUIDE, 'utf8');
    const images = [...guide.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const name = /^screenshots\/([a-z-]+)\.png$/.exec(image)?.[1];
      expect({ image, takenByThisTest: GUIDE_SCREENSHOTS.includes(name as ScreenshotName) }).toEqual({ image, takenByThisTest: true });
      expect({ image, inDocs: existsSync(join(DOCS, image)) }).toEqual({ image, inDocs: true });
    }
  });
});
