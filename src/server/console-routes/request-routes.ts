/** The SLT's request routes: the queue with explanations, approve (a new signed policy, pushed to the PCs), refuse, and offline codes. */

import type { FastifyInstance } from 'fastify';
import { approveAnswer, approveBody, idParams, offlineCodeAnswer, offlineCodeBody, refuseAnswer, refuseBody, requestsAnswer, requestsQuery } from '../console-protocol';
import { addRoute } from '../http/route';
import { issueOfflineCodeFor } from '../offline-code-issuer';
import { listRequestViews } from '../request-views';
import { mailDecision } from './decision-mail';
import { answering, contract, deciderOf, type ConsoleRouteContext } from './route-kit';

export function requestRoutes(app: FastifyInstance, context: ConsoleRouteContext): void {
  const { db, approvals, now, logger, mail } = context;

  addRoute(app, {
    ...contract('listRequests'),
    summary: 'Device requests with the given status (pending by default), each explained in plain words',
    query: requestsQuery,
    answer: requestsAnswer,
    handle: async ({ query }) => ({ requests: await listRequestViews(db, query.status, now()) }),
  });

  addRoute(app, {
    ...contract('approveRequest'),
    summary: 'Approve a pending request with a scope and expiry: publishes a new signed policy version to the PCs at once',
    params: idParams,
    body: approveBody,
    answer: approveAnswer,
    async handle({ params, body, session }) {
      const approved = await answering(approvals.approve(params.id, body.decision, deciderOf(session)));
      const { entry } = approved;
      mailDecision(mail, approved.request, { outcome: 'approved', scope: entry.scope ?? {}, ...(entry.expires === undefined ? {} : { expires: entry.expires }) }, logger);
      return { approvalId: approved.approvalId, policyVersion: approved.policyVersion, expires: entry.expires ?? '' };
    },
  });

  addRoute(app, {
    ...contract('refuseRequest'),
    summary: 'Refuse a pending request, with the reason the member of staff is told',
    params: idParams,
    body: refuseBody,
    answer: refuseAnswer,
    async handle({ params, body, session }) {
      const request = await answering(approvals.refuse(params.id, body.reason, deciderOf(session)));
      mailDecision(mail, request, { outcome: 'refused', reason: body.reason }, logger);
      return { requestId: request.id, status: 'refused' as const };
    },
  });

  addRoute(app, {
    ...contract('issueOfflineCode'),
    summary: "A one-time code that lets the request's device into its PC while the PC has no network",
    body: offlineCodeBody,
    answer: offlineCodeAnswer,
    status: 201,
    async handle({ body, session }) {
      const issued = await answering(issueOfflineCodeFor(db, body.requestId, body.hours, session.user.id, now()));
      logger.info('issued an offline code', { requestId: body.requestId, machine: issued.machine, by: session.user.id });
      return issued;
    },
  });
}
