/** The Portcullis agent inside a test VM: its rules, start and stop, its decisions as it logs them, and the CLI beside it. */
import type { ExitInfo, RunResult } from './vm/guest-protocol';
import { GUEST_PROJECT } from './vm/image-parts';
import type { TestVm } from './vm/test-vm';

export const GUEST_PATHS = {
  rules: '/etc/portcullis/rules.conf',
  auditLog: '/var/log/portcullis/audit.jsonl',
  socket: '/run/portcullis/agent.sock',
  stateDir: '/var/lib/portcullis',
};

/** The bundle the service runs (`npm run bundle`). */
const PORTCULLIS_CLI = ['node', `${GUEST_PROJECT}/dist/portcullis-agent.js`];

/**
 * The policy under test, in USBGuard's rule language. QEMU's usb-kbd and usb-mouse are both
 * 0627:0001 and differ only by their interface; its usb-storage is 46f4:0001. Everything
 * else (other sticks, the FTDI serial adapter, the network adapter) is blocked implicitly.
 */
export const TEST_RULES = [
  'allow id 0627:0001 with-interface 03:01:01',
  'allow id 0627:0001 with-interface 03:01:02',
  'allow id 46f4:0001 serial "STICK-APPROVED"',
  '',
].join('\n');

export type AgentMode = 'enforce' | 'audit';

/** The part of an audit record the tests look at (docs/audit.md has the whole format). */
interface AuditRecordShape {
  event?: { type?: string; target?: string; device?: { serial?: string } };
}

/** One JSON line the agent wrote to stderr. */
export interface AgentLogLine {
  message: string;
  [field: string]: unknown;
}

const AGENT_START_TIMEOUT_MS = 60_000;
/** How long a decision may take to appear in the log before the test fails (TCG is slow; this is a bound, not a measurement). */
const DECISION_TIMEOUT_MS = 20_000;

function parseLogLine(line: string): AgentLogLine | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as AgentLogLine).message === 'string' ? (value as AgentLogLine) : undefined;
  } catch {
    return undefined;
  }
}

export class GuestAgent {
  constructor(
    private readonly vm: TestVm,
    private readonly name = 'portcullis-agent',
  ) {}

  /** Root-owned and mode 0600, as the admin guide asks. */
  installRules(rules: string): Promise<null> {
    return this.vm.guest.request('write', { path: GUEST_PATHS.rules, value: rules, mode: 0o600 });
  }

  /** Starts `portcullis agent`, waits until its local API socket exists (it creates it once running) and returns its pid. */
  async start(mode: AgentMode): Promise<number> {
    await this.vm.guest.request('run', { argv: ['rm', '-f', GUEST_PATHS.socket] });
    const from = this.vm.guest.events.mark();
    const { pid } = await this.vm.guest.request('start', {
      name: this.name,
      argv: [
        ...PORTCULLIS_CLI,
        ...['agent', '--sysfs-root', '/sys', '--rules', GUEST_PATHS.rules, '--mode', mode],
        ...['--audit-log', GUEST_PATHS.auditLog, '--socket', GUEST_PATHS.socket, '--state-dir', GUEST_PATHS.stateDir],
      ],
    });
    const ready = await this.vm.guest.request('waitFile', { path: GUEST_PATHS.socket, condition: { kind: 'exists' }, timeoutMs: AGENT_START_TIMEOUT_MS });
    if (!ready.met) throw new Error(`the agent did not create ${GUEST_PATHS.socket} in ${AGENT_START_TIMEOUT_MS} ms:\n${this.output(from)}`);
    return pid;
  }

  /** Sends a signal and waits for the agent to exit. */
  stop(signal: NodeJS.Signals): Promise<ExitInfo> {
    return this.vm.guest.request('signal', { name: this.name, signal });
  }

  /** Everything the agent wrote since `from` (an event mark), for failure messages. */
  output(from = 0): string {
    return this.vm.guest.events
      .all(from)
      .map((e) => (e.ev === 'line' && e.name === this.name ? e.line : e.ev === 'exit' && e.name === this.name ? `(exited: ${e.code ?? e.signal})` : undefined))
      .filter((line) => line !== undefined)
      .join('\n');
  }

  /** The agent's `device decided` log line for the device at `viaPort`, logged after the mark `from`. */
  async decision(viaPort: string, from: number): Promise<AgentLogLine> {
    const event = await this.vm.guest.events
      .waitFor(
        `the agent's decision on ${viaPort}`,
        (e) => e.ev === 'line' && e.name === this.name && parseLogLine(e.line)?.message === 'device decided' && parseLogLine(e.line)?.viaPort === viaPort,
        DECISION_TIMEOUT_MS,
        from,
      )
      .catch((error: Error) => {
        throw new Error(`${error.message}; the agent said:\n${this.output(from)}`);
      });
    return parseLogLine(event.ev === 'line' ? event.line : '') ?? { message: '' };
  }

  /** Runs `portcullis ARGS...` in the guest. */
  cli(...args: string[]): Promise<RunResult> {
    return this.vm.guest.request('run', { argv: [...PORTCULLIS_CLI, ...args], timeoutMs: 60_000 });
  }

  /** The targets of the audit log's `device-decided` records for the device with this serial number, oldest first. */
  async auditedTargets(serial: string): Promise<string[]> {
    const text = (await this.vm.guest.request('read', { path: GUEST_PATHS.auditLog })) ?? '';
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as AuditRecordShape).event)
      .filter((event) => event?.type === 'device-decided' && event.device?.serial === serial)
      .map((event) => event?.target ?? '');
  }
}
