import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditShipped, readCredentials, readIdentity, serverLinkPaths, writeAgentKey, writeAuditShipped, writeEnrolment } from './link-files';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'link-files-'));
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const identity = { server: 'https://portcullis.school.example', agentId: 'agt_0123456789abcdef', enrolledAt: '2026-09-01T08:00:00.000Z' };

describe('the server link files', () => {
  it('live in <stateDir>/server/', () => {
    expect(serverLinkPaths('/var/lib/portcullis')).toEqual({
      dir: '/var/lib/portcullis/server',
      identity: '/var/lib/portcullis/server/identity.json',
      agentKey: '/var/lib/portcullis/server/agent-key.pem',
      policyKey: '/var/lib/portcullis/server/server-policy.pub',
      offlineSecret: '/var/lib/portcullis/server/offline-secret',
      policy: '/var/lib/portcullis/server/policy.signed.json',
      auditShipped: '/var/lib/portcullis/server/audit-shipped.json',
    });
  });

  it('keep the key, the secret and the state root-only (0600) in a 0700 folder; the public key readable', async () => {
    const paths = serverLinkPaths(stateDir);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await writeAgentKey(paths, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    await writeEnrolment(paths, { identity, policyKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), offlineSecret: 'c2VjcmV0' });
    await writeAuditShipped(paths, 42, new Date('2026-09-01T09:00:00Z'));
    expect(await mode(paths.dir)).toBe(0o700);
    for (const file of [paths.agentKey, paths.offlineSecret, paths.identity, paths.auditShipped]) expect([file, await mode(file)]).toEqual([file, 0o600]);
    expect(await mode(paths.policyKey)).toBe(0o644);
    expect(await readFile(paths.offlineSecret, 'utf8')).toBe('c2VjcmV0\n');
    expect(await readIdentity(paths)).toEqual({ ok: true, value: identity });
    const credentials = await readCredentials(paths);
    expect(credentials.ok && credentials.value.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(await readAuditShipped(paths)).toEqual({ ok: true, value: 42 });
  });

  it('read "not enrolled" and "nothing shipped" when the files are absent', async () => {
    const paths = serverLinkPaths(stateDir);
    expect(await readIdentity(paths)).toEqual({ ok: true, value: undefined });
    expect(await readAuditShipped(paths)).toEqual({ ok: true, value: 0 });
    const credentials = await readCredentials(paths);
    expect(!credentials.ok && credentials.error).toBe(`${paths.identity}: not enrolled with a console server (no such file)`);
  });

  it('refuse damaged files naming the file and the field', async () => {
    const paths = serverLinkPaths(stateDir);
    await writeAuditShipped(paths, 1, new Date());
    await writeFile(paths.identity, JSON.stringify({ ...identity, agentId: 'agt 1' }));
    await writeFile(paths.auditShipped, '{"lastSeq": -1}');
    const bad = await readIdentity(paths);
    expect(!bad.ok && bad.error).toBe(`${paths.identity}: agentId: expected an agent id (letters, digits, - and _)`);
    const shipped = await readAuditShipped(paths);
    expect(!shipped.ok && shipped.error).toMatch(new RegExp(`^${paths.auditShipped}: lastSeq: `));
    await writeFile(paths.identity, '{');
    const notJson = await readIdentity(paths);
    expect(!notJson.ok && notJson.error).toMatch(new RegExp(`^${paths.identity}: not valid JSON`));
    await writeFile(paths.identity, JSON.stringify(identity));
    await writeFile(paths.agentKey, 'not a key');
    const noKey = await readCredentials(paths);
    expect(!noKey.ok && noKey.error).toBe(`${paths.agentKey}: not a PEM private key`);
  });
});
