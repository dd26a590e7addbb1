import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../test/support/databases';
import { FakeScheduler } from '../../test/support/fake-scheduler';
import { setUpMail } from './mail-setup';
import type { ServerConfig } from './server-config';

const BASE: ServerConfig = { host: '127.0.0.1', port: 0, storage: { kind: 'sqlite', dataDir: '/nowhere' }, tls: undefined, proxy: undefined, localHttp: true };

describe('setUpMail', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'portcullis-mail-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const deps = (env: NodeJS.ProcessEnv = {}) => ({ env, logger: silentLogger, scheduler: new FakeScheduler() });

  it('sends no email without --mail', async () => {
    expect(await setUpMail({ ...BASE, staffEmailDomain: 'school.sch.uk' }, deps())).toBeUndefined();
  });

  it('reads the settings and the password from its variable, and maps staff user names with the domain', async () => {
    const file = join(dir, 'mail.json');
    writeFileSync(file, JSON.stringify({ host: '127.0.0.1', port: 1, from: 'portcullis@school.sch.uk', consoleUrl: 'https://portcullis.school.sch.uk/', auth: { user: 'portcullis', passwordEnv: 'SMTP_PW' } }));
    const mail = await setUpMail({ ...BASE, mailSettingsFile: file, staffEmailDomain: 'school.sch.uk' }, deps({ SMTP_PW: 'secret' }));
    expect(mail?.mail.consoleUrl).toBe('https://portcullis.school.sch.uk');
    expect(mail?.mail.staffEmail('kteacher')).toBe('kteacher@school.sch.uk');
    mail?.close();
  });

  it('refuses, naming the flag and the field, a bad file or a missing password', async () => {
    const file = join(dir, 'mail.json');
    writeFileSync(file, JSON.stringify({ host: 'smtp.school.sch.uk', port: 587, from: 'not an address', consoleUrl: 'https://p.example' }));
    await expect(setUpMail({ ...BASE, mailSettingsFile: file }, deps())).rejects.toThrow(`--mail: ${file}: from: expected the email address messages come from`);
    writeFileSync(file, JSON.stringify({ host: 'smtp.school.sch.uk', port: 587, from: 'p@school.sch.uk', consoleUrl: 'https://p.example', auth: { user: 'u', passwordEnv: 'NOPE' } }));
    await expect(setUpMail({ ...BASE, mailSettingsFile: file }, deps())).rejects.toThrow(`--mail: ${file}: auth.passwordEnv: the environment variable NOPE is not set`);
    await expect(setUpMail({ ...BASE, mailSettingsFile: join(dir, 'missing.json') }, deps())).rejects.toThrow(/^--mail: cannot read .*missing\.json as JSON/);
  });
});
