/** Bluetooth devices from systeminformation's `bluetoothDevices()`: on Linux, the devices BlueZ has paired with (`/var/lib/bluetooth/<adapter>/<device>/info`). */
import type { Systeminformation } from 'systeminformation';
import { uniqueByKey, type OtherDevice, type OtherDeviceSource, type SystemInformationApi } from './other-device';

const ADDRESS = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/** One device per Bluetooth address, upper case as BlueZ writes it. Fields systeminformation leaves null on Linux (manufacturer) are left out. */
export function describeBluetoothDevices(rows: Systeminformation.BluetoothDeviceData[]): OtherDevice[] {
  const devices: OtherDevice[] = [];
  for (const row of rows) {
    const address = (row.macDevice || '').toUpperCase();
    if (!ADDRESS.test(address)) continue;
    const details: Record<string, string> = { address, type: row.type || 'unknown' };
    if (row.macHost) details.adapter = row.macHost.toUpperCase();
    devices.push({ bus: 'bluetooth', key: address, name: row.name || address, ...(row.manufacturer ? { vendor: row.manufacturer } : {}), details, removable: true });
  }
  return uniqueByKey(devices);
}

export function bluetoothDeviceSource(si: Pick<SystemInformationApi, 'bluetoothDevices'>): OtherDeviceSource {
  return { bus: 'bluetooth', list: async () => describeBluetoothDevices(await si.bluetoothDevices()) };
}
