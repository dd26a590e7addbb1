/** The data protection officer's routes: a member of staff's subject access export, and how long records are kept. */

import type { FastifyInstance } from 'fastify';
import { retentionAnswer, retentionBody, staffParams, subjectAccessAnswer } from '../console-protocol';
import { consoleSettings } from '../console-settings';
import { addRoute } from '../http/route';
import { recordServerEvent } from '../server-events';
import { subjectAccessExport } from '../subject-access';
import { answering, contract, deciderOf, type ConsoleRouteContext } from './route-kit';

export function dpoRoutes(app: FastifyInstance, context: ConsoleRouteContext): void {
  const { db, now, logger, approvals } = context;

  addRoute(app, {
    ...contract('subjectAccessExport'),
    summary: 'Every record about one member of staff (by their PC user name), as one JSON document',
    params: staffParams,
    answer: subjectAccessAnswer,
    async handle({ params, session, reply }) {
      const document = await subjectAccessExport(db, params.user, { id: session.user.id, name: session.user.name }, now());
      logger.info('made a subject access export', { by: session.user.id, records: document.summary.auditRecords + document.summary.requests + document.summary.approvals });
      reply.header('content-disposition', 'attachment; filename="subject-access-export.json"');
      return document;
    },
  });

  addRoute(app, {
    ...contract('getRetention'),
    summary: 'How many months audit records and decided requests are kept, and the last daily deletion',
    answer: retentionAnswer,
    handle: async () => ({ months: await consoleSettings.retentionMonths(db), lastPurge: await consoleSettings.lastPurge(db) }),
  });

  addRoute(app, {
    ...contract('setRetention'),
    summary: "Set how many months records are kept, here and on the PCs (a new policy version tells them); older ones are deleted at the next daily run",
    body: retentionBody,
    answer: retentionAnswer,
    async handle({ body, session }) {
      // Each policy version tells the PCs how long to keep their own records, so a change is published.
      await answering(
        approvals.changeSettingAndPublish(deciderOf(session), async (tx, at) => {
          const before = await consoleSettings.retentionMonths(tx);
          await consoleSettings.setRetentionMonths(tx, body.months);
          await recordServerEvent(tx, at, { type: 'retention-changed', actor: session.user.id, detail: { from: before, to: body.months } });
        }),
      );
      return { months: body.months, lastPurge: await consoleSettings.lastPurge(db) };
    },
  });
}
