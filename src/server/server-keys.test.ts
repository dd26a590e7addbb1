import { sign, verify, createPublicKey } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../../test/support/audit-fixtures';
import { generateSigningKeyPair, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from '../policy/policy-keys';
import { createLogger } from '../util/logger';
import { loadServerKeys } from './server-keys';

const quiet = { logger: createLogger('test', { write: () => undefined }), platform: 'linux' as const };

describe('loadServerKeys', () => {
  const dir = useTempDir('portcullis-server-keys-');

  it('creates the key pair in the data directory on first start, private key mode 0600, and reads the same key after', async () => {
    const data = join(dir.path, 'data');
    const first = await loadServerKeys({ dataDir: data }, quiet);
    expect(statSync(join(data, PRIVATE_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(data, PUBLIC_KEY_FILE), 'utf8')).toBe(first.publicKeyPem);
    expect(first.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const again = await loadServerKeys({ dataDir: data }, quiet);
    expect(again.keyId).toBe(first.keyId);
    const signature = sign(null, Buffer.from('policy'), again.signingKey.privateKey);
    expect(verify(null, Buffer.from('policy'), createPublicKey(first.publicKeyPem), signature)).toBe(true);
  });

  it('ends with one key when two servers start at once on a new data directory', async () => {
    const data = join(dir.path, 'race');
    const keys = await Promise.all(Array.from({ length: 5 }, () => loadServerKeys({ dataDir: data }, quiet)));
    expect(new Set(keys.map((key) => key.keyId)).size).toBe(1);
  });

  it('refuses a data-directory key that others can read, naming the file and the fix', async () => {
    const data = join(dir.path, 'loose');
    await loadServerKeys({ dataDir: data }, quiet);
    chmodSync(join(data, PRIVATE_KEY_FILE), 0o644);
    await expect(loadServerKeys({ dataDir: data }, quiet)).rejects.toThrow(`can be read or changed by other users (mode 0644): run chmod 600 ${join(data, PRIVATE_KEY_FILE)}`);
    await expect(loadServerKeys({ dataDir: data }, { ...quiet, platform: 'win32' })).resolves.toBeDefined();
  });

  it('reads a key given by path, warning about a loose mode, and refuses a missing or wrong file', async () => {
    const path = join(dir.path, 'given.key');
    const pair = generateSigningKeyPair();
    writeFileSync(path, pair.privateKeyPem, { mode: 0o644 });
    const lines: string[] = [];
    const keys = await loadServerKeys({ privateKeyPath: path, dataDir: join(dir.path, 'unused') }, { logger: createLogger('test', { write: (line) => void lines.push(line) }), platform: 'linux' });
    expect(keys.keyId).toBe(pair.keyId);
    expect(keys.publicKeyPem).toBe(pair.publicKeyPem);
    expect(lines.join('')).toMatch(/keep it mode 0600/);
    await expect(loadServerKeys({ privateKeyPath: join(dir.path, 'none.key') }, quiet)).rejects.toThrow(/cannot read the policy-signing key .*none\.key: no such file/);
    writeFileSync(join(dir.path, 'public.key'), pair.publicKeyPem, { mode: 0o600 });
    await expect(loadServerKeys({ privateKeyPath: join(dir.path, 'public.key') }, quiet)).rejects.toThrow(/public\.key: not a PEM private key/);
    await expect(loadServerKeys({}, quiet)).rejects.toThrow(/give the server a data directory/);
  });
});
