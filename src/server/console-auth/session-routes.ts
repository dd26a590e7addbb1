/** The console's sign-in routes: POST /api/session (sign in), GET /api/session (who am I, and the CSRF token), DELETE /api/session (sign out). */

import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { clearedSessionCookie } from '../auth/session-tokens';
import { HttpError } from '../http/http-error';
import { addRoute } from '../http/route';
import { roleSchema } from '../users/roles';
import { startBrowserSession } from './browser-session';
import type { ConsoleLogin } from './console-login';
import type { ConsoleSession } from './session-store';

export const loginBody = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});

export const sessionAnswer = z.object({
  user: z.object({ email: z.string(), name: z.string(), role: roleSchema }),
  /** Send it back in the X-CSRF-Token header of every POST, PUT, PATCH and DELETE. */
  csrfToken: z.string(),
  /** When the session ends unless another request comes first (ISO 8601). */
  expiresAt: z.string(),
});

function answerFor(session: Pick<ConsoleSession, 'user' | 'csrfToken' | 'expiresAt'>): z.input<typeof sessionAnswer> {
  return { user: session.user, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() };
}

export interface SessionRoutesOptions {
  login: ConsoleLogin;
}

export const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions> = async (app, { login }) => {
  const { localHttp, sessions } = app.portcullis;

  addRoute(app, {
    method: 'POST',
    path: '/api/session',
    summary: 'Sign in with email and password: sets the session cookie',
    auth: { kind: 'public' },
    body: loginBody,
    answer: sessionAnswer,
    async handle({ request, reply, body }) {
      const outcome = await login.login(body.email, body.password, request.ip);
      if (!outcome.ok) {
        request.log.info({ event: 'console-login-refused', userId: outcome.userId, status: outcome.status }, 'console login refused');
        const headers: Record<string, string> = outcome.status === 429 ? { 'retry-after': String(Math.ceil(outcome.retryAfterMs / 1000)) } : {};
        throw new HttpError(outcome.status, outcome.error, headers);
      }
      await startBrowserSession(request, reply, outcome, 'password');
      return answerFor({ user: outcome.user, ...outcome.session });
    },
  });

  addRoute(app, {
    method: 'GET',
    path: '/api/session',
    summary: 'Who is signed in, and the CSRF token for state-changing requests',
    auth: { kind: 'console', roles: 'any' },
    answer: sessionAnswer,
    handle: async ({ session }) => answerFor(session),
  });

  addRoute(app, {
    method: 'DELETE',
    path: '/api/session',
    summary: 'Sign out: ends the session and clears its cookie',
    auth: { kind: 'console', roles: 'any' },
    answer: z.object({ signedOut: z.literal(true) }),
    async handle({ request, reply, session }) {
      await sessions.delete(session.tokenHash);
      request.log.info({ event: 'console-logout', userId: session.user.id }, 'console logout');
      reply.header('set-cookie', clearedSessionCookie({ localHttp }));
      return { signedOut: true as const };
    },
  });
};
