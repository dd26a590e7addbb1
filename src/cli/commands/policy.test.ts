import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestKeys, sampleJson } from '../../../test/support/policy-fixtures';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from '../../policy/policy-keys';
import { UsageError, type CliIo, type Command } from '../command';
import { createPolicyShowCommand, policyCommands, policyKeygenCommand, policySignCommand, policyVerifyCommand } from './policy';

interface Run {
  status: number;
  out: string;
  err: string;
}

async function run(command: Command, args: string[]): Promise<Run> {
  const result = { out: '', err: '' };
  const io: CliIo = { readStdin: async () => '', out: (text) => void (result.out += text), err: (text) => void (result.err += text) };
  const status = await command.run(args, io);
  return { status, ...result };
}

const showCommand = createPolicyShowCommand(() => new Date('2026-08-01T00:00:00Z'));
let dir: string;
let keyDir: string;
let documentPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-cli-'));
  keyDir = join(dir, 'keys');
  documentPath = join(dir, 'policy.json');
  await writeFile(documentPath, sampleJson());
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keygen(out = keyDir): Promise<string> {
  const result = await run(policyKeygenCommand, ['--out', out]);
  expect(result.status).toBe(0);
  return /^Key id: (\S+)$/m.exec(result.out)?.[1] ?? '';
}

async function signTo(out: string, key = join(keyDir, PRIVATE_KEY_FILE)): Promise<void> {
  expect((await run(policySignCommand, ['--key', key, '--out', out, documentPath])).status).toBe(0);
}

describe('policy commands', () => {
  it('are registered under "policy" with usage text', () => {
    expect(policyCommands.map((command) => command.path.join(' '))).toEqual(['policy keygen', 'policy sign', 'policy verify', 'policy show']);
    for (const command of policyCommands) expect(command.usage).toMatch(/^portcullis policy /);
  });
});

