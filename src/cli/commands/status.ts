/** `portcullis status` and `portcullis request`: ask the running agent from a shell. */
import { userInfo } from 'node:os';
import type { AgentStatus } from '../../agent/agent-service';
import type { ApprovalRequest, DeviceState } from '../../agent/agent-events';
import { requestStatusWords, type QueuedRequest } from '../../agent/request-queue';
import { callAgent, DEFAULT_SOCKET, type ClientOptions } from '../../agent/local-api-client';
import { textTable } from '../../util/text-table';
import { fail, UsageError, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';

export const socketOption = { socket: { type: 'string' as const } };

/** How a command reaches the agent: its socket (or `--socket`); a user-owned socket only when PORTCULLIS_ALLOW_USER_SOCKET=1 (development). */
export function client(socket: string | undefined): ClientOptions {
  return { socketPath: socket ?? DEFAULT_SOCKET, allowUnprivilegedSocket: process.env.PORTCULLIS_ALLOW_USER_SOCKET === '1' };
}

/** The approval requests made on this PC, with what SLT said. */
function describeRequests(requests: readonly QueuedRequest[]): string {
  if (requests.length === 0) return '';
  const rows = requests.map((request) => [request.requestedAt.slice(0, 10), request.device.name || request.viaPort, request.user, requestStatusWords(request)]);
  return `\nApproval requests:\n${textTable(['ASKED', 'DEVICE', 'BY', 'STATUS'], rows)}`;
}

function describeStatus(status: AgentStatus, devices: readonly DeviceState[]): string {
  const lines = [
    `Portcullis agent ${status.version} on ${status.machine}, running since ${status.startedAt}`,
    `Mode: ${status.mode === 'enforce' ? 'enforce (unapproved devices are blocked)' : 'audit only (nothing is blocked; decisions are recorded)'}; enforcement by ${status.enforcer}`,
    `Policy: ${status.policy}`,
    `Devices: ${status.devices} attached, ${status.blocked} not allowed; approval requests waiting: ${status.pendingRequests}`,
    '',
  ];
  const rows = devices.map(({ device, decision, enforcement }) => [
    device.viaPort,
    device.kind,
    device.name || '(no name)',
    decision.target,
    enforcement.ok ? decision.reason : `${decision.reason} (NOT ENFORCED: ${enforcement.error})`,
  ]);
  return `${lines.join('\n')}\n${rows.length > 0 ? textTable(['PORT', 'KIND', 'NAME', 'DECISION', 'REASON'], rows) : ''}`;
}

export const statusCommand: Command = {
  path: ['status'],
  summary: "Show the agent's mode, policy and the devices attached with their decisions",
  usage: 'portcullis status [--socket PATH] [--json]',
  async run(args, io) {
    const { values } = parseCommandLine({ args, options: { ...socketOption, json: { type: 'boolean' } } });
    const options = client(values.socket);
    const status = await callAgent<AgentStatus>(options, 'GET', '/v1/status');
    if (!status.ok) return fail(io, status.error);
    const devices = await callAgent<DeviceState[]>(options, 'GET', '/v1/devices');
    if (!devices.ok) return fail(io, devices.error);
    const requests = await callAgent<QueuedRequest[]>(options, 'GET', '/v1/requests');
    if (!requests.ok) return fail(io, requests.error);
    io.out(
      values.json
        ? `${JSON.stringify({ status: status.value, devices: devices.value, requests: requests.value }, null, 2)}\n`
        : `${describeStatus(status.value, devices.value)}${describeRequests(requests.value)}`,
    );
    return 0;
  },
};

export const requestCommand: Command = {
  path: ['request'],
  summary: 'Ask SLT to approve a device attached to this PC, or use the one-time code SLT gave for it',
  usage:
    'portcullis request DEVICE --reason TEXT [--days N] [--socket PATH]   or   portcullis request DEVICE --code CODE [--socket PATH]   ' +
    '(DEVICE: its port such as 1-2, its id such as 0781:5567, or its hash; CODE: the one-time code SLT read out, for a PC off the network)',
  async run(args, io) {
    const { values, positionals } = parseCommandLine({ args, allowPositionals: true, options: { ...socketOption, reason: { type: 'string' }, days: { type: 'string' }, code: { type: 'string' } } });
    if (positionals.length !== 1) throw new UsageError('name exactly one device');
    if (values.code !== undefined) {
      if (values.reason !== undefined || values.days !== undefined) throw new UsageError('give --code CODE alone: SLT already decided the reason and how long');
      const used = await callAgent<{ allowedUntil: string }>(client(values.socket), 'POST', '/v1/offline-codes', { device: positionals[0], code: values.code, user: userInfo().username });
      if (!used.ok) return fail(io, used.error);
      io.out(`Code accepted: ${positionals[0]} is allowed on this PC until ${used.value.allowedUntil}.\n`);
      return 0;
    }
    if (values.reason === undefined) throw new UsageError('--reason TEXT is required: say why the device is needed');
    const days = values.days === undefined ? 30 : Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--days must be a whole number from 1 to 366, not "${values.days}"`);
    const body = { device: positionals[0], justification: values.reason, durationDays: days, user: userInfo().username };
    const queued = await callAgent<ApprovalRequest>(client(values.socket), 'POST', '/v1/requests', body);
    if (!queued.ok) return fail(io, queued.error);
    io.out(`Request ${queued.value.id} sent for ${queued.value.device.name || queued.value.viaPort}: SLT will decide. It stays blocked until then.\n`);
    return 0;
  },
};
