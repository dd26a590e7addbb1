/** Emails the member of staff who asked when SLT decide their request, if the server has mail settings and knows their address. */

import type { DeviceKind } from '../../devices/device';
import type { Logger } from '../../util/logger';
import { requestDevice, type RequestRow } from '../console-requests';
import type { Mailer } from '../mail/mailer';
import { requestDecidedMessage, type RequestDecision } from '../mail/notifications';

export interface DecisionMail {
  mailer: Pick<Mailer, 'send'>;
  /** The console's public address, for the link in the message. */
  consoleUrl: string;
  /** The address of the member of staff known on the PCs as `user`, or undefined when there is none. */
  staffEmail: (user: string) => string | undefined;
}

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const ACCOUNT = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Staff addresses from PC user names: a name that is an address already (`kteacher@school.sch.uk`,
 * as Entra ID sign-ins give) is used as it is; `SCHOOL\kteacher` or `kteacher` becomes
 * `kteacher@DOMAIN` when the school's staff email domain is known.
 */
export function staffEmailFrom(domain: string | undefined): (user: string) => string | undefined {
  return (user) => {
    const name = user.trim();
    if (EMAIL.test(name)) return name.toLowerCase();
    const account = name.includes('\\') ? name.slice(name.lastIndexOf('\\') + 1) : name;
    return domain !== undefined && ACCOUNT.test(account) ? `${account.toLowerCase()}@${domain.toLowerCase()}` : undefined;
  };
}

/** Sends the message in the background (the mailer retries and reports failures itself); the decision never waits for it. */
export function mailDecision(mail: DecisionMail | undefined, request: RequestRow, decision: RequestDecision, logger: Logger): void {
  if (mail === undefined) return;
  const to = mail.staffEmail(request.requester);
  if (to === undefined) {
    logger.info('the requester has no known email address, so was not emailed', { requestId: request.id });
    return;
  }
  const device = requestDevice(request);
  const message = requestDecidedMessage(
    {
      id: request.id,
      device: { kind: device.kind as DeviceKind, name: device.name, manufacturer: device.manufacturer, id: device.id, warnings: device.warnings },
      requester: request.requester,
      machine: request.machine,
      justification: request.justification,
      ...(request.duration_days === null ? {} : { durationDays: Number(request.duration_days) }),
      requestedAt: request.created_at,
    },
    to,
    decision,
    { consoleUrl: mail.consoleUrl },
  );
  void mail.mailer.send(message);
}
