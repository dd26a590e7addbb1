/** The preHandler hooks of console routes: a live session cookie (401 without), one of the roles the route names (403 naming it), and the session's CSRF token on every state-changing request (403). */

import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { csrfTokenMatches, LOCAL_HTTP_SESSION_COOKIE_NAME, SESSION_COOKIE_NAME } from '../auth/session-tokens';
import { HttpError } from '../http/http-error';
import '../http/server-context';
import type { Role } from '../users/roles';
import type { ConsoleSession } from './session-store';

/** The header the console page echoes its session's `csrfToken` in. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The value of the cookie `name` in the request's Cookie header, if any. Read here rather than
 * with @fastify/cookie, whose dynamic import of the ESM `cookie` package fails under jest's
 * CommonJS module loader.
 */
export function requestCookie(request: FastifyRequest, name: string): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** The session token: the cookie named for how the server is reached (`__Host-portcullis-session` over HTTPS, `portcullis-session` on local HTTP). */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return requestCookie(request, request.server.portcullis.localHttp ? LOCAL_HTTP_SESSION_COOKIE_NAME : SESSION_COOKIE_NAME);
}

function roleList(roles: readonly Role[]): string {
  return roles.length === 1 ? `the role ${roles[0]}` : `one of the roles ${roles.join(', ')}`;
}

async function signIn(request: FastifyRequest, roles: readonly Role[] | 'any'): Promise<void> {
  const lookup = await request.server.portcullis.sessions.find(sessionTokenOf(request));
  if (!lookup.found) {
    throw new HttpError(401, lookup.reason === 'expired' ? 'Your session has ended: sign in again.' : 'Sign in first: this needs a console session.');
  }
  const { session } = lookup;
  if (roles !== 'any' && !roles.includes(session.user.role)) {
    throw new HttpError(403, `This needs ${roleList(roles)}; you are signed in as ${session.user.role}.`);
  }
  if (!SAFE_METHODS.has(request.method)) {
    const presented = request.headers[CSRF_HEADER];
    if (!csrfTokenMatches(session.csrfToken, typeof presented === 'string' ? presented : undefined)) {
      throw new HttpError(403, 'The X-CSRF-Token header is missing or does not match this session: reload the console and try again.');
    }
  }
  request.consoleSession = session;
}

/** A hook that lets through a signed-in user holding one of `roles` (and, for POST/PUT/PATCH/DELETE, the session's CSRF token). */
export function requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
  if (roles.length === 0) throw new Error('require-role.ts: requireRole() needs at least one role; use requireSession for any signed-in user');
  const allowed: readonly Role[] = [...roles];
  return async (request) => signIn(request, allowed);
}

/** A hook that lets through any signed-in user (and, for POST/PUT/PATCH/DELETE, the session's CSRF token). */
export const requireSession: preHandlerAsyncHookHandler = async (request) => signIn(request, 'any');

/** The session requireRole/requireSession found; throws when the route has neither hook (a programming error). */
export function signedIn(request: FastifyRequest): ConsoleSession {
  if (request.consoleSession === null) throw new Error(`require-role.ts: ${request.method} ${request.url} reads the session but has no requireRole or requireSession hook`);
  return request.consoleSession;
}
