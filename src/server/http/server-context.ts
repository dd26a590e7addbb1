/** What every route can reach through `request.server.portcullis` (the database, the clock, the stores), and the signed-in session on `request.consoleSession`. */

import type { Database } from '../db/database';
import type { ConsoleSession, SessionStore } from '../console-auth/session-store';
import type { UserStore } from '../users/user-store';

export interface ServerContext {
  db: Database;
  /** Epoch ms. */
  clock: () => number;
  /** Plain HTTP on this machine: the session cookie drops Secure and its `__Host-` name. */
  localHttp: boolean;
  users: UserStore;
  sessions: SessionStore;
}

declare module 'fastify' {
  interface FastifyInstance {
    portcullis: ServerContext;
  }
  interface FastifyRequest {
    /** Set by requireRole/requireSession; null on routes that do not ask for a session. */
    consoleSession: ConsoleSession | null;
  }
}
