import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devicesCommand } from '../../src/cli/commands/devices';
import { UsageError } from '../../src/cli/command';
import { signPolicyDocument } from '../../src/policy/policy-signing';
import { makeTestKeys, sampleJson } from '../support/policy-fixtures';
import { runCommand } from '../support/run-command';
import { loadUmockdevTree, type UmockdevTree } from '../support/umockdev-tree';

let tree: UmockdevTree;
let dir: string;
beforeAll(async () => {
  tree = await loadUmockdevTree(join(__dirname, '../fixtures/umockdev/devices.umockdev'));
  dir = await mkdtemp(join(tmpdir(), 'portcullis-devices-'));
});
afterAll(async () => {
  await tree.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const devices = (...args: string[]) => runCommand(devicesCommand, ['--sysfs-root', tree.sysfsRoot, ...args]);

describe('portcullis devices', () => {
  it('shows each device with kind, decision and reason under the built-in default policy', async () => {
    const run = await devices();
    expect(run.status).toBe(0);
    expect(run.out).toMatch(/^Policy: <built-in default policy>\n/);
    const camera = run.out.split('\n').find((line) => line.includes('Integrated Camera'));
    expect(camera).toMatch(/^video\s+Integrated Camera\s+5986:0706\s+1-8\s+block\s+blocked: no rule allows a video device from SunplusIT Inc$/);
    const keyboard = run.out.split('\n').find((line) => line.includes('Ergo Pro Keyboard'));
    expect(keyboard).toMatch(/keyboard\s+Ergo Pro Keyboard\s+1111:1111\s+1-4\.1\.3\s+allow\s+allowed by <built-in default policy>:5$/);
  });

  it('prints devices and decisions as JSON', async () => {
    const run = await devices('--format', 'json');
    const listed = JSON.parse(run.out) as { device: { viaPort: string; hash: string }; decision: { target: string } }[];
    expect(listed.map((l) => `${l.device.viaPort}=${l.decision.target}`)).toEqual(['usb1=allow', '1-4=allow', '1-8=block', '1-4.1=allow', '1-4.2=allow', '1-4.4=allow', '1-4.1.3=allow']);
    expect(listed[0]?.device.hash).toBe('jEP/6WzviqdJ5VSeTUY8PatCNBKeaREvo2OqdplND/o=');
  });

  it('refuses a rules file with errors and names line and column', async () => {
    const rules = join(dir, 'bad.rules');
    await writeFile(rules, 'allow id 1d6b:0002\nallow with-interface 9:00:00\n');
    const run = await devices('--rules', rules);
    expect(run.status).toBe(1);
    expect(run.err).toMatch(new RegExp(`^${rules.replace(/[/.]/g, '\\$&')}:2:\\d+: expected`));
    expect(run.out).toBe('');
  });

  it('decides by a signed policy and refuses one signed by an untrusted key', async () => {
    const keys = makeTestKeys();
    const signed = signPolicyDocument(sampleJson({ rules: [{ id: 'r-cam', rule: 'allow id 5986:0706', approvedBy: 'SLT', reason: 'Video calls' }] }), 'policy.json', keys.signing);
    if (!signed.ok) throw new Error(signed.error);
    const policy = join(dir, 'policy.signed.json');
    const trusted = join(dir, 'trusted.pub');
    const stranger = join(dir, 'stranger.pub');
    await writeFile(policy, signed.value.envelopeText);
    await writeFile(trusted, keys.publicKeyPem);
    await writeFile(stranger, makeTestKeys().publicKeyPem);

    const run = await devices('--policy', policy, '--trust-key', trusted);
    expect(run.status).toBe(0);
    expect(run.out).toMatch(/Integrated Camera .* allow\s+allowed by policy v3, rule r-cam \(approved by SLT, "Video calls"\)/);

    const refused = await devices('--policy', policy, '--trust-key', stranger);
    expect(refused.status).toBe(1);
    expect(refused.err).toMatch(/key/i);
  });

  it.each([
    [['--format', 'xml'], /--format must be one of table, json, usbguard/],
    [['--rules', 'a', '--policy', 'b'], /not both/],
    [['--bogus'], /bogus/],
  ])('rejects %j as bad usage', async (args, message) => {
    await expect(devices(...args)).rejects.toThrow(UsageError);
    await expect(devices(...args)).rejects.toThrow(message);
  });
});
