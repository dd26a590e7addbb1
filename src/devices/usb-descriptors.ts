/** Parses a USB device's binary descriptors (sysfs `descriptors`): the device descriptor and every configuration's interfaces, validated as USBGuard validates them. */
import type { InterfaceType } from './device';

export const USB_DESCRIPTOR_DEVICE = 0x01;
const USB_DESCRIPTOR_CONFIGURATION = 0x02;
const USB_DESCRIPTOR_INTERFACE = 0x04;
const USB_DESCRIPTOR_ENDPOINT = 0x05;

const DEVICE_DESCRIPTOR_SIZE = 18;
const CONFIGURATION_DESCRIPTOR_SIZE = 9;
const INTERFACE_DESCRIPTOR_SIZE = 9;
/** Endpoint descriptors are 7 bytes, or 9 for USB Audio 1.0 endpoints (bRefresh, bSynchAddress). */
const ENDPOINT_DESCRIPTOR_SIZES = [7, 9];

/** The fields of the 18-byte device descriptor (USB 2.0 §9.6.1), multi-byte fields in host order. */
export interface UsbDeviceDescriptor {
  bcdUsb: number;
  deviceClass: InterfaceType;
  maxPacketSize0: number;
  idVendor: number;
  idProduct: number;
  bcdDevice: number;
  iManufacturer: number;
  iProduct: number;
  iSerialNumber: number;
  numConfigurations: number;
}

/** One interface descriptor (one alternate setting of one interface). */
export interface UsbInterfaceDescriptor extends InterfaceType {
  number: number;
  alternateSetting: number;
}

export interface UsbConfiguration {
  configurationValue: number;
  interfaces: UsbInterfaceDescriptor[];
}

/** Where one descriptor sits in the data: the unit USBGuard hashes. */
export interface UsbDescriptorSpan {
  type: number;
  offset: number;
  length: number;
}

export interface UsbDescriptors {
  device: UsbDeviceDescriptor;
  configurations: UsbConfiguration[];
  /** Every interface descriptor of every configuration, alternate settings included, in order: USBGuard's `with-interface`. */
  interfaces: InterfaceType[];
  /** Every descriptor in order; together they cover the whole data. */
  spans: UsbDescriptorSpan[];
}

/** The descriptor data is not something USBGuard would accept. */
export class UsbDescriptorError extends Error {
  override name = 'UsbDescriptorError';
}

function checkSize(kind: string, length: number, allowed: readonly number[]): void {
  if (!allowed.includes(length)) throw new UsbDescriptorError(`${kind} descriptor has unexpected size ${length}`);
}

function readDeviceDescriptor(data: Uint8Array, at: number): UsbDeviceDescriptor {
  const view = new DataView(data.buffer, data.byteOffset + at, DEVICE_DESCRIPTOR_SIZE);
  return {
    bcdUsb: view.getUint16(2, true),
    deviceClass: { classCode: view.getUint8(4), subclass: view.getUint8(5), protocol: view.getUint8(6) },
    maxPacketSize0: view.getUint8(7),
    idVendor: view.getUint16(8, true),
    idProduct: view.getUint16(10, true),
    bcdDevice: view.getUint16(12, true),
    iManufacturer: view.getUint8(14),
    iProduct: view.getUint8(15),
    iSerialNumber: view.getUint8(16),
    numConfigurations: view.getUint8(17),
  };
}

function readInterfaceDescriptor(data: Uint8Array, at: number): UsbInterfaceDescriptor {
  return {
    number: data[at + 2] ?? 0,
    alternateSetting: data[at + 3] ?? 0,
    classCode: data[at + 5] ?? 0,
    subclass: data[at + 6] ?? 0,
    protocol: data[at + 7] ?? 0,
  };
}

/**
 * Parses descriptor data the way USBGuard's descriptor parser does: a sequence of
 * `bLength, bDescriptorType, ...` records with no bytes left over; exactly one device
 * descriptor, before any configuration; interfaces only inside a configuration; endpoints
 * only after an interface; fixed sizes for those four types; other types (strings,
 * class-specific, interface association) are kept as spans and otherwise ignored.
 */
export function parseUsbDescriptors(data: Uint8Array): UsbDescriptors {
  let device: UsbDeviceDescriptor | undefined;
  let configuration: UsbConfiguration | undefined;
  let inInterface = false;
  const configurations: UsbConfiguration[] = [];
  const interfaces: InterfaceType[] = [];
  const spans: UsbDescriptorSpan[] = [];

  let at = 0;
  while (at < data.length) {
    const length = data[at] ?? 0;
    const type = data[at + 1];
    if (type === undefined) throw new UsbDescriptorError(`a partial descriptor header at byte ${at}`);
    if (length < 2) throw new UsbDescriptorError(`descriptor at byte ${at} has bLength ${length}, less than its header`);
    if (at + length > data.length) {
      throw new UsbDescriptorError(`descriptor at byte ${at} has bLength ${length}, more than the ${data.length - at} bytes left`);
    }
    switch (type) {
      case USB_DESCRIPTOR_DEVICE:
        checkSize('device', length, [DEVICE_DESCRIPTOR_SIZE]);
        if (device) throw new UsbDescriptorError(`a second device descriptor at byte ${at}`);
        device = readDeviceDescriptor(data, at);
        break;
      case USB_DESCRIPTOR_CONFIGURATION:
        checkSize('configuration', length, [CONFIGURATION_DESCRIPTOR_SIZE]);
        if (!device) throw new UsbDescriptorError(`a configuration descriptor at byte ${at} before the device descriptor`);
        configuration = { configurationValue: data[at + 5] ?? 0, interfaces: [] };
        configurations.push(configuration);
        inInterface = false;
        break;
      case USB_DESCRIPTOR_INTERFACE: {
        checkSize('interface', length, [INTERFACE_DESCRIPTOR_SIZE]);
        if (!configuration) throw new UsbDescriptorError(`an interface descriptor at byte ${at} outside any configuration`);
        const described = readInterfaceDescriptor(data, at);
        configuration.interfaces.push(described);
        interfaces.push({ classCode: described.classCode, subclass: described.subclass, protocol: described.protocol });
        inInterface = true;
        break;
      }
      case USB_DESCRIPTOR_ENDPOINT:
        checkSize('endpoint', length, ENDPOINT_DESCRIPTOR_SIZES);
        if (!inInterface) throw new UsbDescriptorError(`an endpoint descriptor at byte ${at} outside any interface`);
        break;
      default:
        break;
    }
    spans.push({ type, offset: at, length });
    at += length;
  }
  if (!device) throw new UsbDescriptorError(`no device descriptor in ${data.length} bytes`);
  return { device, configurations, interfaces, spans };
}
