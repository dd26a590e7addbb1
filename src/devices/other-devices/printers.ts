/** Printers from systeminformation's `printer()`: on Linux, the CUPS queues (`/etc/cups/printers.conf`, else `lpstat`). */
import type { Systeminformation } from 'systeminformation';
import { uniqueByKey, type OtherDevice, type OtherDeviceSource, type SystemInformationApi } from './other-device';

const HPLIP_CONNECTIONS: Record<string, string> = { usb: 'usb', net: 'network', par: 'parallel' };

/** How CUPS reaches the printer, from its device URI: `usb`, `network`, or the backend's name. HP's own backend (`hp:/usb/...`) says so in its path. */
export function printerConnection(uri: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return 'unknown';
  if (['ipp', 'ipps', 'http', 'https', 'socket', 'lpd', 'dnssd', 'smb'].includes(scheme)) return 'network';
  const hplip = /^hp(?:fax)?:\/(\w+)\//i.exec(uri)?.[1]?.toLowerCase();
  return (hplip && HPLIP_CONNECTIONS[hplip]) || scheme;
}

/** One device per queue. */
export function describePrinters(rows: Systeminformation.PrinterData[]): OtherDevice[] {
  const devices: OtherDevice[] = [];
  for (const row of rows) {
    // systeminformation puts the queue name in `model`, with the `>` of `<Printer NAME>` when it read printers.conf.
    const queue = (row.model || '').replace(/>$/, '').trim() || row.name;
    if (!queue) continue;
    const uri = row.uri || '';
    const vendor = /^usb:\/\/([^/?]+)/.exec(uri)?.[1];
    devices.push({
      bus: 'printer',
      key: queue,
      name: row.name || queue,
      ...(vendor ? { vendor: decodeURIComponent(vendor) } : {}),
      details: { queue, connection: printerConnection(uri) },
    });
  }
  return uniqueByKey(devices);
}

export function printerSource(si: Pick<SystemInformationApi, 'printer'>): OtherDeviceSource {
  return { bus: 'printer', list: async () => describePrinters(await si.printer()) };
}
