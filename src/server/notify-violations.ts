/** Emails every active headteacher when a policy violation is recorded: an agent's audit chain breaks, or a dangerous device is blocked. */

import type { AuditRecord } from '../audit/audit-record';
import type { DeviceKind } from '../devices/device';
import type { Logger } from '../util/logger';
import type { AuditAppended } from './audit-store';
import type { Database } from './db/database';
import type { Mailer } from './mail/mailer';
import { policyViolationMessage, type NotifiedDevice, type PolicyViolation } from './mail/notifications';
import { activeEmails, BackgroundTasks } from './notify-support';

/** What the audit record says of a blocked device: its kind and, for USB, its interface types (`03:01:01`). */
export interface KnownDevice {
  kind: DeviceKind;
  interfaces?: readonly string[];
}

const BOOT_KEYBOARD = '03:01:01';

/**
 * The blocked devices the headteacher is told of, in this one place. Each is a danger when
 * blocked, not only a nuisance:
 * - a USB storage device that also presents a keyboard: the BadUSB attack, a "memory stick"
 *   that types commands into the computer;
 * - a network adapter: USB tethering to a phone gets round the school's web filter.
 */
export const DANGEROUS_DEVICES: ReadonlyArray<{ warning: string; matches: (device: KnownDevice) => boolean }> = [
  {
    warning: 'this USB storage device also presents itself as a keyboard, so it could type commands on the computer (a "BadUSB" attack)',
    matches: (device) => device.kind === 'storage' && (device.interfaces ?? []).includes(BOOT_KEYBOARD),
  },
  {
    warning: "a network adapter, such as a phone sharing its connection over USB, could get round the school's web filter",
    matches: (device) => device.kind === 'network',
  },
];

/** Why `device` is dangerous, or undefined when it is not (or not known to be). */
export function dangerOf(device: KnownDevice): string | undefined {
  return DANGEROUS_DEVICES.find((danger) => danger.matches(device))?.warning;
}

export interface ViolationNotifierDeps {
  db: Database;
  mailer: Pick<Mailer, 'send'>;
  /** The console's public address, for the link to the machine's audit log. */
  consoleUrl: string;
  logger: Logger;
}

export class ViolationNotifier {
  private readonly tasks: BackgroundTasks;

  constructor(private readonly deps: ViolationNotifierDeps) {
    this.tasks = new BackgroundTasks(deps.logger, 'telling the headteacher of a policy violation');
  }

  /** For agentRoutes' onAuditAppended: returns at once; the emails go in the background. */
  readonly auditAppended = (appended: AuditAppended): void => {
    this.tasks.run(() => this.notify(appended), { agentId: appended.agentId });
  };

  /** Resolves once every batch received so far has been handed to the Mailer. */
  settled(): Promise<void> {
    return this.tasks.settled();
  }

  private async notify(appended: AuditAppended): Promise<void> {
    const violations: PolicyViolation[] = [];
    if (appended.chainBroken !== undefined) {
      const agent = await this.deps.db.get<{ machine: string }>('SELECT machine FROM agents WHERE id = ?', [appended.agentId]);
      violations.push({ kind: 'audit-chain-broken', machine: agent?.machine ?? appended.agentId, time: appended.chainBroken.at, detail: appended.chainBroken.detail });
    }
    for (const record of appended.records) {
      const violation = this.blockedDanger(record);
      if (violation !== undefined) violations.push(violation);
    }
    if (violations.length === 0) return;
    const heads = await activeEmails(this.deps.db, 'headteacher');
    if (heads.length === 0) {
      this.deps.logger.warn('a policy violation was recorded but no active headteacher has an account to email', { agentId: appended.agentId });
      return;
    }
    for (const violation of violations) for (const to of heads) void this.deps.mailer.send(policyViolationMessage(violation, [to], { consoleUrl: this.deps.consoleUrl }));
  }

  private blockedDanger(record: AuditRecord): PolicyViolation | undefined {
    const { event } = record;
    if (event.type !== 'device-decided' || event.target !== 'block') return undefined;
    const danger = dangerOf(event.device);
    if (danger === undefined) return undefined;
    const [vendor = '', product = ''] = event.device.id.split(':');
    const device: NotifiedDevice = { kind: event.device.kind, name: event.device.name, manufacturer: '', id: { vendor, product }, warnings: [danger] };
    return { kind: 'dangerous-device-blocked', machine: record.machine, time: record.time, ...(record.user === undefined ? {} : { user: record.user }), device, reason: event.reason };
  }
}
