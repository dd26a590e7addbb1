/** An AgentService wired to a real policy, audit log and request queue, with a recording enforcer and a watcher the test drives. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentService, type DeviceWatcherPort, type OfflineCodesPort } from '../../src/agent/agent-service';
import { AgentPolicy } from '../../src/agent/agent-policy';
import { parseAgentConfig } from '../../src/agent/agent-config';
import { RequestQueue } from '../../src/agent/request-queue';
import { AuditLog } from '../../src/audit/audit-log';
import type { Device } from '../../src/devices/device';
import type { Enforcer, EnforcementPlan } from '../../src/enforce/enforcer';
import { createLogger } from '../../src/util/logger';

/** Records what it is asked to do, as an enforcer that always succeeds. */
export class RecordingEnforcer implements Enforcer {
  readonly name = 'recording';
  readonly applied: { port: string; plan: EnforcementPlan }[] = [];
  prepared = 0;
  async prepare() {
    this.prepared += 1;
    return { ok: true as const, detail: 'prepared' };
  }
  async apply(device: Device, plan: EnforcementPlan) {
    this.applied.push({ port: device.viaPort, plan });
    return { ok: true as const, detail: `${plan.target} ${device.viaPort}` };
  }
  async restoreDefaults() {
    return { ok: true as const, detail: 'restored' };
  }
}

/** Devices arrive and leave when the test says so. */
export class ManualWatcher implements DeviceWatcherPort {
  added: (d: Device) => void = () => undefined;
  removed: (port: string) => void = () => undefined;
  constructor(private readonly initial: Device[]) {}
  async start(onAdded: (d: Device) => void, onRemoved: (port: string) => void) {
    this.added = onAdded;
    this.removed = onRemoved;
    return this.initial;
  }
  stop() {}
}

export interface TestAgent {
  agent: AgentService;
  enforcer: RecordingEnforcer;
  watcher: ManualWatcher;
}

/** Builds (does not start) an agent whose rules file, audit log and state live in `dir`. */
export async function startTestAgent(options: { dir: string; rules: string; mode?: 'enforce' | 'audit'; present?: Device[]; clock?: () => Date; offlineCodes?: OfflineCodesPort }): Promise<TestAgent> {
  const { dir } = options;
  const clock = options.clock ?? (() => new Date('2026-11-28T10:00:00Z'));
  await writeFile(join(dir, 'rules.conf'), options.rules);
  const config = parseAgentConfig({ rules: join(dir, 'rules.conf'), stateDir: dir, mode: options.mode ?? 'enforce' }, 'test');
  if (!config.ok) throw new Error(config.error);
  const enforcer = new RecordingEnforcer();
  const watcher = new ManualWatcher(options.present ?? []);
  const agent = new AgentService({
    machine: 'ICT-07',
    version: 'test',
    policy: new AgentPolicy(config.value, () => ({ machine: 'ICT-07', user: 'jsmith', groups: [] }), clock),
    enforcerFor: () => enforcer,
    watcher,
    audit: await AuditLog.open(join(dir, 'audit.jsonl'), { machine: 'ICT-07', clock }),
    requests: await RequestQueue.open(dir),
    clock,
    random: () => 0.5,
    currentUser: () => 'jsmith',
    ...(options.offlineCodes === undefined ? {} : { offlineCodes: options.offlineCodes }),
    logger: createLogger('test', { write: () => true }),
  });
  return { agent, enforcer, watcher };
}
