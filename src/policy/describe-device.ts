/** Plain-English descriptions of devices for decisions, notifications and the SLT console. */
import type { Device } from '../devices/device';
import { kindNoun } from '../devices/device-kind';

function withArticle(phrase: string): string {
  return /^[aeio]/i.test(phrase) || /^u(?!s)/i.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

/** "a USB storage device from SanDisk" (the vendor id stands in for an unnamed maker). */
export function describeDevice(device: Pick<Device, 'kind' | 'manufacturer' | 'id'>): string {
  const maker = device.manufacturer.trim() || `vendor ${device.id.vendor}`;
  return `${withArticle(kindNoun(device.kind))} from ${maker}`;
}
