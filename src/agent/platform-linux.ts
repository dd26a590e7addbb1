/** Linux: USB hotplug events (polling sysfs without udev), sysfs authorisation, and non-USB devices from systeminformation. */
import { LinuxSysfsSource } from '../devices/linux-sysfs-source';
import { changeGatedSource, fingerprintFor } from '../devices/other-devices/change-gated-source';
import { otherDeviceSources } from '../devices/other-devices/other-device-sources';
import { OtherDeviceWatcher } from '../devices/other-devices/other-device-watcher';
import { systemScheduler } from '../devices/scheduler';
import { openUsbHotplug, SYSFS_ROOT } from '../devices/usb-hotplug';
import { UsbWatcher } from '../devices/usb-watcher';
import { LinuxOtherDeviceEnforcer } from '../enforce/linux-other-enforcer';
import { LinuxSysfsEnforcer } from '../enforce/linux-sysfs-enforcer';
import { LinuxSysfsPreview } from '../enforce/linux-sysfs-preview';
import { runCommand } from '../util/command-runner';
import { OtherDevicesAgent } from './other-devices-agent';
import type { PlatformDeps, PlatformParts } from './platform';

export async function linuxParts({ config, logger }: PlatformDeps): Promise<PlatformParts> {
  const { sysfsRoot } = config;
  const watcher = new UsbWatcher({
    source: new LinuxSysfsSource({ sysfsRoot }),
    sysfsRoot,
    hotplug: await openUsbHotplug({ sysfsRoot, logger }),
    scheduler: systemScheduler,
    pollIntervalMs: config.pollIntervalMs,
    reconcileIntervalMs: config.reconcileIntervalMs,
    logger,
  });
  return {
    name: 'linux',
    watcher: {
      start: (onAdded, onRemoved) => {
        watcher.onAdded(onAdded);
        watcher.onRemoved((removal) => onRemoved(removal.sysfsName));
        return watcher.start();
      },
      stop: () => watcher.stop(),
    },
    enforcing: new LinuxSysfsEnforcer({ sysfsRoot, stateDir: config.stateDir, logger }),
    preview: new LinuxSysfsPreview({ sysfsRoot }),
    // Inventories of disks, Bluetooth, printers and network come from the running system, not the
    // sysfs root, so a test tree (any root but /sys) does not watch them.
    watchOthers: async ({ agent, audit, clock }) => {
      if (sysfsRoot !== SYSFS_ROOT) {
        logger.info('non-USB devices are not watched: the sysfs root is not /sys', { sysfsRoot });
        return undefined;
      }
      const others = new OtherDevicesAgent({
        watcher: new OtherDeviceWatcher({ sources: otherDeviceSources().map((source) => changeGatedSource(source, fingerprintFor(source.bus))), scheduler: systemScheduler, logger }),
        enforcer: new LinuxOtherDeviceEnforcer({ run: runCommand }),
        policy: () => agent.policyInForce(),
        audit,
        clock,
        logger,
      });
      await others.start();
      return others;
    },
  };
}
