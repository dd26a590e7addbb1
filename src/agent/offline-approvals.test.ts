import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleDevice } from '../../test/support/sample-device';
import { startTestAgent } from '../../test/support/test-agent';
import { issueOfflineCode } from '../server/auth/offline-codes';
import { OfflineCodeRefused } from './agent-service';
import { OfflineApprovals } from './offline-approvals';

const SECRET = Buffer.alloc(32, 7);
const NOW = Date.parse('2026-11-28T10:00:00Z');
const HOUR = 60 * 60_000;
const STICK = sampleDevice();

const codeFor = (counter: number, options: { deviceHash?: string; machineName?: string; hours?: number } = {}) =>
  issueOfflineCode({ secret: SECRET, deviceHash: options.deviceHash ?? STICK.hash, machineName: options.machineName ?? 'ICT-07', expiresAt: NOW + (options.hours ?? 4) * HOUR, counter, now: NOW });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-offline-'));
  await writeFile(join(dir, 'offline-secret'), `${SECRET.toString('base64url')}\n`);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const files = () => ({ secretFile: join(dir, 'offline-secret'), stateFile: join(dir, 'offline-codes.json') });

async function open(machine = 'ICT-07'): Promise<OfflineApprovals> {
  const opened = await OfflineApprovals.open(files(), machine);
  if (!opened.ok || opened.value === undefined) throw new Error(opened.ok ? 'no secret' : opened.error);
  return opened.value;
}

describe('OfflineApprovals', () => {
  it('accepts a code for this device on this PC once, even across a restart, and keeps the file private', async () => {
    const issued = codeFor(3);
    const approvals = await open('ict-07');
    expect(await approvals.accept(STICK, issued.code, 'jsmith', NOW)).toEqual({ ok: true, value: { deviceHash: STICK.hash, counter: 3, expiresAt: issued.expiresAt, user: 'jsmith' } });
    expect(approvals.allowanceFor(STICK, NOW + HOUR)?.user).toBe('jsmith');
    expect(approvals.allowanceFor(STICK, issued.expiresAt)).toBeUndefined();
    expect((await stat(files().stateFile)).mode & 0o777).toBe(0o600);
    const again = await open();
    expect(again.allowanceFor(STICK, NOW)?.counter).toBe(3);
    expect(await again.accept(STICK, issued.code, 'other', NOW)).toEqual({ ok: false, error: 'this code was already used on this PC; each code works once' });
  });

  it('refuses a code for another device, another PC, or past its expiry', async () => {
    const approvals = await open();
    const wrong = /not valid for this device on this PC/;
    expect(await approvals.accept(STICK, codeFor(1, { deviceHash: 'other-hash=' }).code, 'jsmith', NOW)).toEqual({ ok: false, error: expect.stringMatching(wrong) });
    expect(await approvals.accept(STICK, codeFor(2, { machineName: 'LIBRARY-01' }).code, 'jsmith', NOW)).toEqual({ ok: false, error: expect.stringMatching(wrong) });
    expect(await approvals.accept(STICK, codeFor(3, { hours: 1 }).code, 'jsmith', NOW + 2 * HOUR)).toEqual({ ok: false, error: expect.stringMatching(/^this code expired at /) });
    expect(await approvals.accept({ ...STICK, hash: '' }, codeFor(4).code, 'jsmith', NOW)).toEqual({ ok: false, error: expect.stringMatching(/no hash/) });
    expect(approvals.allowanceFor(STICK, NOW)).toBeUndefined();
  });

  it('is absent on a PC that was never enrolled, and names a damaged file', async () => {
    await rm(files().secretFile);
    expect(await OfflineApprovals.open(files(), 'ICT-07')).toEqual({ ok: true, value: undefined });
    await writeFile(files().secretFile, 'c2hvcnQ=\n');
    expect(await OfflineApprovals.open(files(), 'ICT-07')).toEqual({ ok: false, error: `${files().secretFile}: expected the offline-code secret from enrolment (base64, at least 16 bytes)` });
    await writeFile(files().secretFile, SECRET.toString('base64'));
    await writeFile(files().stateFile, '[{"deviceHash": "x", "counter": -1, "expiresAt": 1, "user": "a"}]');
    const damaged = await OfflineApprovals.open(files(), 'ICT-07');
    expect(damaged.ok ? 'opened' : damaged.error).toMatch(new RegExp(`^${files().stateFile}: \\[0\\]\\.counter: `));
    expect(await readFile(files().stateFile, 'utf8')).toContain('"counter": -1');
  });
});

describe('a device let in by a code', () => {
  it('stops watching the code once SLT approve the device for good', async () => {
    let now = NOW;
    const issued = codeFor(11, { hours: 1 });
    const { agent, enforcer } = await startTestAgent({ dir, rules: '', present: [STICK], clock: () => new Date(now), offlineCodes: await open() });
    await agent.start();
    await agent.useOfflineCode('1-2', issued.code, { user: 'jsmith' });
    await writeFile(join(dir, 'rules.conf'), `allow id 0781:5567 serial "${STICK.serial}"\n`);
    await agent.reloadPolicy();
    expect(enforcer.applied.map((a) => a.plan.target)).toEqual(['block', 'allow', 'allow']);
    now = issued.expiresAt + 1;
    await agent.reloadPolicyIfStale();
    await agent.reloadPolicyIfStale();
    // Past the code's expiry the policy still allows it, and nothing is decided again.
    expect(enforcer.applied).toHaveLength(3);
  });

  it('is allowed until the code expires, then blocked again; a PC without codes says so', async () => {
    let now = NOW;
    const issued = codeFor(9, { hours: 1 });
    const { agent, enforcer } = await startTestAgent({ dir, rules: 'allow with-interface equals { 09:00:* }\n', present: [STICK], clock: () => new Date(now), offlineCodes: await open() });
    await agent.start();
    expect(enforcer.applied.map((a) => a.plan.target)).toEqual(['block']);
    await expect(agent.useOfflineCode('0781:5567', issued.code, { user: 'jsmith' })).resolves.toMatchObject({ expiresAt: issued.expiresAt });
    expect(enforcer.applied.map((a) => a.plan.target)).toEqual(['block', 'allow']);
    expect(agent.devices()[0]?.decision.reason).toMatch(/^allowed until .* by a one-time code from SLT, typed by jsmith$/);
    now = issued.expiresAt - 1;
    await agent.reloadPolicyIfStale();
    expect(enforcer.applied).toHaveLength(2);
    now = issued.expiresAt;
    await agent.reloadPolicyIfStale();
    expect(enforcer.applied.map((a) => a.plan.target)).toEqual(['block', 'allow', 'block']);
    await expect(agent.useOfflineCode('9-9', issued.code, { user: 'jsmith' })).rejects.toEqual(new OfflineCodeRefused(404, "no device '9-9' is attached (give its port such as 1-2, its id such as 0781:5567, or its hash)"));

    const plain = await startTestAgent({ dir: await mkdtemp(join(tmpdir(), 'portcullis-plain-')), rules: '', present: [STICK] });
    await plain.agent.start();
    await expect(plain.agent.useOfflineCode('1-2', issued.code, { user: 'jsmith' })).rejects.toMatchObject({ status: 409 });
  });
});
