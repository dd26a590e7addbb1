/**
 * Decisions against USBGuard's own daemon: for each scenario rules file, `portcullis devices
 * --format usbguard` must print what `usbguard list-devices` printed with usbguard-daemon
 * running those rules over the same recorded devices.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devicesCommand } from '../../src/cli/commands/devices';
import { runCommand } from '../support/run-command';
import { loadUmockdevTree, type UmockdevTree } from '../support/umockdev-tree';

const SCENARIOS = join(__dirname, '../fixtures/usbguard-daemon');
const RECORDING = join(__dirname, '../fixtures/umockdev/devices.umockdev');
const scenarios = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.rules'))
  .map((f) => f.slice(0, -'.rules'.length));

const daemonAvailable = ['usbguard-daemon', 'usbguard', 'umockdev-run'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0) && process.getuid?.() === 0;

let tree: UmockdevTree;
beforeAll(async () => {
  tree = await loadUmockdevTree(RECORDING);
});
afterAll(() => tree.cleanup());

async function portcullisList(scenario: string): Promise<string> {
  const run = await runCommand(devicesCommand, ['--sysfs-root', tree.sysfsRoot, '--rules', join(SCENARIOS, `${scenario}.rules`), '--format', 'usbguard']);
  expect(run.err).toBe('');
  expect(run.status).toBe(0);
  return run.out;
}

describe('decisions as recorded from usbguard-daemon', () => {
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(6));

  it.each(scenarios)('%s', async (scenario) => {
    expect(await portcullisList(scenario)).toBe(readFileSync(join(SCENARIOS, `${scenario}.list-devices`), 'utf8'));
  });
});

describe('decisions against the live usbguard-daemon', () => {
  if (!daemonAvailable) {
    it('needs usbguard-daemon, umockdev and root (CI has them)', () => {
      expect(process.env.CI).toBeUndefined();
    });
    return;
  }
  let live: string;
  beforeAll(() => {
    live = mkdtempSync(join(tmpdir(), 'portcullis-daemon-'));
    const record = spawnSync(join(SCENARIOS, 'record-expected.sh'), [live], { encoding: 'utf8', timeout: 120_000 });
    if (record.status !== 0) throw new Error(`record-expected.sh failed: ${record.stderr}`);
  }, 150_000);
  afterAll(() => rmSync(live, { recursive: true, force: true }));

  it.each(scenarios)('%s', async (scenario) => {
    expect(await portcullisList(scenario)).toBe(readFileSync(join(live, `${scenario}.list-devices`), 'utf8'));
  });
});
