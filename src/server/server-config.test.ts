import { resolve } from 'node:path';
import { DEFAULT_DATA_DIR, isLoopback, resolveServerConfig } from './server-config';

describe('resolveServerConfig', () => {
  it('defaults to plain HTTP on 127.0.0.1:8443 with SQLite in /var/lib/portcullis-server', () => {
    expect(resolveServerConfig({}, {})).toEqual({
      ok: true,
      value: { host: '127.0.0.1', port: 8443, storage: { kind: 'sqlite', dataDir: DEFAULT_DATA_DIR }, tls: undefined, proxy: undefined, localHttp: true },
    });
  });

  it('takes the data directory, port and host from the flags, and PostgreSQL from DATABASE_URL (with the policy key named)', () => {
    expect(resolveServerConfig({ data: 'data', port: '0', host: 'localhost' }, {})).toMatchObject({ ok: true, value: { host: 'localhost', port: 0, storage: { kind: 'sqlite', dataDir: resolve('data') } } });
    expect(resolveServerConfig({ 'policy-key': 'keys/policy-signing.key' }, { DATABASE_URL: 'postgres://portcullis@db.trust.example/portcullis' })).toMatchObject({
      ok: true,
      value: { storage: { kind: 'postgres', databaseUrl: 'postgres://portcullis@db.trust.example/portcullis' }, policyKeyFile: resolve('keys/policy-signing.key') },
    });
    expect(resolveServerConfig({}, { DATABASE_URL: 'postgres://x@y/z' })).toMatchObject({ ok: false, error: expect.stringMatching(/^--policy-key: with DATABASE_URL there is no data directory/) });
    expect(resolveServerConfig({ data: '/srv' }, { DATABASE_URL: ' ' })).toMatchObject({ ok: true, value: { storage: { kind: 'sqlite', dataDir: '/srv' } } });
  });

  it('serves HTTPS with a certificate and key, or behind a named proxy, with Secure cookies, on any address', () => {
    expect(resolveServerConfig({ host: '0.0.0.0', 'tls-cert': 'c.pem', 'tls-key': 'k.pem' }, {})).toMatchObject({
      ok: true,
      value: { host: '0.0.0.0', tls: { certFile: resolve('c.pem'), keyFile: resolve('k.pem') }, localHttp: false },
    });
    expect(resolveServerConfig({ proxy: 'loopback' }, {})).toMatchObject({ ok: true, value: { host: '127.0.0.1', proxy: 'loopback', localHttp: false } });
  });

  it.each([
    [{ port: '84x3' }, '--port: expected a port number from 0 to 65535, not "84x3"'],
    [{ port: '70000' }, '--port: expected a port number from 0 to 65535'],
    [{ host: ' ' }, '--host: must not be empty'],
    [{ 'staff-email-domain': 'school sch uk' }, '--staff-email-domain: expected a domain such as school.sch.uk, not "school sch uk"'],
    [{ 'tls-cert': 'c.pem' }, '--tls-key: HTTPS needs both --tls-cert and --tls-key'],
    [{ host: '0.0.0.0' }, '--host: plain HTTP on 0.0.0.0 would send passwords across the network: give --tls-cert and --tls-key, or put an HTTPS proxy in front and name it with --proxy'],
  ])('refuses %j naming the flag', (flags, error) => {
    expect(resolveServerConfig(flags, {})).toEqual({ ok: false, error });
  });

  it('takes the mail settings file and the staff email domain', () => {
    expect(resolveServerConfig({ mail: 'mail.json', 'staff-email-domain': 'School.SCH.uk' }, {})).toMatchObject({ ok: true, value: { mailSettingsFile: resolve('mail.json'), staffEmailDomain: 'school.sch.uk' } });
  });

  it('takes the single sign-on settings file', () => {
    expect(resolveServerConfig({ sso: 'sso.json' }, {})).toMatchObject({ ok: true, value: { ssoSettingsFile: resolve('sso.json') } });
    expect(resolveServerConfig({ sso: '' }, {})).toEqual({ ok: false, error: '--sso: must not be empty' });
  });

  it('refuses --data together with DATABASE_URL', () => {
    expect(resolveServerConfig({ data: '/srv' }, { DATABASE_URL: 'postgres://x@y/z' })).toEqual({
      ok: false,
      error: '--data: DATABASE_URL is set too: give --data for SQLite or DATABASE_URL for PostgreSQL, not both',
    });
  });
});

describe('isLoopback', () => {
  it('knows the addresses only this machine can reach', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'portcullis.school.example', '127.0.0.1.example']) expect(isLoopback(host)).toBe(false);
  });
});
