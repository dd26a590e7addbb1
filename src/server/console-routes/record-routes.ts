/** What the PCs recorded, for SLT and the head: the events page, the devices seen across the school, and the summary report. */

import type { FastifyInstance } from 'fastify';
import { listDevices, listEvents } from '../audit-queries';
import { devicesAnswer, eventsAnswer, eventsQuery, summaryAnswer, summaryQuery } from '../console-protocol';
import { HttpError } from '../http/http-error';
import { addRoute } from '../http/route';
import { reportSummary } from '../reports';
import { contract, type ConsoleRouteContext } from './route-kit';

export function recordRoutes(app: FastifyInstance, context: ConsoleRouteContext): void {
  const { db } = context;

  addRoute(app, {
    ...contract('listEvents'),
    summary: "The PCs' audit records, newest first, filtered by computer, user, event type and date",
    query: eventsQuery,
    answer: eventsAnswer,
    handle: async ({ query }) => ({ events: await listEvents(db, query) }),
  });

  addRoute(app, {
    ...contract('listDevices'),
    summary: 'Every device seen across the school, with its last decision and where',
    answer: devicesAnswer,
    handle: async () => ({ devices: await listDevices(db) }),
  });

  addRoute(app, {
    ...contract('report'),
    summary: "The headteacher's summary: blocked attempts, decisions per approver, idle locks per PC, broken audit chains",
    query: summaryQuery,
    answer: summaryAnswer,
    async handle({ query }) {
      if (query.since !== undefined && query.until !== undefined && query.until < query.since) throw new HttpError(400, `until: ${query.until} is before since (${query.since})`);
      return reportSummary(db, query);
    },
  });
}
