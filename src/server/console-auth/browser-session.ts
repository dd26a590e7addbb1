/** What every good sign-in (a password or single sign-on) does to the answer: ends the session the browser held, logs who signed in and how, and sets the new session's cookie. */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashSessionToken, isSessionTokenFormat, sessionCookie } from '../auth/session-tokens';
import { sessionTokenOf } from './require-role';
import type { NewSession, SessionUser } from './session-store';

export async function startBrowserSession(request: FastifyRequest, reply: FastifyReply, signedIn: { user: SessionUser; session: NewSession }, method: 'password' | 'sso'): Promise<void> {
  const { localHttp, sessions } = request.server.portcullis;
  // A session id the browser held before signing in is never reused (session fixation).
  const previous = sessionTokenOf(request);
  if (previous !== undefined && isSessionTokenFormat(previous)) await sessions.delete(hashSessionToken(previous));
  request.log.info({ event: 'console-login', userId: signedIn.user.id, role: signedIn.user.role, method }, 'console login');
  reply.header('set-cookie', sessionCookie(signedIn.session.token, { localHttp }));
}
