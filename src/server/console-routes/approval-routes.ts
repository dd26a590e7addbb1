/** The approvals register (search, status filter, CSV for governors and auditors) and revoking an approval (a new policy version without it). */

import type { FastifyInstance } from 'fastify';
import { approvalRegister } from '../approval-records';
import { requireRole } from '../console-auth/require-role';
import { approvalsAnswer, approvalsQuery, CONSOLE_ROUTES, idParams, revokeAnswer, revokeBody, type ApprovalRegisterView } from '../console-protocol';
import { toCsv } from '../csv';
import { addRoute } from '../http/route';
import { parseInputs } from '../http/validation';
import { answering, contract, deciderOf, type ConsoleRouteContext } from './route-kit';

const CSV_HEADER = ['Approval', 'Device', 'Computer', 'Scope', 'Expires', 'Conditions', 'Approved by', 'Approved at', 'Status', 'Revoked by', 'Revoked at', 'Why revoked', 'Request', 'Policy version', 'Rule'];

function csvRow(view: ApprovalRegisterView): Array<string | number | null | undefined> {
  return [
    view.id,
    view.device,
    view.machine,
    view.scope,
    view.expires,
    view.conditions.join('; '),
    view.approvedBy,
    view.createdAt,
    view.status,
    view.revokedBy,
    view.revokedAt,
    view.revokeReason,
    view.requestId,
    view.policyVersion,
    view.rule,
  ];
}

export function approvalRoutes(app: FastifyInstance, context: ConsoleRouteContext): void {
  const { db, approvals, now } = context;

  addRoute(app, {
    ...contract('listApprovals'),
    summary: 'The approvals register, newest first: q searches device, serial, computer and approver',
    query: approvalsQuery,
    answer: approvalsAnswer,
    handle: async ({ query }) => ({ approvals: await approvalRegister(db, query, now()) }),
  });

  const csv = CONSOLE_ROUTES.approvalsCsv;
  app.route({
    method: csv.method,
    url: csv.path,
    preHandler: requireRole(...csv.roles),
    config: { doc: { summary: 'The approvals register as CSV (RFC 4180, UTF-8), with the same filters; no cell can start a spreadsheet formula', auth: { kind: 'console', roles: csv.roles }, query: approvalsQuery, rawAnswer: 'text/csv' } },
    handler: async (request, reply) => {
      const { query } = parseInputs({ query: approvalsQuery }, { params: request.params, query: request.query, body: request.body });
      const at = now();
      const rows = await approvalRegister(db, query as Parameters<typeof approvalRegister>[1], at);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="portcullis-approvals-${at.toISOString().slice(0, 10)}.csv"`)
        .send(toCsv(CSV_HEADER, rows.map(csvRow)));
    },
  });

  addRoute(app, {
    ...contract('revokeApproval'),
    summary: 'Revoke an approval: publishes a new signed policy version without it',
    params: idParams,
    body: revokeBody,
    answer: revokeAnswer,
    async handle({ params, body, session }) {
      const revoked = await answering(approvals.revoke(params.id, body.reason, deciderOf(session)));
      return { approvalId: params.id, policyVersion: revoked.policyVersion };
    },
  });
}
