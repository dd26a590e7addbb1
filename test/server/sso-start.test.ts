/** `portcullis server --sso FILE` as the server starts: a bad file stops it, naming the flag, the file and the field, never the secret. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/start-server';
import { TEST_SCRYPT_PARAMS } from '../support/console-server';
import { silentLogger } from '../support/databases';

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'portcullis-sso-start-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function start(settings: object): Promise<unknown> {
  writeFileSync(join(dir, 'sso.json'), JSON.stringify(settings));
  return startServer(
    { host: '127.0.0.1', port: 0, storage: { kind: 'sqlite', dataDir: join(dir, 'data') }, tls: undefined, proxy: undefined, localHttp: true, ssoSettingsFile: join(dir, 'sso.json') },
    { log: { level: 'silent' }, logger: silentLogger, scryptParams: TEST_SCRYPT_PARAMS },
  );
}

const provider = { id: 'google', label: 'Sign in with Google', issuer: 'https://accounts.google.com', clientId: 'id.apps.googleusercontent.com' };

it('refuses to start with the client secret in the settings file, naming the flag, file and field but not the secret', async () => {
  const refused = start({ providers: [{ ...provider, clientSecret: 'GOCSPX-do-not-print-me', clientSecretFile: join(dir, 'secret') }] });
  await expect(refused).rejects.toThrow(`--sso: ${join(dir, 'sso.json')}: providers[0].clientSecret: never put the client secret in this file`);
  await expect(refused).rejects.not.toThrow(/do-not-print-me/);
});

it('refuses to start when the secret file cannot be read', async () => {
  await expect(start({ providers: [{ ...provider, clientSecretFile: join(dir, 'missing') }] })).rejects.toThrow(`--sso: ${join(dir, 'sso.json')}: providers[0].clientSecretFile: cannot read ${join(dir, 'missing')} (ENOENT)`);
});
