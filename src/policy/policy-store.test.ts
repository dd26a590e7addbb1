import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../util/logger';
import type { PolicyDocument } from './policy-document';
import { makeTestKeys, sampleJson } from '../../test/support/policy-fixtures';
import type { TrustedKey } from './policy-keys';
import { signPolicyDocument } from './policy-signing';
import { POLICY_FILE, PolicyStore, STATE_FILE } from './policy-store';

const keys = makeTestKeys();
const otherKeys = makeTestKeys();
const clock = (): Date => new Date('2026-05-01T08:00:00Z');
const silent = createLogger('test', { write: () => undefined });
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function envelope(version: number, overrides: Partial<PolicyDocument> = {}, signing = keys.signing): string {
  const result = signPolicyDocument(sampleJson({ version, ...overrides }), 'p.json', signing);
  if (!result.ok) throw new Error(result.error);
  return result.value.envelopeText;
}

function store(trustedKeys: TrustedKey[] = [keys.trusted], stateDir = dir): PolicyStore {
  return new PolicyStore({ stateDir, trustedKeys, clock, logger: silent });
}

async function restarted(): Promise<PolicyStore> {
  const fresh = store();
  await fresh.load();
  return fresh;
}

describe('PolicyStore', () => {
  it('starts empty, accepts a good policy, saves it atomically and has it after a restart', async () => {
    const first = store();
    expect(await first.load()).toEqual({ status: 'empty' });
    expect(first.current()).toBeUndefined();
    const accepted = await first.offer(envelope(3), 'https://console/policy');
    expect(accepted.ok && accepted.value.status).toBe('accepted');
    expect(first.current()?.document.version).toBe(3);
    expect(await readFile(join(dir, POLICY_FILE), 'utf8')).toBe(envelope(3));
    expect(JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'))).toEqual({
      format: 'portcullis-policy-state/1',
      highestVersion: 3,
      documentSha256: first.current()?.documentSha256,
      acceptedAt: '2026-05-01T08:00:00.000Z',
      source: 'https://console/policy',
    });
    const second = store();
    expect(await second.load()).toEqual({ status: 'loaded', policy: first.current() });
    expect(second.highestVersion()).toBe(3);
  });

  it('loads on its own if offered a policy before load()', async () => {
    const early = store();
    expect((await early.offer(envelope(1), 'push')).ok).toBe(true);
  });

  it('the same policy offered again is a no-op', async () => {
    const s = store();
    await s.offer(envelope(3), 'push');
    const again = await s.offer(envelope(3), 'push again');
    expect(again.ok && again.value.status).toBe('unchanged');
  });

  it('refuses replays across a restart', async () => {
    await store().offer(envelope(5), 'push');
    const s = await restarted();
    const older = await s.offer(envelope(4), 'usb');
    expect(!older.ok && older.error).toEqual({ code: 'replay', message: expect.stringContaining('usb: version 4 is older than version 5') });
    const sameVersionOtherContent = await s.offer(envelope(5, { mode: 'audit' }), 'usb');
    expect(!sameVersionOtherContent.ok && sameVersionOtherContent.error.code).toBe('replay');
    expect(s.current()?.document.mode).toBe('enforce');
  });

  it('a refused offer leaves the last good policy in force, in memory and on disk', async () => {
    const s = store();
    await s.offer(envelope(3), 'push');
    const tampered = JSON.parse(envelope(4)) as Record<string, string>;
    tampered.document = (tampered.document ?? '').replace('"block"', '"allow"');
    const refused = await s.offer(JSON.stringify(tampered), 'push');
    expect(!refused.ok && refused.error.code).toBe('bad-signature');
    const unknown = await s.offer(envelope(6, {}, otherKeys.signing), 'push');
    expect(!unknown.ok && unknown.error.code).toBe('unknown-key');
    expect((await s.offer('garbage', 'push')).ok).toBe(false);
    expect(s.current()?.document.version).toBe(3);
    expect(s.highestVersion()).toBe(3);
    expect(await readFile(join(dir, POLICY_FILE), 'utf8')).toBe(envelope(3));
    expect((await restarted()).current()?.document.version).toBe(3);
  });

  it('a corrupt policy file gives a clear error and no policy, and a good offer recovers', async () => {
    await store().offer(envelope(3), 'push');
    await writeFile(join(dir, POLICY_FILE), '{"format": "portcullis-signed-po');
    const s = store();
    const loaded = await s.load();
    expect(loaded).toEqual({ status: 'failed', error: expect.stringContaining(`the stored policy is not usable: ${join(dir, POLICY_FILE)}: not a signed policy: not valid JSON`) });
    expect(s.current()).toBeUndefined();
    expect(s.highestVersion()).toBe(3);
    expect((await s.offer(envelope(2), 'push')).ok).toBe(false);
    expect((await s.offer(envelope(3), 'push')).ok).toBe(true);
    expect(s.current()?.document.version).toBe(3);
  });

  it('a corrupt state file beside a good policy: loaded, with a warning, and repaired', async () => {
    await store().offer(envelope(4), 'push');
    await writeFile(join(dir, STATE_FILE), 'not json');
    const s = store();
    const loaded = await s.load();
    expect(loaded).toEqual({ status: 'loaded', policy: expect.anything(), warning: expect.stringContaining('damaged (not valid JSON); the highest version was taken from the stored policy') });
    expect(s.highestVersion()).toBe(4);
    expect(JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'))).toMatchObject({ highestVersion: 4 });
  });

  it('a state file with the wrong shape is reported by field', async () => {
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ format: 'portcullis-policy-state/1', highestVersion: 'seven' }));
    expect(await store().load()).toEqual({ status: 'failed', error: expect.stringContaining(`${join(dir, STATE_FILE)}: highestVersion: expected a number, got a string`) });
  });

  it('a policy file older than the recorded highest version is refused on load (rolled back)', async () => {
    const s = store();
    await s.offer(envelope(5), 'push');
    await s.offer(envelope(7), 'push');
    await writeFile(join(dir, POLICY_FILE), envelope(5));
    const again = store();
    expect(await again.load()).toEqual({ status: 'failed', error: expect.stringContaining('version 5 is older than version 7') });
    expect(again.current()).toBeUndefined();
  });

  it('a lost policy file does not reopen replays', async () => {
    await store().offer(envelope(5), 'push');
    await rm(join(dir, POLICY_FILE));
    const s = store();
    expect(await s.load()).toEqual({ status: 'empty' });
    expect((await s.offer(envelope(4), 'push')).ok).toBe(false);
    expect((await s.offer(envelope(5), 'push')).ok).toBe(true);
  });

  it('a crash between writing the policy and the state file is repaired on load', async () => {
    await store().offer(envelope(3), 'push');
    await writeFile(join(dir, POLICY_FILE), envelope(4));
    const s = store();
    expect((await s.load()).status).toBe('loaded');
    expect(s.highestVersion()).toBe(4);
    expect(JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'))).toMatchObject({ highestVersion: 4 });
  });

  it('a state file that cannot be written does not stop a good policy; the version is still guarded', async () => {
    await mkdir(join(dir, STATE_FILE));
    const s = store();
    expect(await s.load()).toEqual({ status: 'failed', error: expect.stringContaining('cannot read (EISDIR)') });
    const accepted = await s.offer(envelope(4), 'push');
    expect(accepted.ok && accepted.value.status).toBe('accepted');
    expect(s.highestVersion()).toBe(4);
    expect((await s.offer(envelope(3), 'push')).ok).toBe(false);
  });

  it('a stored policy from a key no longer trusted is not used', async () => {
    await store().offer(envelope(3), 'push');
    const rotated = store([otherKeys.trusted]);
    expect(await rotated.load()).toEqual({ status: 'failed', error: expect.stringContaining('which is not a trusted key') });
    expect((await rotated.offer(envelope(4, {}, otherKeys.signing), 'push')).ok).toBe(true);
  });

  it('concurrent offers run one at a time, in order', async () => {
    const s = store();
    const [newer, older] = await Promise.all([s.offer(envelope(9), 'a'), s.offer(envelope(8), 'b')]);
    expect(newer.ok).toBe(true);
    expect(!older.ok && older.error.code).toBe('replay');
    expect(s.current()?.document.version).toBe(9);
  });

  it('an unreadable state directory is an error, not a crash, and nothing is accepted without saving', async () => {
    const notADirectory = join(dir, 'file');
    await writeFile(notADirectory, '');
    const s = store([keys.trusted], join(notADirectory, 'state'));
    expect(await s.load()).toEqual({ status: 'failed', error: expect.stringContaining('cannot read (ENOTDIR)') });
    const offered = await s.offer(envelope(3), 'push');
    expect(!offered.ok && offered.error).toEqual({ code: 'not-saved', message: expect.stringMatching(/^push: verified, but could not be saved/) });
    expect(s.current()).toBeUndefined();
  });
});
