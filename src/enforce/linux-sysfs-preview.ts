/** What the Linux sysfs enforcer would write, found by reading sysfs only: the preview behind audit-only mode on Linux. */
import { posix as path } from 'node:path';
import { interfaceTypeText, type Device } from '../devices/device';
import type { EnforcementPlan } from './enforcer';
import type { EnforcementPreview } from './audit-only-enforcer';
import { describeWould, expectedFailure, readSysfsValue, type SysfsWrite } from './linux-sysfs-io';
import { DEFAULT_ATTRIBUTES, listRootHubs, rootHubFile } from './linux-usb-defaults';
import { deviceDirectory, deviceWrite, interfaceWrites, readInterfaces, type UsbInterfaceState } from './linux-usb-interfaces';

export class LinuxSysfsPreview implements EnforcementPreview {
  private readonly sysfsRoot: string;

  constructor(options: { sysfsRoot?: string } = {}) {
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
  }

  async prepare(): Promise<string> {
    try {
      const hubs = await listRootHubs(this.sysfsRoot);
      if (hubs.length === 0) return `found no USB root hub in ${path.join(this.sysfsRoot, 'bus/usb/devices')}`;
      const lines: string[] = [];
      const alreadyZero: string[] = [];
      for (const hub of hubs) {
        for (const attribute of DEFAULT_ATTRIBUTES) {
          const file = rootHubFile(this.sysfsRoot, hub, attribute);
          const now = await readSysfsValue(file);
          if (now === undefined) lines.push(`${file} is missing`);
          else lines.push(describeWould({ file, value: '0', mode: 'replace', note: `now ${now}` }));
          if (now === '0' && attribute === 'authorized_default') alreadyZero.push(hub);
        }
      }
      // A PC switched from enforce mode keeps the kernel defaults that mode wrote until they are restored.
      if (alreadyZero.length > 0) lines.push(`new devices on ${alreadyZero.join(', ')} already get no driver until authorised (authorized_default is 0)`);
      return lines.join('; ');
    } catch (error) {
      return expectedFailure(error);
    }
  }

  async apply(device: Device, plan: EnforcementPlan): Promise<string> {
    let dir: string;
    try {
      dir = deviceDirectory(this.sysfsRoot, device);
    } catch (error) {
      return expectedFailure(error);
    }
    const first = describeWould(deviceWrite(dir, plan.target));
    if (plan.target !== 'allow' || device.interfaces.length === 0) return first;
    const interfaces = await readInterfaces(dir).catch((error: unknown): UsbInterfaceState[] => {
      expectedFailure(error); // rethrows anything but a sysfs failure (a bug)
      return []; // a device that has gone shows no interfaces
    });
    if (interfaces.length === 0) {
      const blocked = plan.blockedInterfaces.map(interfaceTypeText).join(', ');
      return blocked === '' ? `${first}, then authorise its interfaces` : `${first}, then keep its ${blocked} interfaces from their drivers`;
    }
    const { writes, unenforceable } = interfaceWrites(interfaces, plan.blockedInterfaces, path.join(this.sysfsRoot, 'bus/usb/drivers_probe'));
    const then: SysfsWrite[] = unenforceable.length > 0 ? [{ ...deviceWrite(dir, 'block'), note: 'this kernel cannot de-authorise interfaces one by one' }] : writes;
    return [first, ...then.map(describeWould)].join('; ');
  }
}
