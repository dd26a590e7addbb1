import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentService } from '../../src/agent/agent-service';
import { RequestQueue } from '../../src/agent/request-queue';
import type { AgentEvent } from '../../src/agent/agent-events';
import { verifyAuditFiles } from '../../src/audit/verify-audit';
import type { Device } from '../../src/devices/device';
import { startTestAgent, type ManualWatcher, type RecordingEnforcer } from '../support/test-agent';
import { sampleDevice } from '../support/sample-device';

const keyboard = sampleDevice({ viaPort: '1-1', id: { vendor: '046d', product: 'c31c' }, name: 'USB Keyboard', kind: 'keyboard', serial: '', interfaces: [{ classCode: 3, subclass: 1, protocol: 1 }], authorized: true });
const approvedStick = sampleDevice({ viaPort: '1-2', serial: 'APPROVED1' });
const otherStick = sampleDevice({ viaPort: '1-3', serial: 'STRANGER', hash: 'other-hash' });
const trojanStick = sampleDevice({ viaPort: '1-4', serial: 'APPROVED2', interfaces: [{ classCode: 8, subclass: 6, protocol: 0x50 }, { classCode: 3, subclass: 1, protocol: 1 }], warnings: ['this USB storage device also presents itself as a keyboard'] });

let dir: string;
let enforcer: RecordingEnforcer;
let watcher: ManualWatcher;
let agent: AgentService;
let events: AgentEvent[];

async function startAgent(rules: string, mode: 'enforce' | 'audit' = 'enforce', present: Device[] = [keyboard]): Promise<void> {
  ({ agent, enforcer, watcher } = await startTestAgent({ dir, rules, mode, present }));
  events = [];
  agent.subscribe((e) => events.push(e));
  await agent.start();
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-service-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function auditTypes(): Promise<string[]> {
  const text = await readFile(join(dir, 'audit.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => (JSON.parse(line) as { event: { type: string } }).event.type);
}

describe('AgentService', () => {
  it('prepares the platform, then applies the policy to the devices present at start', async () => {
    await startAgent('allow with-interface match-all { 03:*:* }\n');
    expect(enforcer.prepared).toBe(1);
    expect(enforcer.applied).toEqual([{ port: '1-1', plan: { target: 'allow', blockedInterfaces: [] } }]);
    expect(agent.status()).toMatchObject({ machine: 'ICT-07', mode: 'enforce', enforcer: 'recording', devices: 1, blocked: 0 });
  });

  it('decides, enforces and audits each device that arrives, in that order', async () => {
    await startAgent('allow id 0781:5567 serial "APPROVED1"\n');
    watcher.added(approvedStick);
    watcher.added(otherStick);
    await agent.idle();
    expect(enforcer.applied.map((a) => `${a.port}=${a.plan.target}`)).toEqual(['1-1=allow', '1-2=allow', '1-3=block']);
    expect(agent.devices().find((d) => d.device.viaPort === '1-3')?.decision.reason).toBe('blocked: no rule allows a USB storage device from SanDisk');
    expect(await auditTypes()).toEqual([
      'policy-loaded', 'service-started',
      'device-arrived', 'device-decided', 'device-enforced',
      'device-arrived', 'device-decided', 'device-enforced',
      'device-arrived', 'device-decided', 'device-enforced',
    ]);
    expect((await verifyAuditFiles([join(dir, 'audit.jsonl')])).ok).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['device-added', 'device-added', 'device-added']);
  });

  it('keeps the storage of an approved stick and takes away its keyboard', async () => {
    await startAgent('allow id 0781:5567 serial "APPROVED2"\n');
    watcher.added(trojanStick);
    await agent.idle();
    expect(enforcer.applied.at(-1)).toEqual({ port: '1-4', plan: { target: 'allow', blockedInterfaces: [{ classCode: 3, subclass: 1, protocol: 1 }] } });
  });

  it('records a removed device and forgets it', async () => {
    await startAgent('');
    watcher.added(otherStick);
    watcher.removed('1-3');
    await agent.idle();
    expect(agent.devices().map((d) => d.device.viaPort)).toEqual(['1-1']);
    expect((await auditTypes()).at(-1)).toBe('device-removed');
  });

  it('re-applies a changed policy to present devices', async () => {
    await startAgent('');
    watcher.added(approvedStick);
    await agent.idle();
    expect(enforcer.applied.at(-1)?.plan.target).toBe('block');
    await writeFile(join(dir, 'rules.conf'), 'allow serial "APPROVED1"\n');
    await agent.reloadPolicy();
    expect(enforcer.applied.filter((a) => a.port === '1-2').map((a) => a.plan.target)).toEqual(['block', 'allow']);
    expect(events.some((e) => e.type === 'policy-changed')).toBe(true);
  });

  it('re-applies first the devices whose enforcement a changed policy changes, then the others', async () => {
    await startAgent('allow with-interface match-all { 03:*:* }\n');
    watcher.added(otherStick);
    watcher.added(approvedStick);
    await agent.idle();
    const before = enforcer.applied.length;
    await writeFile(join(dir, 'rules.conf'), 'allow with-interface match-all { 03:*:* }\nallow serial "APPROVED1"\n');
    await agent.reloadPolicy();
    expect(enforcer.applied.slice(before).map((a) => `${a.port}=${a.plan.target}`)).toEqual(['1-2=allow', '1-1=allow', '1-3=block']);
    expect(agent.devices().map((d) => `${d.device.viaPort}=${d.decision.target}`).sort()).toEqual(['1-1=allow', '1-2=allow', '1-3=block']);
  });

  it('keeps the last good rules when the file goes bad, and audits the refusal', async () => {
    await startAgent('allow serial "APPROVED1"\n');
    await writeFile(join(dir, 'rules.conf'), 'allow serial APPROVED1\n');
    await agent.reloadPolicy();
    watcher.added(approvedStick);
    await agent.idle();
    expect(enforcer.applied.at(-1)).toMatchObject({ port: '1-2', plan: { target: 'allow' } });
    expect(await auditTypes()).toContain('policy-refused');
  });

  it('queues an approval request for a present device and audits it', async () => {
    await startAgent('');
    watcher.added(otherStick);
    await agent.idle();
    const request = await agent.requestApproval('1-3', 'Year 11 coursework photos', { user: 'jsmith', verified: true }, 30);
    expect(request).toMatchObject({ viaPort: '1-3', user: 'jsmith', userVerified: true, machine: 'ICT-07', status: 'pending', device: { serial: 'STRANGER' } });
    expect(agent.pendingRequests()).toHaveLength(1);
    expect((await RequestQueue.open(dir)).pending()).toHaveLength(1);
    await expect(agent.requestApproval('9-9', 'x', { user: 'jsmith', verified: true }, 1)).rejects.toThrow(/no device '9-9' is attached/);
  });
});
