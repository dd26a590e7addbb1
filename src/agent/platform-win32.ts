/** Windows: PnP devices listed with pnputil at intervals, enforced with pnputil and the Device Installation Restrictions policy. */
import { PollingUsbWatcher } from '../devices/polling-usb-watcher';
import { systemScheduler } from '../devices/scheduler';
import { Win32PnpSource } from '../devices/win32-pnp-source';
import { installAllowlistFromRules } from '../enforce/win32-install-allowlist';
import { Win32PnpEnforcer } from '../enforce/win32-pnp-enforcer';
import { runCommand } from '../util/command-runner';
import { namedPreview, type PlatformDeps, type PlatformParts } from './platform';

export async function win32Parts({ config, logger, agent }: PlatformDeps): Promise<PlatformParts> {
  const source = new Win32PnpSource({ run: runCommand });
  const watcher = new PollingUsbWatcher({ list: () => source.listUsbDevices(), scheduler: systemScheduler, intervalMs: Math.max(config.pollIntervalMs, 1000), logger });
  return {
    name: 'win32',
    watcher: { start: (onAdded, onRemoved) => watcher.start(onAdded, onRemoved), stop: () => watcher.stop() },
    enforcing: new Win32PnpEnforcer({ run: runCommand, source, allowlist: () => installAllowlistFromRules(agent().policyInForce().engine.entries()).allowlist }),
    preview: namedPreview({ prepare: 'write the Device Installation Restrictions policy', target: (t) => (t === 'allow' ? 'enable' : t === 'block' ? 'disable' : 'remove') }),
    watchOthers: async () => undefined,
  };
}
