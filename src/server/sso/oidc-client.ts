/** The OpenID Connect relying party, through openid-client: each provider's metadata discovered when first needed, the authorization URL (code flow, PKCE S256, state, nonce), and the code exchanged for a checked ID token's claims. */

import * as client from 'openid-client';
import { isLoopbackHost } from '../mail/mail-settings';
import type { SsoProvider } from './sso-settings';

/** What the callback must see again: kept by the server between the two legs, never sent to the provider but as the state, nonce and PKCE challenge. */
export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The console's callback address the provider was given; the token request repeats it. */
  redirectUri: string;
}

export type IdTokenClaims = Readonly<Record<string, unknown>>;

/** Why the callback could not produce claims: the person said no at the provider, or anything else (state, nonce, audience, signature, expiry, the provider refusing the code). */
export class OidcCallbackError extends Error {
  constructor(
    readonly kind: 'cancelled' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'OidcCallbackError';
  }
}

/** The two legs of a sign-in at one provider (the routes take this, not openid-client itself). */
export interface OidcRelyingParty {
  /** Where to send the browser, and what the callback must check; throws when the provider cannot be reached. */
  begin(provider: SsoProvider, redirectUri: string): Promise<{ url: URL; checks: AuthorizationChecks }>;
  /** The ID token's claims, once openid-client has checked the state, PKCE, issuer, audience, signature, nonce and expiry; throws OidcCallbackError. */
  finish(provider: SsoProvider, callbackQuery: string, checks: AuthorizationChecks): Promise<IdTokenClaims>;
}

export class OpenIdRelyingParty implements OidcRelyingParty {
  /** One discovery per provider, shared by concurrent sign-ins; a failed one is forgotten so the next sign-in tries again. */
  private readonly configurations = new Map<string, Promise<client.Configuration>>();

  async begin(provider: SsoProvider, redirectUri: string): Promise<{ url: URL; checks: AuthorizationChecks }> {
    const configuration = await this.configuration(provider);
    const checks: AuthorizationChecks = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier(), redirectUri };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      // Google's account chooser shows only accounts of this Workspace domain (a hint: the callback still checks).
      ...(provider.allowedDomains?.length === 1 ? { hd: provider.allowedDomains[0] ?? '' } : {}),
    });
    return { url, checks };
  }

  async finish(provider: SsoProvider, callbackQuery: string, checks: AuthorizationChecks): Promise<IdTokenClaims> {
    const configuration = await this.configuration(provider).catch((error: unknown) => {
      throw new OidcCallbackError('failed', `the provider's metadata could not be fetched: ${(error as Error).message}`);
    });
    const currentUrl = new URL(checks.redirectUri);
    currentUrl.search = callbackQuery;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) throw new Error('no ID token in the token response');
      return claims;
    } catch (error) {
      if (error instanceof client.AuthorizationResponseError && error.error === 'access_denied') throw new OidcCallbackError('cancelled', 'the person cancelled at the provider');
      throw new OidcCallbackError('failed', describe(error));
    }
  }

  private configuration(provider: SsoProvider): Promise<client.Configuration> {
    const known = this.configurations.get(provider.id);
    if (known !== undefined) return known;
    const issuer = new URL(provider.issuer);
    // openid-client refuses plain HTTP; the settings allow it only for a provider on this computer.
    const execute = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname) ? [client.allowInsecureRequests] : [];
    const found = client.discovery(issuer, provider.clientId, undefined, client.ClientSecretPost(provider.clientSecret), { execute, timeout: 10 });
    this.configurations.set(provider.id, found);
    found.catch(() => this.configurations.delete(provider.id));
    return found;
  }
}

/**
 * openid-client's error code and message, with what is beneath it: the provider's own `error`
 * and `error_description` (`invalid_grant: ...`), or the message of the check that failed
 * (`unexpected ID Token "nonce" claim value`). Never the cause's own cause: that holds the
 * callback's parameters (the code) or the token's claims.
 */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, error: refused, error_description: why } = error as { code?: unknown; error?: unknown; error_description?: unknown };
  const below = typeof refused === 'string' ? `${refused}${typeof why === 'string' ? `: ${why}` : ''}` : error.cause instanceof Error ? error.cause.message : undefined;
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${below === undefined ? '' : ` (${below})`}`;
}
