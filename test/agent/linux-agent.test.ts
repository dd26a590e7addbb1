/**
 * The whole Linux agent, as `portcullis agent` builds it, on a recorded device tree whose kernel
 * side is simulated: devices plugged in after start are decided, enforced and audited.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAgentConfig } from '../../src/agent/agent-config';
import { startAgent, type RunningAgent } from '../../src/agent/start-agent';
import { callAgent } from '../../src/agent/local-api-client';
import type { AgentStatus } from '../../src/agent/agent-service';
import { verifyAuditFiles } from '../../src/audit/verify-audit';
import { createLogger } from '../../src/util/logger';
import { bootEdgeCases, type FakeUsbKernel } from '../enforce/fake-usb-kernel';

let kernel: FakeUsbKernel;
let stateDir: string;
let cleanup: () => Promise<void>;
let running: RunningAgent;
let stopKernel: () => Promise<void>;

const read = (file: string) => readFile(file, 'utf8').then((t) => t.trim());

/** Waits (bounded) until `check` holds; the simulated kernel and the agent's poll run meanwhile. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seen = running.agent.devices().map((d) => ({ port: d.device.viaPort, target: d.decision.target, enforcement: d.enforcement }));
  throw new Error(`never happened: ${what}; the agent saw ${JSON.stringify(seen)}`);
}

beforeAll(async () => {
  ({ kernel, stateDir, cleanup } = await bootEdgeCases());
  stopKernel = kernel.runInBackground();
  await writeFile(join(stateDir, 'rules.conf'), 'allow with-interface match-all { 09:00:* }\nallow id 1234:5678 serial "ABC123"\n');
  const config = parseAgentConfig(
    { sysfsRoot: kernel.sysfsRoot, rules: join(stateDir, 'rules.conf'), auditLog: join(stateDir, 'audit.jsonl'), socket: join(stateDir, 'agent.sock'), stateDir, pollIntervalMs: 50 },
    'test',
  );
  if (!config.ok) throw new Error(config.error);
  running = await startAgent(config.value, { version: 'test', platform: 'linux', logger: createLogger('test', { write: () => true }) });
});
afterAll(async () => {
  await running.stop('test over');
  await stopKernel();
  await cleanup();
});

const authorized = async (port: string) => read(join(await kernel.deviceDir(port), 'authorized'));

describe('the Linux agent on a simulated kernel', () => {
  it('makes new devices wait for a decision on every root hub', async () => {
    for (const hub of ['usb1', 'usb2']) {
      expect(await read(join(await kernel.deviceDir(hub), 'authorized_default'))).toBe('0');
      expect(await read(join(await kernel.deviceDir(hub), 'interface_authorized_default'))).toBe('0');
    }
  });

  it('leaves an unapproved stick plugged in after start without a driver', async () => {
    await kernel.attach('1-13', '1-9');
    await eventually(async () => (await callAgent<AgentStatus>({ socketPath: join(stateDir, 'agent.sock') }, 'GET', '/v1/status')).ok, 'the local API answering');
    await eventually(async () => running.agent.devices().some((d) => d.device.viaPort === '1-13'), 'the agent deciding about 1-13');
    expect(await authorized('1-13')).toBe('0');
  });

  it('gives an approved stick its storage but not its keyboard', async () => {
    const dir = await kernel.attach('1-14', '1-1');
    await eventually(async () => (await kernel.interfaceState('1-14:1.0')).driver === 'usb-storage', 'usb-storage bound to the approved stick');
    expect(await read(join(dir, 'authorized'))).toBe('1');
    expect(await kernel.interfaceState('1-14:1.1')).toEqual({ authorized: '0', driver: undefined });
  });

  it('keeps an audit chain that verifies', async () => {
    await running.agent.idle();
    const verified = await verifyAuditFiles([join(stateDir, 'audit.jsonl')]);
    expect(verified.ok).toBe(true);
  });
});
