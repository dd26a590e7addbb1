/** A Device value for tests, with what a SanDisk stick reports by default. */
import type { Device } from '../../src/devices/device';

export function sampleDevice(overrides: Partial<Device> = {}): Device {
  return {
    id: { vendor: '0781', product: '5567' },
    serial: '4C530001230317116462',
    name: 'Cruzer Blade',
    manufacturer: 'SanDisk',
    hash: 'r0ZkgJlKKGlTiAuDh6uT1g5xVvM3mn4P3tbKVeX1J0g=',
    parentHash: 'jEP/6WzviqdJ5VSeTUY8PatCNBKeaREvo2OqdplND/o=',
    viaPort: '1-2',
    interfaces: [{ classCode: 0x08, subclass: 0x06, protocol: 0x50 }],
    connectType: 'hotplug',
    kind: 'storage',
    warnings: [],
    authorized: false,
    sysfsPath: 'devices/pci0000:00/0000:00:14.0/usb1/1-2',
    ...overrides,
  };
}
