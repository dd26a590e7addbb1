/** What every console route module shares: its dependencies, each route's roles from the contract, and refusals turned into HTTP answers. */

import type { AgentStore } from '../agent-store';
import { DecisionRefused, type ApprovalStore, type Decider } from '../approval-store';
import type { ConsoleSession } from '../console-auth/session-store';
import { CONSOLE_ROUTES } from '../console-protocol';
import type { Database } from '../db/database';
import { HttpError } from '../http/http-error';
import type { RouteAuth } from '../http/route';
import type { Logger } from '../../util/logger';
import type { DecisionMail } from './decision-mail';

export interface ConsoleRouteContext {
  db: Database;
  approvals: ApprovalStore;
  agents: AgentStore;
  now: () => Date;
  logger: Logger;
  mail: DecisionMail | undefined;
}

export type ConsoleRouteName = keyof typeof CONSOLE_ROUTES;

/** The route's method, path and roles, exactly as console-protocol.ts gives them. */
export function contract<Name extends ConsoleRouteName>(name: Name): { method: (typeof CONSOLE_ROUTES)[Name]['method']; path: string; auth: Extract<RouteAuth, { kind: 'console' }> } {
  const route = CONSOLE_ROUTES[name];
  return { method: route.method, path: route.path, auth: { kind: 'console', roles: route.roles } };
}

export function deciderOf(session: ConsoleSession): Decider {
  return { id: session.user.id, name: session.user.name, role: session.user.role };
}

/** `work`'s value; a DecisionRefused becomes the HTTP refusal it names. */
export async function answering<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DecisionRefused) throw new HttpError(error.status, error.message);
    throw error;
  }
}
