/** Events recorded on the school's PCs (filter by PC, member of staff, kind and date) and the devices seen across the school with their last decision. */
import type { z } from 'zod';
import type { deviceView, eventView } from '../../src/server/console-protocol';
import { api, withQuery } from './parts/api';
import { byId, count, el, fieldText, replaceChildren, when } from './parts/dom';
import { runPage } from './parts/shell';
import { announceProblem } from './parts/status';
import { dataTable } from './parts/table';

type EventView = z.infer<typeof eventView>;
type DeviceView = z.infer<typeof deviceView>;

const DECISION_WORDS: Record<NonNullable<DeviceView['lastDecision']>, string> = { allow: 'Allowed', block: 'Blocked', reject: 'Rejected' };

function happened(event: EventView): Node {
  return el('span', {}, event.summary, event.chainOk ? '' : el('strong', { class: 'problem' }, ' (this record does not follow the one before it: it may have been changed)'));
}

function deviceName(device: DeviceView): Node {
  const name = device.name.trim() === '' ? `Unnamed ${device.kind} device` : device.name;
  return el('span', {}, el('strong', {}, name), ` ${device.vendorProduct}${device.serial === '' ? ', no serial number' : `, serial ${device.serial}`}`);
}

function lastDecision(device: DeviceView): string {
  if (device.lastDecision === null) return 'None recorded';
  // The agent's reason already starts with the decision ("blocked: no rule allows ...").
  const reason = device.lastReason?.trim() ?? '';
  return reason === '' ? DECISION_WORDS[device.lastDecision] : `${reason.charAt(0).toUpperCase()}${reason.slice(1)}`;
}

/** How often and where; a device only asked for has no sightings, and its machines are where it was asked for. */
function seenCell(device: DeviceView): string {
  if (device.sightings === 0) return `Asked for on ${device.machines.join(', ')}, not yet seen in ${device.machines.length === 1 ? 'its' : 'their'} audit log${device.machines.length === 1 ? '' : 's'}`;
  return `${count(device.sightings, 'time')} on ${device.machines.join(', ')}`;
}

function lastSeenCell(device: DeviceView): string {
  const where = `${when(device.lastSeenAt)} on ${device.lastMachine}${device.lastUser === null ? '' : ` (${device.lastUser})`}`;
  return device.sightings === 0 ? `Not yet seen; asked for ${where}` : where;
}

function requestsCell(device: DeviceView): string {
  if (device.requests === 0) return 'None';
  return device.pendingRequests === 0 ? count(device.requests, 'request') : `${count(device.requests, 'request')}, ${device.pendingRequests} waiting`;
}

async function loadEvents(filters: HTMLFormElement): Promise<void> {
  const query = { machine: fieldText(filters, 'machine'), user: fieldText(filters, 'user'), type: fieldText(filters, 'type'), since: fieldText(filters, 'since'), limit: fieldText(filters, 'limit') };
  const outcome = await api<{ events: EventView[] }>('GET', withQuery('/api/events', query));
  if (!outcome.ok) return announceProblem(outcome.error);
  replaceChildren(byId('event-list', HTMLElement), dataTable(`Events, newest first (${count(outcome.value.events.length, 'event')})`, [
    { heading: 'When', cell: (event) => when(event.time) },
    { heading: 'PC', cell: (event) => event.machine },
    { heading: 'Member of staff', cell: (event) => event.user ?? '–' },
    { heading: 'What happened', cell: happened },
  ], outcome.value.events, 'No events match.'));
}

async function loadDevices(machine: string): Promise<void> {
  const outcome = await api<{ devices: DeviceView[] }>('GET', '/api/devices');
  if (!outcome.ok) return announceProblem(outcome.error);
  const wanted = machine.toLowerCase();
  const devices = wanted === '' ? outcome.value.devices : outcome.value.devices.filter((device) => device.machines.some((name) => name.toLowerCase() === wanted) || device.lastMachine.toLowerCase() === wanted);
  replaceChildren(byId('device-list', HTMLElement), dataTable(`Devices seen, most recent first (${count(devices.length, 'device')})`, [
    { heading: 'Device', cell: deviceName },
    { heading: 'Seen', cell: seenCell },
    { heading: 'Last seen', cell: lastSeenCell },
    { heading: 'Last decision', cell: lastDecision },
    { heading: 'Requests', cell: requestsCell },
  ], devices, wanted === '' ? 'No devices seen yet.' : 'No devices seen on that PC.'));
}

runPage('events', async (session) => {
  const filters = byId('filters', HTMLFormElement);
  const showDevices = session.user.role !== 'dpo';
  if (!showDevices) byId('devices-section', HTMLElement).hidden = true;
  const load = async (): Promise<void> => {
    await loadEvents(filters);
    if (showDevices) await loadDevices(fieldText(filters, 'machine'));
  };
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  await load();
});
