/** Who an ID token says signed in: its email, only when the provider vouches for it, and only in the domains the provider's settings allow. */

import type { IdTokenClaims } from './oidc-client';
import type { SsoProvider } from './sso-settings';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

export type SsoIdentity = { ok: true; email: string } | { ok: false; reason: 'no-verified-email' | 'domain-not-allowed'; email: string | undefined };

/**
 * `email_verified: true`; or, from a token with no `email_verified` at all, Entra's
 * `xms_edov: true` (the email's domain is verified by the tenant), since Entra never sends
 * `email_verified` for a school's own accounts.
 */
function emailVouchedFor(claims: IdTokenClaims): boolean {
  if (claims.email_verified !== undefined) return claims.email_verified === true;
  return claims.xms_edov === true;
}

/**
 * With `allowedDomains`, the email's domain must be one of them, and so must Google's `hd` (the
 * Workspace domain) when the token has one; a Google token without `hd` is a personal Google
 * account, which may carry any address it has verified, so it is refused.
 */
function domainAllowed(email: string, claims: IdTokenClaims, provider: SsoProvider): boolean {
  const allowed = provider.allowedDomains;
  if (allowed === undefined) return true;
  const hd = typeof claims.hd === 'string' ? claims.hd.toLowerCase() : undefined;
  const isGoogle = new URL(provider.issuer).href === new URL(GOOGLE_ISSUER).href;
  if (hd === undefined ? isGoogle : !allowed.includes(hd)) return false;
  return allowed.includes(email.slice(email.lastIndexOf('@') + 1));
}

export function ssoIdentity(claims: IdTokenClaims, provider: SsoProvider): SsoIdentity {
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email.trim().toLowerCase() : undefined;
  if (email === undefined || !emailVouchedFor(claims)) return { ok: false, reason: 'no-verified-email', email };
  if (!domainAllowed(email, claims, provider)) return { ok: false, reason: 'domain-not-allowed', email };
  return { ok: true, email };
}
