import { GOOGLE_ISSUER, ssoIdentity } from './sso-identity';
import type { SsoProvider } from './sso-settings';

const google: SsoProvider = { id: 'google', label: 'Google', issuer: GOOGLE_ISSUER, clientId: 'c', clientSecret: 's', allowedDomains: ['school.sch.uk'] };
const entra: SsoProvider = { ...google, id: 'entra', issuer: 'https://login.microsoftonline.com/0f0e0d0c-0b0a-0908-0706-050403020100/v2.0', allowedDomains: undefined };

describe('ssoIdentity', () => {
  it('takes the email, lower-cased, only when the provider vouches for it', () => {
    expect(ssoIdentity({ email: 'Ann@School.sch.uk', email_verified: true, hd: 'school.sch.uk' }, google)).toEqual({ ok: true, email: 'ann@school.sch.uk' });
    expect(ssoIdentity({ email: 'ann@school.sch.uk', email_verified: false, hd: 'school.sch.uk' }, google)).toEqual({ ok: false, reason: 'no-verified-email', email: 'ann@school.sch.uk' });
    expect(ssoIdentity({ email: 'ann@school.sch.uk', email_verified: 'true', hd: 'school.sch.uk' }, google)).toMatchObject({ ok: false, reason: 'no-verified-email' });
    expect(ssoIdentity({ email_verified: true, hd: 'school.sch.uk' }, google)).toEqual({ ok: false, reason: 'no-verified-email', email: undefined });
    expect(ssoIdentity({ email: 'not an address', email_verified: true }, entra)).toMatchObject({ ok: false, reason: 'no-verified-email' });
  });

  it("accepts Entra's xms_edov in place of an email_verified it never sends, but not against an email_verified: false", () => {
    expect(ssoIdentity({ email: 'ann@school.sch.uk', xms_edov: true }, entra)).toEqual({ ok: true, email: 'ann@school.sch.uk' });
    expect(ssoIdentity({ email: 'ann@school.sch.uk' }, entra)).toMatchObject({ ok: false, reason: 'no-verified-email' });
    expect(ssoIdentity({ email: 'ann@school.sch.uk', xms_edov: false }, entra)).toMatchObject({ ok: false, reason: 'no-verified-email' });
    expect(ssoIdentity({ email: 'ann@school.sch.uk', email_verified: false, xms_edov: true }, entra)).toMatchObject({ ok: false, reason: 'no-verified-email' });
  });

  it("holds the email's domain and Google's hd to allowedDomains, and refuses a personal Google account (no hd)", () => {
    expect(ssoIdentity({ email: 'ann@gmail.com', email_verified: true, hd: 'school.sch.uk' }, google)).toMatchObject({ ok: false, reason: 'domain-not-allowed' });
    expect(ssoIdentity({ email: 'ann@school.sch.uk', email_verified: true, hd: 'other.sch.uk' }, google)).toMatchObject({ ok: false, reason: 'domain-not-allowed' });
    expect(ssoIdentity({ email: 'ann@school.sch.uk', email_verified: true }, google)).toEqual({ ok: false, reason: 'domain-not-allowed', email: 'ann@school.sch.uk' });
    expect(ssoIdentity({ email: 'ann@school.sch.uk', email_verified: true }, { ...google, issuer: 'https://idp.school.sch.uk' })).toEqual({ ok: true, email: 'ann@school.sch.uk' });
    expect(ssoIdentity({ email: 'ann@trust.org.uk', email_verified: true, hd: 'trust.org.uk' }, { ...google, allowedDomains: ['school.sch.uk', 'trust.org.uk'] })).toEqual({ ok: true, email: 'ann@trust.org.uk' });
    expect(ssoIdentity({ email: 'ann@anywhere.example', email_verified: true }, { ...google, allowedDomains: undefined })).toEqual({ ok: true, email: 'ann@anywhere.example' });
  });
});
