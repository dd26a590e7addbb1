import { isLoopbackHost, parseMailSettings, readMailPassword, type MailSettingsInput } from './mail-settings';

const base: MailSettingsInput = {
  host: 'smtp.office365.com',
  port: 587,
  auth: { user: 'portcullis@school.sch.uk', passwordEnv: 'PORTCULLIS_SMTP_PASSWORD' },
  from: 'portcullis@school.sch.uk',
  consoleUrl: 'https://portcullis.school.sch.uk/',
};

function errorOf(input: unknown): string {
  const result = parseMailSettings(input, 'server.json: mail');
  if (result.ok) throw new Error('expected the settings to be refused');
  return result.error;
}

describe('parseMailSettings', () => {
  it('fills in the defaults: STARTTLS required for a remote server, a sender name, a timeout', () => {
    const result = parseMailSettings(base, 'mail');
    expect(result).toEqual({
      ok: true,
      value: {
        host: 'smtp.office365.com',
        port: 587,
        secure: false,
        requireTLS: true,
        auth: { user: 'portcullis@school.sch.uk', passwordEnv: 'PORTCULLIS_SMTP_PASSWORD' },
        from: 'portcullis@school.sch.uk',
        fromName: 'Portcullis',
        consoleUrl: 'https://portcullis.school.sch.uk',
        timeoutMs: 10_000,
      },
    });
  });

  it('does not require TLS from a mail server on this computer, unless asked', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      const result = parseMailSettings({ ...base, host, port: 25, auth: undefined }, 'mail');
      expect(result.ok && result.value.requireTLS).toBe(false);
    }
    const asked = parseMailSettings({ ...base, host: '127.0.0.1', requireTLS: true }, 'mail');
    expect(asked.ok && asked.value.requireTLS).toBe(true);
  });

  it('refuses plain text to a mail server on another computer', () => {
    expect(errorOf({ ...base, requireTLS: false })).toBe(
      'server.json: mail: requireTLS: a mail server on another computer needs TLS: set secure (port 465) or leave requireTLS on (STARTTLS)',
    );
    const implicit = parseMailSettings({ ...base, port: 465, secure: true, requireTLS: false }, 'mail');
    expect(implicit.ok).toBe(true);
  });

  it('says that port 465 needs secure', () => {
    expect(errorOf({ ...base, port: 465 })).toContain('secure: port 465 expects TLS from the start');
  });

  it('refuses a password written in the settings, naming the field', () => {
    expect(errorOf({ ...base, auth: { user: 'portcullis', password: 'hunter2' } })).toContain(
      'auth.password: never put the password in the settings: name an environment variable (passwordEnv) or a file (passwordFile) that holds it',
    );
    expect(errorOf({ ...base, auth: { user: 'portcullis', password: 'hunter2' } })).not.toContain('hunter2');
  });

  it('wants exactly one place for the password', () => {
    expect(errorOf({ ...base, auth: { user: 'portcullis' } })).toContain('auth.passwordEnv: expected either passwordEnv or passwordFile');
    expect(errorOf({ ...base, auth: { user: 'p', passwordEnv: 'A', passwordFile: '/etc/p' } })).toContain('auth.passwordEnv: expected either');
    expect(errorOf({ ...base, auth: { user: 'p', passwordEnv: 'not a name' } })).toContain('auth.passwordEnv: expected the name of an environment variable');
  });

  it('names each bad field', () => {
    const error = errorOf({ host: '', port: 70000, from: 'not an address', consoleUrl: 'ftp://x', colour: 'blue' });
    expect(error.split('\n')).toEqual([
      'server.json: mail: host: expected the mail server\'s host name, not an empty string',
      'server.json: mail: port: expected a port from 1 to 65535',
      'server.json: mail: from: expected the email address messages come from, such as portcullis@school.sch.uk',
      'server.json: mail: consoleUrl: expected the console\'s web address, such as https://portcullis.school.sch.uk',
      'server.json: mail: unknown field "colour"',
    ]);
    expect(errorOf({ ...base, port: undefined })).toBe('server.json: mail: port: required, but missing');
    expect(errorOf({ ...base, port: '587' })).toBe('server.json: mail: port: expected a port number (587 or 465, usually)');
    expect(errorOf({ ...base, secure: 'yes' })).toBe('server.json: mail: secure: expected true or false');
    expect(errorOf({ ...base, consoleUrl: 'nonsense' })).toBe("server.json: mail: consoleUrl: expected the console's web address, such as https://portcullis.school.sch.uk");
  });

  it('keeps header values on one line', () => {
    expect(errorOf({ ...base, fromName: 'Portcullis\r\nBcc: x@evil.example' })).toContain('fromName: expected the sender\'s display name on one line');
    expect(errorOf({ ...base, host: 'smtp.example\r\nRCPT TO:<x@evil.example>' })).toContain('host: expected the mail server\'s host name on one line');
  });

  it('wants https for the console, except on this computer', () => {
    expect(errorOf({ ...base, consoleUrl: 'http://portcullis.school.sch.uk' })).toContain('consoleUrl: expected an https:// address');
    expect(parseMailSettings({ ...base, consoleUrl: 'http://127.0.0.1:8080' }, 'mail').ok).toBe(true);
    expect(errorOf({ ...base, consoleUrl: 'https://portcullis.school.sch.uk/?next=x' })).toContain('consoleUrl: expected a plain web address');
  });
});

describe('isLoopbackHost', () => {
  it('knows this computer\'s names', () => {
    expect(['127.0.0.1', '127.1.2.3', 'LOCALHOST', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['127.0.0.1.evil.example', 'localhost.example', '10.0.0.1', 'smtp.school.sch.uk'].some(isLoopbackHost)).toBe(false);
  });
});

describe('readMailPassword', () => {
  const noFile = async (): Promise<string> => {
    throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  };

  it('reads the environment variable', async () => {
    const env = { PORTCULLIS_SMTP_PASSWORD: 's3cret' };
    expect(await readMailPassword({ user: 'p', passwordEnv: 'PORTCULLIS_SMTP_PASSWORD' }, { env, readFile: noFile })).toEqual({ ok: true, value: 's3cret' });
    expect(await readMailPassword({ user: 'p', passwordEnv: 'OTHER' }, { env, readFile: noFile })).toEqual({
      ok: false,
      error: 'auth.passwordEnv: the environment variable OTHER is not set',
    });
  });

  it('reads the file, without its final line break', async () => {
    const readFile = async (): Promise<string> => 's3cret \r\n';
    expect(await readMailPassword({ user: 'p', passwordFile: '/etc/portcullis/smtp' }, { env: {}, readFile })).toEqual({ ok: true, value: 's3cret ' });
    expect(await readMailPassword({ user: 'p', passwordFile: '/etc/portcullis/smtp' }, { env: {}, readFile: noFile })).toEqual({
      ok: false,
      error: 'auth.passwordFile: cannot read /etc/portcullis/smtp (ENOENT)',
    });
    expect(await readMailPassword({ user: 'p', passwordFile: '/e' }, { env: {}, readFile: async () => '\n' })).toEqual({ ok: false, error: 'auth.passwordFile: /e is empty' });
  });
});
