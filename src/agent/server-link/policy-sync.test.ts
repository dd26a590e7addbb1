import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestKeys, sampleJson } from '../../../test/support/policy-fixtures';
import { captureLogger } from '../../../test/support/capture-logger';
import type { SigningKey } from '../../policy/policy-keys';
import { signPolicyDocument } from '../../policy/policy-signing';
import { PolicyStore } from '../../policy/policy-store';
import { PolicySync } from './policy-sync';
import { ServerClient, type Fetch } from './server-client';
import { serverLinkPaths } from './link-files';

const serverKeys = makeTestKeys();
const otherKeys = makeTestKeys();
const clock = () => new Date('2026-09-01T08:00:00Z');
let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'policy-sync-'));
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

function envelope(version: number, key: SigningKey = serverKeys.signing): string {
  const signed = signPolicyDocument(sampleJson({ version }), 'policy.json', key);
  if (!signed.ok) throw new Error(signed.error);
  return signed.value.envelopeText;
}

/** Answers each GET with the next canned response, recording the If-None-Match sent. */
function cannedFetch(answers: Array<() => Response>): { fetch: Fetch; sent: Array<string | null> } {
  const sent: Array<string | null> = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    sent.push(new Headers(init.headers).get('if-none-match'));
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  }) as Fetch;
  return { fetch, sent };
}

async function policySync(answers: Array<() => Response>) {
  const { logger, lines } = captureLogger();
  const { fetch, sent } = cannedFetch(answers);
  const paths = serverLinkPaths(stateDir);
  const client = new ServerClient({ server: new URL('https://console.example'), agentId: 'agt_test', privateKey: generateKeyPairSync('ed25519').privateKey, fetch, now: () => clock().getTime() });
  const store = new PolicyStore({ stateDir: paths.dir, trustedKeys: [serverKeys.trusted], clock, logger });
  const accepted: number[] = [];
  const refused: string[] = [];
  const sync = new PolicySync({
    client,
    store,
    logger,
    onAccepted: async (policy) => void accepted.push(policy.document.version),
    onRefused: async (_source, reason) => void refused.push(reason),
  });
  await sync.open();
  return { sync, sent, lines, accepted, refused, paths };
}

const ok = (text: string, etag: string) => () => new Response(text, { status: 200, headers: { etag } });

describe('PolicySync', () => {
  it('writes a policy that verifies, then asks with its ETag and takes a 304 as "unchanged"', async () => {
    const { sync, sent, accepted, paths } = await policySync([ok(envelope(3), '"v3"'), () => new Response(null, { status: 304 })]);
    expect(await sync.sync()).toBe('accepted');
    expect(await readFile(paths.policy, 'utf8')).toBe(envelope(3));
    expect(await sync.sync()).toBe('unchanged');
    expect(sent).toEqual([null, '"v3"']);
    expect(accepted).toEqual([3]);
    expect(sync.heldVersion()).toBe(3);
  });

  it('refuses a policy signed by another key: logged, audited, never written', async () => {
    const { sync, lines, refused, paths, accepted } = await policySync([ok(envelope(4, otherKeys.signing), '"v4"')]);
    expect(await sync.sync()).toBe('refused');
    await expect(stat(paths.policy)).rejects.toThrow(/ENOENT/);
    expect(accepted).toEqual([]);
    expect(refused).toEqual([expect.stringMatching(/^https:\/\/console\.example\/api\/agent\/policy: signed by key \S+, which is not a trusted key/)]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'a policy from the console server was refused; the last one verified stays in force', code: 'unknown-key' }));
  });

  it('refuses a policy older than the one held, keeping the one held', async () => {
    const { sync, refused, paths } = await policySync([ok(envelope(5), '"v5"'), ok(envelope(4), '"v4"'), () => new Response(null, { status: 304 })]);
    expect(await sync.sync()).toBe('accepted');
    expect(await sync.sync()).toBe('refused');
    expect(refused).toEqual([expect.stringMatching(/version 4 is older than version 5, already accepted/)]);
    expect(await readFile(paths.policy, 'utf8')).toBe(envelope(5));
    expect(sync.heldVersion()).toBe(5);
  });

  it('remembers the policy held across restarts, so a replay stays refused', async () => {
    const first = await policySync([ok(envelope(6), '"v6"')]);
    expect(await first.sync.sync()).toBe('accepted');
    const second = await policySync([ok(envelope(2), '"v2"')]);
    expect(second.sync.heldVersion()).toBe(6);
    expect(await second.sync.sync()).toBe('refused');
  });

  it('takes 404 as "no policy published yet", and throws for other refusals naming the URL', async () => {
    const { sync } = await policySync([
      () => new Response(JSON.stringify({ error: 'no-policy', message: 'no policy has been published yet' }), { status: 404 }),
      () => new Response(JSON.stringify({ error: 'revoked-agent', message: 'agent agt_test was revoked' }), { status: 401 }),
      () => new Response('busy', { status: 503 }),
    ]);
    expect(await sync.sync()).toBe('none');
    await expect(sync.sync()).rejects.toThrow('https://console.example/api/agent/policy: refused (401): agent agt_test was revoked');
    await expect(sync.sync()).rejects.toMatchObject({ problem: 'unreachable', status: 503 });
  });

  it('refuses text that is not a signed policy at all', async () => {
    const { sync, refused } = await policySync([ok('<html>captive portal</html>', '"x"')]);
    expect(await sync.sync()).toBe('refused');
    expect(refused[0]).toMatch(/not a signed policy: not valid JSON/);
  });
});
