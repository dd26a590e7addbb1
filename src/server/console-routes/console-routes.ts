/** The approvals console's API as one Fastify plugin: every route of console-protocol.ts, each checking its roles (and CSRF on changes) before anything else. */

import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createLogger, type Logger } from '../../util/logger';
import { AgentStore } from '../agent-store';
import { ApprovalStore } from '../approval-store';
import type { Database } from '../db/database';
import type { PolicyPublisher } from '../policy-publisher';
import { adminRoutes } from './admin-routes';
import { approvalRoutes } from './approval-routes';
import type { DecisionMail } from './decision-mail';
import { dpoRoutes } from './dpo-routes';
import { policyRoutes } from './policy-routes';
import { recordRoutes } from './record-routes';
import { requestRoutes } from './request-routes';
import type { ConsoleRouteContext } from './route-kit';

export interface ConsoleRoutesDeps {
  /** Migrated (migration 3 or later). */
  db: Database;
  /** The same publisher the agent routes use, so that a version published here reaches the PCs' policy streams at once. */
  publisher: PolicyPublisher;
  /** The app's clock (`app.portcullis.clock`) unless said. */
  now?: () => Date;
  logger?: Logger;
  /** Emails to the member of staff when their request is decided; none when the server has no mail settings. */
  mail?: DecisionMail;
}

/** The plugin; register it on the console app (createServerApp), without a prefix. */
export function consoleRoutes(deps: ConsoleRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const now = deps.now ?? (() => new Date(app.portcullis.clock()));
    const logger = deps.logger ?? createLogger('console-routes');
    const context: ConsoleRouteContext = {
      db: deps.db,
      approvals: new ApprovalStore({ db: deps.db, publisher: deps.publisher, now, logger }),
      agents: new AgentStore({ db: deps.db, now }),
      now,
      logger,
      mail: deps.mail,
    };
    requestRoutes(app, context);
    approvalRoutes(app, context);
    recordRoutes(app, context);
    dpoRoutes(app, context);
    adminRoutes(app, context);
    policyRoutes(app, context);
  };
}
