/** Single sign-on routes: the providers the sign-in page offers (GET /api/sso/providers), the redirect to a provider (GET /sso/:provider/start) and its callback (GET /sso/:provider/callback), which ends signed in as a password does, or back at /login?sso=<reason>. */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { startBrowserSession } from '../console-auth/browser-session';
import { requestCookie } from '../console-auth/require-role';
import { HttpError } from '../http/http-error';
import { addRoute } from '../http/route';
import { parseInputs } from '../http/validation';
import type { RouteDoc } from '../openapi';
import { OidcCallbackError, type OidcRelyingParty } from './oidc-client';
import { SSO_ATTEMPT_TTL_MS, type SsoAttempts } from './sso-attempts';
import type { SsoLogin } from './sso-login';
import type { SsoRefusal } from './sso-refusals';
import { PROVIDER_ID, PROVIDER_ID_WORDS, type SsoProvider, type SsoSettings } from './sso-settings';

/** Over HTTPS `__Host-` (Secure, Path=/, no Domain); plain local HTTP cannot have it. */
function attemptCookieName(localHttp: boolean): string {
  return localHttp ? 'portcullis-sso' : '__Host-portcullis-sso';
}

/**
 * SameSite=Lax, unlike the session's Strict: the provider sends the browser back from another
 * site, and a Strict cookie would not come with it. It holds only the attempt's random id.
 */
function attemptCookie(value: string, localHttp: boolean, maxAgeSeconds: number): string {
  return [`${attemptCookieName(localHttp)}=${value}`, 'Path=/', 'HttpOnly', ...(localHttp ? [] : ['Secure']), 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`].join('; ');
}

export interface SsoRoutesOptions {
  /** Undefined without `--sso`: no provider is offered, and both /sso/ routes answer 404. */
  settings: SsoSettings | undefined;
  relyingParty: OidcRelyingParty;
  attempts: SsoAttempts;
  login: SsoLogin;
}

const providerList = z.object({ providers: z.array(z.object({ id: z.string(), label: z.string(), startUrl: z.string() })) });
/** What GET /api/sso/providers answers: a button per provider on the sign-in page. */
export type SsoProviderList = z.infer<typeof providerList>;
const providerParams = z.strictObject({ provider: z.string().regex(PROVIDER_ID, { error: PROVIDER_ID_WORDS }) });

function redirectDoc(summary: string): { doc: RouteDoc } {
  return { doc: { summary, auth: { kind: 'public' }, params: providerParams, status: 303, rawAnswer: 'text/html' } };
}

export const ssoRoutes: FastifyPluginAsync<SsoRoutesOptions> = async (app, { settings, relyingParty, attempts, login }) => {
  const providers = new Map((settings?.providers ?? []).map((provider) => [provider.id, provider]));
  const { localHttp } = app.portcullis;

  const providerOf = (request: FastifyRequest): SsoProvider => {
    const { params } = parseInputs({ params: providerParams }, { params: request.params, query: undefined, body: undefined }) as { params: z.output<typeof providerParams> };
    const provider = providers.get(params.provider);
    if (provider === undefined) throw new HttpError(404, `no such sign-in provider: ${params.provider}`);
    return provider;
  };
  const backToLogin = (reply: FastifyReply, reason: SsoRefusal): FastifyReply => reply.redirect(`/login?sso=${reason}`, 303);
  const consoleUrl = (request: FastifyRequest): string => settings?.consoleUrl ?? `${localHttp ? 'http' : 'https'}://${request.host}`;

  addRoute(app, {
    method: 'GET',
    path: '/api/sso/providers',
    summary: 'The single sign-on providers the sign-in page offers a button for',
    auth: { kind: 'public' },
    answer: providerList,
    handle: async () => ({ providers: [...providers.values()].map(({ id, label }) => ({ id, label, startUrl: `/sso/${id}/start` })) }),
  });

  app.get('/sso/:provider/start', { config: redirectDoc('Single sign-on: redirects the browser to the provider (authorization code, PKCE S256, state and nonce), or back to /login?sso=<reason>') }, async (request, reply) => {
    const provider = providerOf(request);
    if (!login.allowed(request.ip)) return backToLogin(reply, 'rate-limited');
    let begun: Awaited<ReturnType<OidcRelyingParty['begin']>>;
    try {
      begun = await relyingParty.begin(provider, `${consoleUrl(request)}/sso/${provider.id}/callback`);
    } catch (error) {
      request.log.error({ event: 'sso-unavailable', provider: provider.id, error: (error as Error).message }, 'the single sign-on provider could not be reached');
      return backToLogin(reply, 'unavailable');
    }
    const id = attempts.begin({ providerId: provider.id, checks: begun.checks });
    reply.header('set-cookie', attemptCookie(id, localHttp, SSO_ATTEMPT_TTL_MS / 1000));
    return reply.redirect(begun.url.href, 303);
  });

  app.get('/sso/:provider/callback', { config: redirectDoc('Single sign-on: the provider sends the browser back here; signs in (the session cookie, as POST /api/session sets it) and redirects to /, or to /login?sso=<reason>') }, async (request, reply) => {
    const provider = providerOf(request);
    const address = request.ip;
    reply.header('set-cookie', attemptCookie('', localHttp, 0));
    const refuse = (reason: SsoRefusal, details: Record<string, unknown> = {}): FastifyReply => {
      request.log.warn({ event: 'sso-login-refused', provider: provider.id, reason, ...details }, 'single sign-on refused');
      return backToLogin(reply, reason);
    };
    if (!login.allowed(address)) return refuse('rate-limited');
    const attempt = attempts.take(requestCookie(request, attemptCookieName(localHttp)));
    if (attempt === undefined || attempt.providerId !== provider.id) {
      login.failed(address);
      return refuse('expired');
    }
    const at = request.url.indexOf('?');
    let claims: Awaited<ReturnType<OidcRelyingParty['finish']>>;
    try {
      claims = await relyingParty.finish(provider, at === -1 ? '' : request.url.slice(at), attempt.checks);
    } catch (error) {
      if (!(error instanceof OidcCallbackError)) throw error;
      if (error.kind === 'failed') login.failed(address);
      return refuse(error.kind, { error: error.message });
    }
    const outcome = await login.login(claims, provider, address);
    if (!outcome.ok) return refuse(outcome.reason, { email: outcome.email, userId: outcome.userId });
    await startBrowserSession(request, reply, outcome, 'sso');
    return reply.redirect('/', 303);
  });
};
