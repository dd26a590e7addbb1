/** GET policy (the newest signed policy, with its ETag) and GET policy stream (server-sent events as versions are published). */

import type { FastifyInstance } from 'fastify';
import { AGENT_PATHS } from '../agent-protocol';
import type { PolicyPublisher } from '../policy-publisher';
import type { PolicyStream } from '../policy-stream';
import { agentIdOf } from './agent-auth';
import { refuse } from './agent-replies';

export interface PolicyRoutesDeps {
  publisher: Pick<PolicyPublisher, 'latest' | 'latestVersion'>;
  stream: PolicyStream;
}

/** `"v12"`: the version is all that identifies a policy's content, as each is signed once. */
export function policyEtag(version: number): string {
  return `"v${version}"`;
}

/** Whether an If-None-Match header names `etag` (a list, weak forms and `*` included). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

export function policyRoutes(app: FastifyInstance, deps: PolicyRoutesDeps): void {
  app.get(AGENT_PATHS.policy, async (request, reply) => {
    const latest = await deps.publisher.latest();
    if (latest === undefined) return refuse(reply, 404, 'no-policy', 'no policy has been published yet: publish one from the console, and agents will fetch it then');
    const etag = policyEtag(latest.version);
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.code(200).type('application/json; charset=utf-8').send(latest.envelopeText);
  });

  app.get(AGENT_PATHS.policyStream, async (request, reply) => {
    const agentId = agentIdOf(request);
    if (!deps.stream.hasRoom(agentId)) {
      return refuse(reply.header('retry-after', '60'), 503, 'too-many-streams', 'the server holds as many policy streams as it can; try again later, and fetch the policy meanwhile');
    }
    const newest = await deps.publisher.latestVersion();
    // The stream outlives this handler: Fastify hands the response over and sends nothing itself.
    reply.hijack();
    deps.stream.add(agentId, reply.raw, newest);
    return reply;
  });
}
