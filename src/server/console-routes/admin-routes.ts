/** IT's routes (and SLT's view of the term dates): the school's term dates, enrolment tokens, the enrolled agents and revoking one. */

import type { FastifyInstance } from 'fastify';
import { createEnrolToken, revokeAgent } from '../agent-store';
import { endOfCurrentTerm, parseTermDates } from '../approvals/term-dates';
import { agentsAnswer, enrolTokenAnswer, enrolTokenBody, idParams, revokeAgentAnswer, revokeAgentBody, termDatesAnswer, termDatesBody } from '../console-protocol';
import { consoleSettings } from '../console-settings';
import { HttpError } from '../http/http-error';
import { addRoute } from '../http/route';
import { recordServerEvent } from '../server-events';
import { contract, type ConsoleRouteContext } from './route-kit';

const HOUR_MS = 60 * 60_000;

export function adminRoutes(app: FastifyInstance, context: ConsoleRouteContext): void {
  const { db, agents, now, logger } = context;
  const { users } = app.portcullis;

  addRoute(app, {
    ...contract('getTermDates'),
    summary: "The school's term dates; an approval expires at the end of the current term unless SLT choose a date",
    answer: termDatesAnswer,
    async handle() {
      const terms = await consoleSettings.termDates(db);
      return { terms, endOfCurrentTerm: endOfCurrentTerm(now(), terms) ?? null };
    },
  });

  addRoute(app, {
    ...contract('setTermDates'),
    summary: "Replace the school's term dates (no two terms may overlap)",
    body: termDatesBody,
    answer: termDatesAnswer,
    async handle({ body, session }) {
      const terms = parseTermDates(body.terms, 'body');
      if (!terms.ok) throw new HttpError(400, terms.error.replace(/^body: /gm, '').replace(/\n/g, '; '));
      await db.transaction(async (tx) => {
        await consoleSettings.setTermDates(tx, terms.value);
        await recordServerEvent(tx, now(), { type: 'term-dates-changed', actor: session.user.id, detail: { terms: terms.value.length } });
      });
      return { terms: terms.value, endOfCurrentTerm: endOfCurrentTerm(now(), terms.value) ?? null };
    },
  });

  addRoute(app, {
    ...contract('createEnrolToken'),
    summary: 'A one-time token that enrols one PC, shown once',
    body: enrolTokenBody,
    answer: enrolTokenAnswer,
    status: 201,
    async handle({ body, session }) {
      const issued = await createEnrolToken(agents, session.user.id, body.hours * HOUR_MS);
      await recordServerEvent(db, now(), { type: 'enrol-token-issued', actor: session.user.id, detail: { expiresAt: issued.expiresAt.toISOString() } });
      logger.info('issued an enrolment token', { by: session.user.id, expiresAt: issued.expiresAt.toISOString() });
      return { token: issued.token, expiresAt: issued.expiresAt.toISOString() };
    },
  });

  addRoute(app, {
    ...contract('listAgents'),
    summary: 'Every enrolled PC: when it was last heard from, whether it is revoked, and whether its audit chain is whole',
    answer: agentsAnswer,
    async handle() {
      const list = await agents.list();
      const names = new Map<string, string>();
      for (const id of new Set(list.map((agent) => agent.revokedBy).filter((id): id is string => id !== null))) names.set(id, (await users.findById(id))?.name ?? id);
      return { agents: list.map((agent) => ({ ...agent, revokedBy: agent.revokedBy === null ? null : (names.get(agent.revokedBy) ?? agent.revokedBy) })) };
    },
  });

  addRoute(app, {
    ...contract('revokeAgent'),
    summary: "Revoke a PC's agent: every request signed with its key is refused from now on",
    params: idParams,
    body: revokeAgentBody,
    answer: revokeAgentAnswer,
    async handle({ params, session }) {
      const outcome = await revokeAgent(agents, params.id, session.user.id);
      if (outcome === 'unknown-agent') throw new HttpError(404, `no agent ${params.id}`);
      if (outcome === 'already-revoked') throw new HttpError(409, `agent ${params.id} was already revoked`);
      const row = await db.get<{ revoked_at: string; machine: string }>('SELECT revoked_at, machine FROM agents WHERE id = ?', [params.id]);
      await recordServerEvent(db, now(), { type: 'agent-revoked', actor: session.user.id, detail: { agentId: params.id } });
      logger.info('revoked an agent', { agentId: params.id, machine: row?.machine, by: session.user.id });
      return { agentId: params.id, revokedAt: row?.revoked_at ?? now().toISOString() };
    },
  });
}