describe('policy keygen', () => {
  it('writes a private key readable only by its owner and a public key, and prints the key id', async () => {
    const keyId = await keygen();
    expect(keyId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await stat(join(keyDir, PRIVATE_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(keyDir, PUBLIC_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('refuses to overwrite a key unless --force', async () => {
    const first = await keygen();
    const again = await run(policyKeygenCommand, ['--out', keyDir]);
    expect(again).toEqual({ status: 1, out: '', err: expect.stringContaining('already exists; use --force') });
    const forced = await run(policyKeygenCommand, ['--out', keyDir, '--force']);
    expect(forced.status).toBe(0);
    expect(forced.out).not.toContain(first);
  });

  it('bad usage throws UsageError', async () => {
    await expect(run(policyKeygenCommand, [])).rejects.toThrow(UsageError);
    await expect(run(policyKeygenCommand, ['--out', keyDir, '--colour'])).rejects.toThrow(UsageError);
    await expect(run(policyKeygenCommand, ['--out', keyDir, 'extra'])).rejects.toThrow(UsageError);
  });
});

describe('policy sign and verify', () => {
  it('signs a document that verifies with the public key', async () => {
    const keyId = await keygen();
    const signedPath = join(dir, 'policy.signed.json');
    await signTo(signedPath);
    const verified = await run(policyVerifyCommand, ['--trust-key', join(keyDir, PUBLIC_KEY_FILE), signedPath]);
    expect(verified).toEqual({ status: 0, out: `OK: version 3 signed by ${keyId}\n`, err: '' });
  });

  it('prints the envelope when there is no --out', async () => {
    await keygen();
    const result = await run(policySignCommand, ['--key', join(keyDir, PRIVATE_KEY_FILE), documentPath]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ format: 'portcullis-signed-policy/1', document: sampleJson() });
  });

  it('refuses to sign an invalid document, naming the field', async () => {
    await keygen();
    await writeFile(documentPath, sampleJson({ rules: [{ id: 'r1', rule: 'allow', expires: 'next summer' }] }));
    const result = await run(policySignCommand, ['--key', join(keyDir, PRIVATE_KEY_FILE), documentPath]);
    expect(result).toEqual({ status: 1, out: '', err: `${documentPath}: rules[0].expires: expected an ISO 8601 date (2026-07-22) or date-time with a time zone (2026-07-22T16:00:00+01:00)\n` });
  });

  it('reports a missing key or document file', async () => {
    const missing = await run(policySignCommand, ['--key', join(dir, 'nope.key'), documentPath]);
    expect(missing).toEqual({ status: 1, out: '', err: `${join(dir, 'nope.key')}: cannot read (no such file)\n` });
    await expect(run(policySignCommand, [documentPath])).rejects.toThrow('--key KEY is required');
  });

  it('verify refuses an unknown key, a tampered file and an old version, with the reason', async () => {
    await keygen();
    const signedPath = join(dir, 'signed.json');
    await signTo(signedPath);
    const otherDir = join(dir, 'other');
    await keygen(otherDir);
    const unknown = await run(policyVerifyCommand, ['--trust-key', join(otherDir, PUBLIC_KEY_FILE), signedPath]);
    expect(unknown).toEqual({ status: 1, out: '', err: expect.stringMatching(/^REFUSED \(unknown-key\): .*signed by key/) });
    const both = await run(policyVerifyCommand, ['--trust-key', join(otherDir, PUBLIC_KEY_FILE), '--trust-key', join(keyDir, PUBLIC_KEY_FILE), signedPath]);
    expect(both.status).toBe(0);
    const old = await run(policyVerifyCommand, ['--trust-key', join(keyDir, PUBLIC_KEY_FILE), '--min-version', '4', signedPath]);
    expect(old).toEqual({ status: 1, out: '', err: `REFUSED (replay): ${signedPath}: version 3 is below the minimum version 4\n` });
    expect((await run(policyVerifyCommand, ['--trust-key', join(keyDir, PUBLIC_KEY_FILE), '--min-version', '3', signedPath])).status).toBe(0);
    const text = await readFile(signedPath, 'utf8');
    await writeFile(signedPath, text.replace('\\"version\\": 3', '\\"version\\": 9'));
    const tampered = await run(policyVerifyCommand, ['--trust-key', join(keyDir, PUBLIC_KEY_FILE), signedPath]);
    expect(tampered.err).toMatch(/^REFUSED \(bad-signature\): /);
    const unsigned = await run(policyVerifyCommand, ['--trust-key', join(keyDir, PUBLIC_KEY_FILE), documentPath]);
    expect(unsigned.err).toMatch(/^REFUSED \(unsigned\): /);
  });

  it('verify: bad usage and bad trust keys', async () => {
    await keygen();
    await expect(run(policyVerifyCommand, [documentPath])).rejects.toThrow('at least one --trust-key');
    await expect(run(policyVerifyCommand, ['--trust-key', 'k', '--min-version', 'two', documentPath])).rejects.toThrow('--min-version expects a whole number');
    const privateAsTrust = await run(policyVerifyCommand, ['--trust-key', join(keyDir, PRIVATE_KEY_FILE), documentPath]);
    expect(privateAsTrust).toEqual({ status: 1, out: '', err: expect.stringContaining('this is a private key') });
  });
});

describe('policy show', () => {
  it('shows a verified policy, marking expired rules', async () => {
    const keyId = await keygen();
    const signedPath = join(dir, 'signed.json');
    await signTo(signedPath);
    const shown = await run(showCommand, ['--trust-key', join(keyDir, PUBLIC_KEY_FILE), signedPath]);
    expect(shown.status).toBe(0);
    expect(shown.out).toContain(`Signature:       verified, key ${keyId}`);
    expect(shown.out).toContain('2. r-0042  [EXPIRED: expired on 2026-07-22]');
    expect(shown.out).toContain('   approved by: B. Bursar');
  });

  it('shows a signed policy without checking it when no key is given, and says so', async () => {
    const keyId = await keygen();
    const signedPath = join(dir, 'signed.json');
    await signTo(signedPath);
    const shown = await run(showCommand, [signedPath]);
    expect(shown.out).toContain(`Signature:       key ${keyId}, NOT checked (give --trust-key to check it)`);
  });

  it('shows an unsigned document, and refuses an invalid one or a refused signature', async () => {
    const bare = await run(showCommand, [documentPath]);
    expect(bare.out).toContain('Signature:       none (an unsigned document; agents refuse it until it is signed)');
    await writeFile(documentPath, sampleJson({ format: 'portcullis-policy/0' as 'portcullis-policy/1' }));
    expect(await run(showCommand, [documentPath])).toEqual({ status: 1, out: '', err: `${documentPath}: format: expected "portcullis-policy/1"\n` });
    await mkdir(keyDir);
    const keys = makeTestKeys();
    await writeFile(join(keyDir, 'trusted.pub'), keys.publicKeyPem);
    await writeFile(documentPath, sampleJson());
    const refused = await run(showCommand, ['--trust-key', join(keyDir, 'trusted.pub'), documentPath]);
    expect(refused).toEqual({ status: 1, out: '', err: expect.stringMatching(/^REFUSED \(unsigned\): /) });
  });

  it('reports a damaged envelope as an envelope', async () => {
    const damaged = join(dir, 'damaged.json');
    await writeFile(damaged, JSON.stringify({ format: 'portcullis-signed-policy/1', document: '{}' }));
    expect(await run(showCommand, [damaged])).toEqual({ status: 1, out: '', err: `${damaged}: keyId: required, but missing\n` });
  });
});
