/** POST enrol: a PC's agent exchanges a one-time token for its id, the key it trusts policies from, and its offline-code secret. */

import type { FastifyInstance } from 'fastify';
import { AGENT_PATHS, enrolBody, type EnrolAnswer } from '../agent-protocol';
import type { AgentStore } from '../agent-store';
import type { EnrolmentProblem } from '../auth/agent-credentials';
import { assertNever } from '../../util/assert-never';
import type { Logger } from '../../util/logger';
import { parseBody, refuse } from './agent-replies';

export interface EnrolRouteDeps {
  agents: AgentStore;
  /** The server's policy-signing public key (PEM). */
  policyKeyPem: string;
  logger: Logger;
  bodyLimit: number;
}

/** A refused token is 403 (wrong, used or expired: the request was well formed); a bad key or machine name is the body's fault, 400. */
function statusFor(problem: EnrolmentProblem): 400 | 403 {
  switch (problem) {
    case 'malformed-token':
    case 'unknown-token':
    case 'expired-token':
    case 'used-token':
      return 403;
    case 'bad-public-key':
    case 'bad-machine-name':
      return 400;
    default:
      return assertNever(problem);
  }
}

export function enrolRoute(app: FastifyInstance, deps: EnrolRouteDeps): void {
  app.post(AGENT_PATHS.enrol, { bodyLimit: deps.bodyLimit }, async (request, reply) => {
    const body = parseBody(request.body, enrolBody);
    if (!body.ok) return refuse(reply, 400, 'invalid-body', body.error);
    const enrolled = await deps.agents.enrol(body.value);
    if (!enrolled.ok) {
      deps.logger.warn('refused an enrolment', { reason: enrolled.error.code, machine: body.value.machine, ip: request.ip });
      return refuse(reply, statusFor(enrolled.error.code), enrolled.error.code, enrolled.error.message);
    }
    deps.logger.info('enrolled an agent', { agentId: enrolled.value.agentId, machine: body.value.machine, version: body.value.version });
    const answer: EnrolAnswer = { agentId: enrolled.value.agentId, policyKey: deps.policyKeyPem, offlineSecret: enrolled.value.offlineSecret };
    return reply.code(200).send(answer);
  });
}
