/** Emails every active SLT approver when an agent forwards a new approval request (never for a copy merged into one already waiting). */

import type { DeviceKind } from '../devices/device';
import type { Logger } from '../util/logger';
import { explainDevice } from './approvals/explain-device';
import { findRequest, forwardedFor, requestDevice, type RequestRow } from './console-requests';
import type { Database } from './db/database';
import type { Mailer } from './mail/mailer';
import { approvalNeededMessage, type MailMessage } from './mail/notifications';
import { activeEmails, BackgroundTasks } from './notify-support';

export interface RequestNotifierDeps {
  db: Database;
  mailer: Pick<Mailer, 'send'>;
  /** The console's public address, for the link to its requests page. */
  consoleUrl: string;
  logger: Logger;
  now?: () => Date;
}

/** Messages for one stored request, one per approver (so no one sees the others' addresses). */
export async function approvalNeededMessages(db: Database, row: RequestRow, approvers: readonly string[], consoleUrl: string, now: Date): Promise<MailMessage[]> {
  const device = requestDevice(row);
  const own = (await forwardedFor(db, [row.id])).get(row.id)?.[0];
  const requestedAt = own?.requested_at ?? row.created_at;
  const durationDays = row.duration_days === null ? undefined : Number(row.duration_days);
  const explanation = explainDevice(
    {
      device: { ...device, kind: device.kind as DeviceKind },
      user: row.requester,
      userVerified: own?.user_verified === 1,
      machine: row.machine,
      durationDays: durationDays ?? 1,
      requestedAt,
    },
    { now },
  );
  const facts = {
    id: row.id,
    device: { kind: device.kind as DeviceKind, name: device.name, manufacturer: device.manufacturer, id: device.id, warnings: explanation.warnings },
    requester: row.requester,
    machine: row.machine,
    justification: row.justification,
    ...(durationDays === undefined ? {} : { durationDays }),
    requestedAt,
  };
  return approvers.map((to) => approvalNeededMessage(facts, [to], { consoleUrl }));
}

export class RequestNotifier {
  private readonly tasks: BackgroundTasks;
  private readonly now: () => Date;

  constructor(private readonly deps: RequestNotifierDeps) {
    this.tasks = new BackgroundTasks(deps.logger, 'telling SLT of a new request');
    this.now = deps.now ?? (() => new Date());
  }

  /** For agentRoutes' onRequestsReceived: returns at once; the emails go in the background. */
  readonly requestsReceived = (agentId: string, requestIds: readonly string[]): void => {
    this.tasks.run(() => this.notify(requestIds), { agentId, requests: requestIds.length });
  };

  /** Resolves once every request received so far has been handed to the Mailer. */
  settled(): Promise<void> {
    return this.tasks.settled();
  }

  private async notify(requestIds: readonly string[]): Promise<void> {
    const approvers = await activeEmails(this.deps.db, 'slt-approver');
    if (approvers.length === 0) {
      this.deps.logger.warn('a device request arrived but no active SLT approver has an account to email');
      return;
    }
    for (const id of requestIds) {
      const row = await findRequest(this.deps.db, this.deps.db.engine, id);
      if (row === undefined || row.status !== 'pending') continue;
      for (const message of await approvalNeededMessages(this.deps.db, row, approvers, this.deps.consoleUrl, this.now())) void this.deps.mailer.send(message);
    }
  }
}
