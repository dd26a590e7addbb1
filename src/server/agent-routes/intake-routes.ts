/** POST and GET requests (approval requests forwarded from the PC, and their statuses) and POST audit (the agent's audit records). */

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AGENT_PATHS, auditBody, requestsBody, type RequestStatus } from '../agent-protocol';
import type { AuditStore } from '../audit-store';
import type { RequestStore } from '../request-store';
import type { Logger } from '../../util/logger';
import { agentIdOf } from './agent-auth';
import { validateWith } from '../../policy/zod-issues';
import { parseBody, refuse } from './agent-replies';

export interface IntakeRoutesDeps {
  requests: RequestStore;
  audit: AuditStore;
  logger: Logger;
  bodyLimits: { requests: number; audit: number };
  /** Called with the server ids of requests just created (not merged), after they are stored. */
  onRequestsReceived?: (agentId: string, requestIds: readonly string[]) => void;
}

const MAX_IDS = 100;
const localIds = z
  .string()
  .min(1)
  .transform((text) => text.split(','))
  .pipe(z.array(z.string().min(1, { error: 'expected no empty id between commas' }).max(100)).max(MAX_IDS, { error: `expected at most ${MAX_IDS} ids` }));
const statusQuery = z.strictObject({ ids: localIds });

export function intakeRoutes(app: FastifyInstance, deps: IntakeRoutesDeps): void {
  app.post(AGENT_PATHS.requests, { bodyLimit: deps.bodyLimits.requests }, async (request, reply) => {
    const agentId = agentIdOf(request);
    const body = parseBody(request.body, requestsBody);
    if (!body.ok) return refuse(reply, 400, 'invalid-body', body.error);
    const result = await deps.requests.intake(agentId, body.value.requests);
    if (result.created.length > 0) {
      deps.logger.info('received approval requests', { agentId, created: result.created.length, forwarded: body.value.requests.length });
      try {
        deps.onRequestsReceived?.(agentId, result.created);
      } catch (error) {
        deps.logger.error('the new-request listener failed', { agentId, error: (error as Error).message });
      }
    }
    return reply.send({ requests: result.statuses } satisfies { requests: RequestStatus[] });
  });

  app.get(AGENT_PATHS.requests, async (request, reply) => {
    const agentId = agentIdOf(request);
    const query = validateWith(request.query, statusQuery, 'query');
    if (!query.ok) return refuse(reply, 400, 'invalid-query', query.error);
    return reply.send({ requests: await deps.requests.statuses(agentId, query.value.ids) } satisfies { requests: RequestStatus[] });
  });

  app.post(AGENT_PATHS.audit, { bodyLimit: deps.bodyLimits.audit }, async (request, reply) => {
    const agentId = agentIdOf(request);
    const body = parseBody(request.body, auditBody);
    if (!body.ok) return refuse(reply, 400, 'invalid-body', body.error);
    return reply.send(await deps.audit.append(agentId, body.value.lines));
  });
}
