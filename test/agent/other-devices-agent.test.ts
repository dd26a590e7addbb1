import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtherDevicesAgent } from '../../src/agent/other-devices-agent';
import { AuditLog } from '../../src/audit/audit-log';
import type { OtherDevice } from '../../src/devices/other-devices/other-device';
import type { OtherDeviceEnforcer } from '../../src/enforce/other-device-enforcer';
import type { OtherDevicePolicy } from '../../src/policy/other-device-policy';
import { createLogger } from '../../src/util/logger';

const sdCard: OtherDevice = { bus: 'block', key: 'SD-0xa1b2c3d4', name: 'EOS_DIGITAL', details: { device: '/dev/mmcblk0', transport: 'sd', serial: '0xa1b2c3d4' }, removable: true };
const phone: OtherDevice = { bus: 'bluetooth', key: '11:22:33:44:55:66', name: "Sam's phone", details: {}, removable: true };

class ManualOtherWatcher {
  added: (d: OtherDevice) => void = () => undefined;
  removed: (d: OtherDevice) => void = () => undefined;
  constructor(private readonly present: OtherDevice[]) {}
  onAdded(l: (d: OtherDevice) => void) {
    this.added = l;
    return () => undefined;
  }
  onRemoved(l: (d: OtherDevice) => void) {
    this.removed = l;
    return () => undefined;
  }
  onInventory() {
    return () => undefined;
  }
  async start() {
    return this.present;
  }
  async stop() {}
}

let dir: string;
let applied: string[];
const enforcer: OtherDeviceEnforcer = {
  name: 'recording',
  apply: async (device, target) => {
    applied.push(`${device.key}=${target}`);
    return { ok: true, detail: target };
  },
  recheck: async () => [],
};

async function run(mode: 'enforce' | 'audit', document?: OtherDevicePolicy): Promise<{ watcher: ManualOtherWatcher; agent: OtherDevicesAgent; audit: AuditLog }> {
  const clock = () => new Date('2026-11-28T10:00:00Z');
  const audit = await AuditLog.open(join(dir, 'audit.jsonl'), { machine: 'ICT-07', clock });
  const watcher = new ManualOtherWatcher([sdCard]);
  const agent = new OtherDevicesAgent({ watcher, enforcer, policy: () => ({ document, mode, context: { machine: 'ICT-07', groups: [] } }), audit, clock, logger: createLogger('test', { write: () => true }) });
  await agent.start();
  return { watcher, agent, audit };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'other-agent-'));
  applied = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const events = async () => (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: { type: string; device?: { id: string; bus: string }; target?: string } });

describe('OtherDevicesAgent', () => {
  it('blocks an SD card present at start and a Bluetooth phone paired later, by default, and audits both', async () => {
    const { watcher, agent } = await run('enforce');
    watcher.added(phone);
    await agent.stop();
    expect(applied).toEqual(['SD-0xa1b2c3d4=block', '11:22:33:44:55:66=block']);
    const decided = (await events()).filter((r) => r.event.type === 'device-decided');
    expect(decided.map((r) => [r.event.device?.bus, r.event.device?.id, r.event.target])).toEqual([
      ['block', 'SD-0xa1b2c3d4', 'block'],
      ['bluetooth', '11:22:33:44:55:66', 'block'],
    ]);
  });

  it('allows what SLT approved in the policy', async () => {
    const document: OtherDevicePolicy = {
      version: 4,
      otherDevices: { block: { approvals: [{ id: 'oa-1', match: { key: 'SD-0xa1b2c3d4' }, target: 'allow', approvedBy: 'A. Head', reason: 'Photography GCSE camera card' }] } },
    };
    const { agent } = await run('enforce', document);
    await agent.stop();
    expect(applied).toEqual(['SD-0xa1b2c3d4=allow']);
    expect(agent.decisionFor(sdCard)?.reason).toMatch(/A\. Head/);
  });

  it('changes nothing in audit mode but still records the decision', async () => {
    const { watcher, agent } = await run('audit');
    watcher.removed(sdCard);
    await agent.stop();
    expect(applied).toEqual([]);
    expect((await events()).map((r) => r.event.type)).toEqual(['device-arrived', 'device-decided', 'device-enforced', 'device-removed']);
  });
});
