/** macOS: USB devices listed with system_profiler at intervals; unapproved storage ejected with diskutil, the rest recorded. */
import { DarwinUsbSource } from '../devices/darwin-usb-source';
import { PollingUsbWatcher } from '../devices/polling-usb-watcher';
import { systemScheduler } from '../devices/scheduler';
import { DarwinEjectEnforcer } from '../enforce/darwin-eject-enforcer';
import { runCommand } from '../util/command-runner';
import { namedPreview, type PlatformDeps, type PlatformParts } from './platform';

export async function darwinParts({ config, logger }: PlatformDeps): Promise<PlatformParts> {
  const source = new DarwinUsbSource({ run: runCommand });
  const watcher = new PollingUsbWatcher({ list: () => source.listUsbDevices(), scheduler: systemScheduler, intervalMs: Math.max(config.pollIntervalMs, 1000), logger });
  return {
    name: 'darwin',
    watcher: { start: (onAdded, onRemoved) => watcher.start(onAdded, onRemoved), stop: () => watcher.stop() },
    enforcing: new DarwinEjectEnforcer({ run: runCommand, source }),
    preview: namedPreview({ prepare: 'nothing at start (macOS)', target: (t) => (t === 'allow' ? 'leave' : 'eject the storage of') }),
    watchOthers: async () => undefined,
  };
}
