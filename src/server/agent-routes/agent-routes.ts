/** The agents' side of the console server as one Fastify plugin: enrolment, then signed requests for the policy, its stream, approval requests and audit records. */

import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AgentStore } from '../agent-store';
import { AuditStore, type AuditAppended } from '../audit-store';
import type { Database } from '../db/database';
import type { PolicyPublisher } from '../policy-publisher';
import { PolicyStream } from '../policy-stream';
import { RequestStore } from '../request-store';
import type { Scheduler } from '../../devices/scheduler';
import { createLogger, type Logger } from '../../util/logger';
import { agentAuthentication } from './agent-auth';
import { answerErrors, keepRawJsonBodies } from './agent-replies';
import { enrolRoute } from './enrol-route';
import { intakeRoutes } from './intake-routes';
import { policyRoutes } from './policy-routes';

export interface AgentBodyLimits {
  /** Default 16 KiB. */
  enrol: number;
  /** Default 2 MiB: 100 requests with long device descriptions. */
  requests: number;
  /** Default 8 MiB: 500 records; agents should also keep a batch under this many bytes. */
  audit: number;
}

export const DEFAULT_AGENT_BODY_LIMITS: AgentBodyLimits = { enrol: 16 * 1024, requests: 2 * 1024 * 1024, audit: 8 * 1024 * 1024 };

export interface AgentRoutesDeps {
  /** Migrated (migration 2 or later). */
  db: Database;
  /** Shared with whatever publishes policies (approvals), so that its versions reach the stream at once. */
  publisher: PolicyPublisher;
  now?: () => Date;
  logger?: Logger;
  /** The policy stream's heartbeat timer. */
  scheduler?: Scheduler;
  /** Default 15 s. */
  heartbeatMs?: number;
  /** Policy streams held at most (one per agent). Default 50,000. */
  maxStreams?: number;
  /** Default 5 minutes. */
  maxClockSkewMs?: number;
  bodyLimits?: Partial<AgentBodyLimits>;
  /** Default one minute: how often an agent's last_seen_at is written at most. */
  lastSeenEveryMs?: number;
  /** Called with the server ids of newly created approval requests (for telling SLT). */
  onRequestsReceived?: (agentId: string, requestIds: readonly string[]) => void;
  /** Told what each audit batch added (new records, a chain just broken), after it is stored (for telling the headteacher). */
  onAuditAppended?: (appended: AuditAppended) => void;
}

/**
 * The plugin. Register it without a prefix (the routes carry AGENT_PATHS' full paths) and
 * without fastify-plugin: its JSON parser (raw bytes) and error handler must stay inside it.
 * Closing the app ends every policy stream first (a preClose hook), so close() does not wait on them.
 */
export function agentRoutes(deps: AgentRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const now = deps.now ?? (() => new Date());
    const logger = deps.logger ?? createLogger('agent-routes');
    const limits = { ...DEFAULT_AGENT_BODY_LIMITS, ...deps.bodyLimits };
    const agents = new AgentStore({ db: deps.db, now });
    const stream = new PolicyStream({
      publisher: deps.publisher,
      revokedSince: (since) => agents.revokedSince(since),
      now,
      logger,
      scheduler: deps.scheduler,
      heartbeatMs: deps.heartbeatMs,
      maxConnections: deps.maxStreams,
    });
    app.addHook('preClose', async () => stream.close());
    keepRawJsonBodies(app);
    answerErrors(app, logger);

    enrolRoute(app, { agents, policyKeyPem: deps.publisher.publicKeyPem, logger, bodyLimit: limits.enrol });

    await app.register(async (signed) => {
      signed.addHook('preHandler', agentAuthentication({ agents, now, logger, maxSkewMs: deps.maxClockSkewMs, lastSeenEveryMs: deps.lastSeenEveryMs }));
      policyRoutes(signed, { publisher: deps.publisher, stream });
      intakeRoutes(signed, {
        requests: new RequestStore({ db: deps.db, now }),
        audit: new AuditStore({ db: deps.db, now, logger, onAppended: deps.onAuditAppended }),
        logger,
        bodyLimits: limits,
        onRequestsReceived: deps.onRequestsReceived,
      });
    });
  };
}
