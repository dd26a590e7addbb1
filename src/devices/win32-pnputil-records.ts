/** Parses what `pnputil /enum-devices ... /ids` prints (Windows 10 2004 and later, English) into one record per device node. */
import type { InterfaceType } from './device';

/** One device node as pnputil prints it; fields pnputil left out are ''. */
export interface PnpDeviceRecord {
  /** `USB\VID_0781&PID_5567\4C530001230405115031`: the device ID, a backslash, the instance-specific ID. */
  instanceId: string;
  description: string;
  className: string;
  classGuid: string;
  manufacturer: string;
  /** `Started`, `Disabled`, `Problem`, `Disconnected`... */
  status: string;
  /** The number from `Problem Code: 28 (0x1C) [CM_PROB_FAILED_INSTALL]`, when there is one. */
  problemCode?: number;
  driverName: string;
  hardwareIds: string[];
  compatibleIds: string[];
}

/** pnputil's own words when a filter matched nothing. */
const NO_DEVICES = 'No devices were found on the system.';

/** `Label:   value` at the start of a line; labels are words and spaces, values may hold colons. */
const FIELD = /^([A-Za-z][A-Za-z ]*?):\s*(.*)$/;

type ListField = 'hardwareIds' | 'compatibleIds';

const TEXT_FIELDS: Readonly<Record<string, Exclude<keyof PnpDeviceRecord, ListField | 'problemCode'>>> = {
  'Instance ID': 'instanceId',
  'Device Description': 'description',
  'Class Name': 'className',
  'Class GUID': 'classGuid',
  'Manufacturer Name': 'manufacturer',
  Status: 'status',
  'Driver Name': 'driverName',
};

const LIST_FIELDS: Readonly<Record<string, ListField>> = {
  'Hardware IDs': 'hardwareIds',
  'Compatible IDs': 'compatibleIds',
};

function emptyRecord(instanceId: string): PnpDeviceRecord {
  return { instanceId, description: '', className: '', classGuid: '', manufacturer: '', status: '', driverName: '', hardwareIds: [], compatibleIds: [] };
}

/**
 * The device nodes in pnputil's output, in its order. Each record starts at `Instance ID:`;
 * list fields continue on indented lines; other labels (`Problem Status`, `Stack`...) are ignored.
 * Throws when the output holds no record and does not say that there are none, which is what a
 * pnputil in another display language, or one too old for `/enum-devices`, prints.
 */
export function parsePnputilRecords(text: string): PnpDeviceRecord[] {
  const records: PnpDeviceRecord[] = [];
  let current: PnpDeviceRecord | undefined;
  let list: ListField | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    if (/^\s/.test(line)) {
      if (current && list) current[list].push(line.trim());
      continue;
    }
    list = undefined;
    const field = FIELD.exec(line);
    if (!field) continue;
    const [, label = '', value = ''] = field;
    if (label === 'Instance ID') {
      current = emptyRecord(value);
      records.push(current);
      continue;
    }
    if (!current) continue;
    const textField = TEXT_FIELDS[label];
    const listField = LIST_FIELDS[label];
    if (textField) current[textField] = value;
    else if (listField) {
      list = listField;
      if (value) current[listField].push(value);
    } else if (label === 'Problem Code') {
      const code = Number.parseInt(value, 10);
      if (Number.isFinite(code)) current.problemCode = code;
    }
  }
  if (records.length === 0 && text.trim() !== '' && !text.includes(NO_DEVICES)) {
    throw new Error('pnputil printed no "Instance ID:" line; Portcullis reads the English output of Windows 10 2004 or later');
  }
  return records;
}

/** `USB\Class_08&SubClass_06&Prot_50`, also as `USB\COMPAT_VID_0547&Class_FF&SubClass_00&Prot_00`. */
const INTERFACE_ID = /^USB\\(?:COMPAT_VID_[0-9A-F]{4}&)?Class_([0-9A-F]{2})&SubClass_([0-9A-F]{2})&Prot_([0-9A-F]{2})$/i;

/** The interface class, subclass and protocol that a function's compatible IDs name, if they name one. */
export function interfaceFromCompatibleIds(compatibleIds: readonly string[]): InterfaceType | undefined {
  for (const id of compatibleIds) {
    const match = INTERFACE_ID.exec(id);
    if (match) {
      const [, classCode = '', subclass = '', protocol = ''] = match;
      return { classCode: Number.parseInt(classCode, 16), subclass: Number.parseInt(subclass, 16), protocol: Number.parseInt(protocol, 16) };
    }
  }
  return undefined;
}

/** A USB device node's place in the PnP tree, read from its instance ID. */
export interface UsbInstanceId {
  vendor: string;
  product: string;
  /** The function number of one interface of a composite device (`&MI_01`), absent for the device itself. */
  function?: number;
  /** The instance-specific ID: the serial number, or an ID Windows made up from the port (`5&2eab04ab&0&1`). */
  instance: string;
}

const USB_INSTANCE_ID = /^USB\\VID_([0-9A-F]{4})&PID_([0-9A-F]{4})(?:&MI_([0-9A-F]{2}))?\\(.+)$/i;

/** Parses `USB\VID_xxxx&PID_xxxx[&MI_xx]\instance`; root hubs (`USB\ROOT_HUB30\...`) and other buses give undefined. */
export function parseUsbInstanceId(instanceId: string): UsbInstanceId | undefined {
  const match = USB_INSTANCE_ID.exec(instanceId);
  if (!match) return undefined;
  const [, vendor = '', product = '', fn, instance = ''] = match;
  const parsed: UsbInstanceId = { vendor: vendor.toLowerCase(), product: product.toLowerCase(), instance };
  if (fn !== undefined) parsed.function = Number.parseInt(fn, 16);
  return parsed;
}

/**
 * The serial number in an instance-specific ID. Windows uses the device's serial number when it
 * has a usable one and otherwise makes up an ID with `&` in it from the parent hub and port
 * (`5&2eab04ab&0&1`), which is not a serial.
 */
export function serialFromInstance(instance: string): string {
  return instance.includes('&') ? '' : instance;
}
