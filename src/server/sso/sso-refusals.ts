/** Why a single sign-on did not end signed in, and the sentence the sign-in page shows for each: the callback sends the browser to `/login?sso=<reason>`, never the words themselves, so a crafted link cannot put text of its own on the page. */

export const SSO_REFUSALS = {
  'no-account': 'There is no console account for that email address. Ask the school’s IT admin to add one.',
  disabled: 'That console account is disabled. Ask the school’s IT admin if you still need it.',
  'no-verified-email': 'The sign-in service did not confirm an email address for that account, so the console cannot tell who you are.',
  'domain-not-allowed': 'That account is not one of the school’s. Sign in with your school account.',
  expired: 'That sign-in took too long or was already used. Start again.',
  cancelled: 'The sign-in was cancelled.',
  failed: 'The sign-in could not be completed. Start again; if it keeps failing, ask the school’s IT admin (the server’s log says why).',
  unavailable: 'The sign-in service is not answering. Try again later, or sign in with your password.',
  'rate-limited': 'Too many failed sign-ins from this computer. Try again in a minute.',
} as const;

export type SsoRefusal = keyof typeof SSO_REFUSALS;

/** The sentence for a `?sso=` value, or undefined for anything else. */
export function ssoRefusalMessage(reason: string | null): string | undefined {
  return reason !== null && Object.hasOwn(SSO_REFUSALS, reason) ? SSO_REFUSALS[reason as SsoRefusal] : undefined;
}
