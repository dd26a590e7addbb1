import { loadSsoSettings } from './sso-settings';

const FILE = '/etc/portcullis/sso.json';
const google = { id: 'google', label: 'Sign in with Google', issuer: 'https://accounts.google.com', clientId: '1234.apps.googleusercontent.com', clientSecretFile: '/etc/portcullis/google-secret', allowedDomains: ['School.sch.uk'] };
const entra = { id: 'entra', label: 'Sign in with Microsoft', issuer: 'https://login.microsoftonline.com/0f0e0d0c-0b0a-0908-0706-050403020100/v2.0', clientId: 'f1e2d3c4-b5a6-9788-7766-554433221100', clientSecretFile: '/etc/portcullis/entra-secret' };

/** The settings file as `settings` (JSON unless a string), and the two secret files. */
function files(settings: unknown, secrets: Record<string, string> = { '/etc/portcullis/google-secret': 'GOCSPX-google\n', '/etc/portcullis/entra-secret': 'entra~secret' }) {
  return async (path: string): Promise<string> => {
    if (path === FILE) return typeof settings === 'string' ? settings : JSON.stringify(settings);
    const secret = secrets[path];
    if (secret === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return secret;
  };
}

describe('loadSsoSettings', () => {
  it('reads the providers and each client secret from its file', async () => {
    expect(await loadSsoSettings(FILE, files({ consoleUrl: 'https://portcullis.school.sch.uk/', providers: [google, entra] }))).toEqual({
      ok: true,
      value: {
        consoleUrl: 'https://portcullis.school.sch.uk',
        providers: [
          { id: 'google', label: 'Sign in with Google', issuer: google.issuer, clientId: google.clientId, clientSecret: 'GOCSPX-google', allowedDomains: ['school.sch.uk'] },
          { id: 'entra', label: 'Sign in with Microsoft', issuer: entra.issuer, clientId: entra.clientId, clientSecret: 'entra~secret', allowedDomains: undefined },
        ],
      },
    });
  });

  it.each([
    ['not JSON', '{ "providers": [', /^\/etc\/portcullis\/sso\.json: cannot read it as JSON: /],
    ['no providers', { providers: [] }, /^\/etc\/portcullis\/sso\.json: providers: expected at least one provider$/],
    ['a secret in the file', { providers: [{ ...google, clientSecret: 'GOCSPX-oops' }] }, /^\/etc\/portcullis\/sso\.json: providers\[0\]\.clientSecret: never put the client secret in this file/],
    ['an unknown field', { providers: [google], provider: [] }, /^\/etc\/portcullis\/sso\.json: unknown field "provider"$/],
    ['a missing client id', { providers: [{ ...entra, clientId: undefined }] }, /^\/etc\/portcullis\/sso\.json: providers\[0\]\.clientId: required, but missing$/],
    ['an id unfit for a path', { providers: [{ ...google, id: 'Google Workspace' }] }, /providers\[0\]\.id: expected a short name of lower-case letters/],
    ['a plain-HTTP issuer elsewhere', { providers: [{ ...google, issuer: 'http://accounts.google.com' }] }, /providers\[0\]\.issuer: expected an https:\/\/ address \(http:\/\/ only on this computer\)$/],
    ['an issuer that is no address', { providers: [{ ...google, issuer: 'accounts.google.com' }] }, /providers\[0\]\.issuer: expected the provider’s issuer, such as https:\/\/accounts\.google\.com/],
    ['a domain that is not one', { providers: [{ ...google, allowedDomains: ['school'] }] }, /providers\[0\]\.allowedDomains\[0\]: expected a domain such as school\.sch\.uk$/],
    ['two providers with one id', { providers: [google, { ...entra, id: 'google' }] }, /providers\[1\]\.id: another provider is already called google$/],
    ['a console address with a query', { consoleUrl: 'https://portcullis.school.sch.uk/?x=1', providers: [google] }, /consoleUrl: expected a plain web address/],
  ])('refuses %s, naming the file and the field', async (_case, settings, error) => {
    const loaded = await loadSsoSettings(FILE, files(settings));
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? '' : loaded.error).toMatch(error);
  });

  it('names the secret file it cannot read or finds empty, never what it holds', async () => {
    expect(await loadSsoSettings(FILE, files({ providers: [google, entra] }, { '/etc/portcullis/google-secret': 'GOCSPX-google' }))).toEqual({
      ok: false,
      error: '/etc/portcullis/sso.json: providers[1].clientSecretFile: cannot read /etc/portcullis/entra-secret (ENOENT)',
    });
    expect(await loadSsoSettings(FILE, files({ providers: [google] }, { '/etc/portcullis/google-secret': ' \n' }))).toEqual({
      ok: false,
      error: '/etc/portcullis/sso.json: providers[0].clientSecretFile: /etc/portcullis/google-secret is empty',
    });
  });

  it('allows plain HTTP for a provider on this computer (trying it out)', async () => {
    expect(await loadSsoSettings(FILE, files({ providers: [{ ...google, issuer: 'http://127.0.0.1:8080' }] }))).toMatchObject({ ok: true });
  });
});
