/** The preHandler on every agent route but enrolment: the signed `Authorization: Portcullis-Agent` header checked against the raw body and the agent's stored key, nonces remembered. */

import { reportedVersion } from '../agent-protocol';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AGENT_AUTH_SCHEME, MAX_CLOCK_SKEW_MS, verifyAgentRequest } from '../auth/agent-request-auth';
import { NonceCache } from '../auth/nonce-cache';
import type { AgentStore } from '../agent-store';
import type { Logger } from '../../util/logger';
import { rawBody, refuse } from './agent-replies';

export interface AgentAuthDeps {
  agents: AgentStore;
  now: () => Date;
  logger: Logger;
  /** Default MAX_CLOCK_SKEW_MS (5 minutes). */
  maxSkewMs?: number;
  /** Nonces remembered at once; beyond it requests are refused (fail closed). Default 200,000. */
  maxNonces?: number;
  /** How often an agent's last_seen_at is written at most. Default one minute. */
  lastSeenEveryMs?: number;
}

const authenticated = new WeakMap<FastifyRequest, string>();

/** The agent the request was signed by; only for routes behind the preHandler. */
export function agentIdOf(request: FastifyRequest): string {
  const agentId = authenticated.get(request);
  if (agentId === undefined) throw new Error('agent-auth.ts: agentIdOf() on a request that was not authenticated: is the route behind agentAuthentication?');
  return agentId;
}

/**
 * The preHandler. It runs once the body is read (as bytes: see keepRawJsonBodies) and before
 * anything parses it. The header's id decides whose data the route touches, and the signature
 * over method, path and query, time, nonce and body proves the agent holding that id's key sent
 * it: one agent cannot act as another. Refusals are 401 with the reason (`revoked-agent`,
 * `clock-skew`, `replayed-nonce`, ...). Nonces are kept for twice the allowed skew, per agent.
 */
export function agentAuthentication(deps: AgentAuthDeps): preHandlerAsyncHookHandler {
  const maxSkewMs = deps.maxSkewMs ?? MAX_CLOCK_SKEW_MS;
  const nonces = new NonceCache(() => deps.now().getTime(), { ttlMs: 2 * maxSkewMs, maxEntries: deps.maxNonces ?? 200_000 });
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const result = await verifyAgentRequest({
      header: request.headers.authorization,
      method: request.method,
      path: request.url,
      body: rawBody(request.body),
      publicKeyFor: (agentId) => deps.agents.keyFor(agentId),
      now: deps.now().getTime(),
      seenNonce: (nonce, agentId) => nonces.seen(nonce, agentId),
      maxSkewMs,
    });
    if (!result.ok) {
      deps.logger.warn('refused an agent request', { reason: result.reason, message: result.message, method: request.method, url: request.url, ip: request.ip });
      reply.header('www-authenticate', AGENT_AUTH_SCHEME);
      // Answering from an async hook: returning the reply tells Fastify to stop here.
      return refuse(reply, 401, result.reason, result.message);
    }
    authenticated.set(request, result.agentId);
    await deps.agents.touch(result.agentId, deps.lastSeenEveryMs, reportedVersion(request.headers['user-agent']));
    return undefined;
  };
}
