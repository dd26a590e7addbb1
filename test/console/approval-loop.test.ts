/**
 * The proof, end to end: a real agent on a simulated kernel, enrolled with the console server (SQLite), blocks a stick;
 * the member of staff asks for it; SLT signs in in real Chromium and approves it in the dialog; and the stick is authorised
 * within 2 s of the click on Approve.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueuedRequest } from '../../src/agent/request-queue';
import type { RunningAgent } from '../../src/agent/start-agent';
import { AgentStore, createEnrolToken } from '../../src/server/agent-store';
import { consoleSettings } from '../../src/server/console-settings';
import { bootEdgeCases, type FakeUsbKernel } from '../enforce/fake-usb-kernel';
import { startLinkedAgent } from '../support/linked-agent';
import { ready, signInAs, startConsoleWorld, statusSays, type ConsoleWorld } from './console-browser';

async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const HUBS = { id: 'r-hubs', rule: 'allow with-interface match-all { 09:00:* }', reason: 'Hubs' };

let world: ConsoleWorld;
let kernel: FakeUsbKernel;
let cleanupKernel: () => Promise<void>;
let stateDir: string;
let running: RunningAgent | undefined;
let stopKernel: (() => Promise<void>) | undefined;

beforeAll(async () => {
  world = await startConsoleWorld();
  const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await consoleSettings.setTermDates(world.db, [{ name: 'Autumn term', start: day(-20), end: day(40) }]);
  ({ kernel, stateDir: stateDir, cleanup: cleanupKernel } = await bootEdgeCases());
  stopKernel = kernel.runInBackground(5);
});
afterAll(async () => {
  await running?.stop('test over');
  await stopKernel?.();
  await cleanupKernel?.();
  await world?.close();
});

it('blocks a stick, is asked, is approved in the browser and authorises the stick within 2 s of the click', async () => {
  const published = await world.publisher.publishPolicy({ format: 'portcullis-policy/1', mode: 'enforce', implicitTarget: 'block', rules: [HUBS] }, world.users['it-admin'].id);
  expect(published.ok).toBe(true);
  const { token } = await createEnrolToken(new AgentStore({ db: world.db }), world.users['it-admin'].id);
  const server = new URL(world.origin);
  const socketDir = await mkdtemp(join(tmpdir(), 'portcullis-sock-'));
  const linked = await startLinkedAgent({ kernel, stateDir, server, token, socket: join(socketDir, 'agent.sock'), waitUntil });
  running = linked.running;
  const { lines } = linked;
  const agent = linked.running.agent;

  // The stick arrives and is blocked.
  await kernel.attach('1-13', '1-9');
  await waitUntil(() => agent.devices().some((d) => d.device.viaPort === '1-13'), 'the stick decided');
  const stick = agent.devices().find((d) => d.device.viaPort === '1-13');
  expect(stick?.decision).toMatchObject({ target: 'block', implicit: true });
  const authorized = async () => (await readFile(join(await kernel.deviceDir('1-13'), 'authorized'), 'utf8')).trim();
  expect(await authorized()).toBe('0');

  // The member of staff asks for it; the request reaches the server.
  const asked = await agent.requestApproval('1-13', 'Year 11 coursework for moderation', { user: 'jsmith', verified: true }, 30);
  const serverId = async () => (agent.pendingRequests().find((r) => r.id === asked.id) as QueuedRequest | undefined)?.server?.serverId;
  await waitUntil(async () => (await serverId()) !== undefined, 'the request on the server');
  const id = (await serverId()) ?? '';
  expect(await world.db.get('SELECT requester, machine, status FROM approval_requests WHERE id = ?', [id])).toEqual({ requester: 'jsmith', machine: 'ICT-SUITE-07', status: 'pending' });

  // SLT signs in and approves it in the dialog.
  const { page } = await world.newPage();
  await signInAs(page, 'slt-approver', '/requests');
  await ready(page);
  const card = page.locator(`article[data-request-id="${id}"]`);
  expect(await card.textContent()).toContain('Year 11 coursework for moderation');
  await card.getByRole('button', { name: 'Approve…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Approve this device' });
  await dialog.waitFor();
  expect(await dialog.getByLabel('This device only (by its serial number)').isChecked()).toBe(true);
  await dialog.getByLabel('Every school PC').check();
  await dialog.getByLabel('Anyone signed in to those PCs').check();
  const approve = dialog.getByRole('button', { name: 'Approve' });
  const clickedAt = performance.now();
  await approve.click();
  await waitUntil(async () => (await authorized()) === '1', 'the stick authorised', 10_000);
  const elapsedMs = performance.now() - clickedAt;
  expect(await statusSays(page, /^Approved/)).toMatch(/Policy version 2 is on its way to the PCs\.$/);

  // The agent has the new policy, allows the stick by the approval's rule, and knows the request was approved.
  expect(agent.status().policy).toMatch(/^policy v2 signed by/);
  const stickNow = () => agent.devices().find((d) => d.device.viaPort === '1-13');
  await waitUntil(() => stickNow()?.decision.target === 'allow', 'the stick allowed in the agent');
  expect(stickNow()?.decision).toMatchObject({ implicit: false, rule: expect.stringContaining('1234:5678') });
  expect(stickNow()?.enforcement.ok).toBe(true);
  await waitUntil(() => (agent.pendingRequests().find((r) => r.id === asked.id) as QueuedRequest | undefined)?.server?.status === 'approved', 'the approval known on the PC');
  expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  expect(elapsedMs).toBeLessThan(2_000);
  await rm(socketDir, { recursive: true, force: true });
});
