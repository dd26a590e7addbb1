/** Builds the agent service for a Linux PC from its config: sysfs watcher, sysfs enforcement, audit log, local API. */
import { hostname } from 'node:os';
import { AuditLog } from '../audit/audit-log';
import { DailyRetention } from './daily-retention';
import { LinuxSysfsSource } from '../devices/linux-sysfs-source';
import { systemScheduler } from '../devices/scheduler';
import { openUsbHotplug, SYSFS_ROOT } from '../devices/usb-hotplug';
import { otherDeviceSources } from '../devices/other-devices/other-device-sources';
import { OtherDeviceWatcher } from '../devices/other-devices/other-device-watcher';
import { LinuxOtherDeviceEnforcer } from '../enforce/linux-other-enforcer';
import { runCommand } from '../util/command-runner';
import { OtherDevicesAgent } from './other-devices-agent';
import { UsbWatcher } from '../devices/usb-watcher';
import { AuditOnlyEnforcer } from '../enforce/audit-only-enforcer';
import { LinuxSysfsEnforcer } from '../enforce/linux-sysfs-enforcer';
import { LinuxSysfsPreview } from '../enforce/linux-sysfs-preview';
import type { Logger } from '../util/logger';
import type { AgentConfig } from './agent-config';
import { AgentPolicy } from './agent-policy';
import { AgentService, type DeviceWatcherPort } from './agent-service';
import { LocalApi } from './local-api';
import { RequestQueue } from './request-queue';
import { activeSessionUser, SessionUserCache } from './session-user';

export interface RunningAgent {
  agent: AgentService;
  /** Re-reads the policy if its file changed or a rule expired. */
  tick(): Promise<void>;
  stop(reason: string): Promise<void>;
}

function watcherPort(watcher: UsbWatcher): DeviceWatcherPort {
  return {
    start: (onAdded, onRemoved) => {
      watcher.onAdded(onAdded);
      watcher.onRemoved((removal) => onRemoved(removal.sysfsName));
      return watcher.start();
    },
    stop: () => watcher.stop(),
  };
}

/**
 * SD cards, Bluetooth devices, printers and network interfaces. Their inventories come from the
 * running system, not from the sysfs root, so a test tree (any root but /sys) does not watch them.
 */
async function watchOtherDevices(agent: AgentService, deps: { sysfsRoot: string; audit: AuditLog; clock: () => Date; logger: Logger }): Promise<OtherDevicesAgent | undefined> {
  if (deps.sysfsRoot !== SYSFS_ROOT) {
    deps.logger.info('non-USB devices are not watched: the sysfs root is not /sys', { sysfsRoot: deps.sysfsRoot });
    return undefined;
  }
  const others = new OtherDevicesAgent({
    watcher: new OtherDeviceWatcher({ sources: otherDeviceSources(), scheduler: systemScheduler, logger: deps.logger }),
    enforcer: new LinuxOtherDeviceEnforcer({ run: runCommand }),
    policy: () => agent.policyInForce(),
    audit: deps.audit,
    clock: deps.clock,
    logger: deps.logger,
  });
  await others.start();
  return others;
}

export async function startLinuxAgent(config: AgentConfig, options: { version: string; logger: Logger; clock?: () => Date }): Promise<RunningAgent> {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());
  const machine = config.machine ?? hostname();
  const users = new SessionUserCache(() => activeSessionUser());
  await users.refresh();
  const sysfsRoot = config.sysfsRoot;
  const enforcing = new LinuxSysfsEnforcer({ sysfsRoot, stateDir: config.stateDir, logger });
  const audit = await AuditLog.open(config.auditLog, { machine, clock });
  const retention = new DailyRetention(audit, clock, logger);
  await retention.run();
  const watcher = new UsbWatcher({
    source: new LinuxSysfsSource({ sysfsRoot }),
    sysfsRoot,
    hotplug: await openUsbHotplug({ sysfsRoot, logger }),
    scheduler: systemScheduler,
    pollIntervalMs: config.pollIntervalMs,
    reconcileIntervalMs: config.reconcileIntervalMs,
    logger,
  });
  const agent = new AgentService({
    machine,
    version: options.version,
    policy: new AgentPolicy(config, () => ({ machine, groups: config.groups, user: users.current() }), clock),
    enforcerFor: (mode) => (mode === 'enforce' ? enforcing : new AuditOnlyEnforcer({ preview: new LinuxSysfsPreview({ sysfsRoot }) })),
    watcher: watcherPort(watcher),
    audit,
    requests: await RequestQueue.open(config.stateDir),
    clock,
    random: Math.random,
    currentUser: () => users.current(),
    logger,
  });
  await agent.start();
  if (agent.status().mode === 'audit') {
    // Audit mode blocks nothing: give back the kernel defaults an earlier enforcing run set.
    const restored = await enforcing.restoreDefaults();
    logger.info('audit mode: kernel USB defaults restored', restored.ok ? { detail: restored.detail } : { error: restored.error });
  }
  const others = await watchOtherDevices(agent, { sysfsRoot, audit, clock, logger });
  const api = new LocalApi(agent, logger);
  await api.listen(config.socket, config.socketGroup);
  return {
    agent,
    tick: async () => {
      await retention.run();
      await users.refresh();
      await agent.reloadPolicyIfStale();
    },
    stop: async (reason) => {
      await api.close();
      await others?.stop();
      await agent.stop(reason);
      await audit.close();
    },
  };
}
