import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { agentSigningPayload, bodySha256, MAX_CLOCK_SKEW_MS, signAgentRequest, verifyAgentRequest, type AgentKeyRecord, type VerifyAgentRequestInput } from './agent-request-auth';
import { NonceCache } from './nonce-cache';

const NOW = Date.UTC(2026, 2, 2, 9, 0);
const AGENT = 'agt_7k2m9q4r8t1v3w5x';
const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const BODY = JSON.stringify({ deviceHash: 'Z8nXmA==', machine: 'IT-SUITE-07' });

function sign(overrides: Partial<Parameters<typeof signAgentRequest>[0]> = {}): string {
  return signAgentRequest({ agentId: AGENT, privateKey: keys.privateKey, method: 'POST', path: '/api/agent/requests?x=1', body: BODY, now: NOW, ...overrides });
}

function input(header: string | undefined, overrides: Partial<VerifyAgentRequestInput> = {}): VerifyAgentRequestInput {
  const agents = new Map<string, AgentKeyRecord>([[AGENT, { publicKey: keys.publicKey, revoked: false }]]);
  return { header, method: 'POST', path: '/api/agent/requests?x=1', body: BODY, now: NOW, publicKeyFor: (id) => agents.get(id), seenNonce: () => false, ...overrides };
}

async function reason(header: string | undefined, overrides: Partial<VerifyAgentRequestInput> = {}): Promise<string> {
  const result = await verifyAgentRequest(input(header, overrides));
  return result.ok ? 'ok' : result.reason;
}

describe('signAgentRequest', () => {
  it('writes the Portcullis-Agent header with id, ts, nonce, body hash and signature', () => {
    const header = sign({ random: (size) => Buffer.alloc(size, 1) });
    const nonce = Buffer.alloc(16, 1).toString('base64url');
    expect(header).toMatch(new RegExp(`^Portcullis-Agent id=${AGENT}, ts=${NOW}, nonce=${nonce}, body=${bodySha256(BODY)}, sig=[A-Za-z0-9_-]{86}$`));
  });

  it('signs METHOD\\npath\\nts\\nnonce\\nsha256(body)', () => {
    expect(agentSigningPayload('post', '/p?q=1', 5, 'n', 'h').toString()).toBe('POST\n/p?q=1\n5\nn\nh');
    expect(bodySha256(undefined)).toBe(bodySha256(''));
    expect(bodySha256(Buffer.from(BODY))).toBe(bodySha256(BODY));
  });

  it('refuses an agent id that cannot go in a header, and a bad time', () => {
    expect(() => sign({ agentId: 'a, sig=x' })).toThrow('not usable in a header');
    expect(() => sign({ now: 1.5 })).toThrow('whole milliseconds');
  });
});

describe('verifyAgentRequest', () => {
  it('accepts a signed request, with a string, bytes or no body, and any method case', async () => {
    expect(await verifyAgentRequest(input(sign()))).toEqual({ ok: true, agentId: AGENT });
    expect(await reason(sign({ body: Buffer.from(BODY) }))).toBe('ok');
    expect(await reason(sign({ method: 'get', body: undefined }), { method: 'GET', body: undefined })).toBe('ok');
    expect(await reason(sign({ method: 'get', body: undefined }), { method: 'GET', body: '' })).toBe('ok');
  });

  it('accepts asynchronous look-ups', async () => {
    expect(await reason(sign(), { publicKeyFor: async () => ({ publicKey: keys.publicKey, revoked: false }), seenNonce: async () => false })).toBe('ok');
  });

  it('refuses a missing or malformed header', async () => {
    const good = sign();
    const broken = [
      undefined, '', 'Bearer abc', 'Portcullis-Agent', good.replace('Portcullis-Agent', 'Portcullis-Agen'),
      good.replace(/, sig=\S+/, ''), `${good}, sig=${'A'.repeat(86)}`, good.replace(/sig=(\S+)\S$/, 'sig=$1B'), `${good}, extra=1`, good.replace(`ts=${NOW}`, 'ts=soon'),
      good.replace(/nonce=\S+,/, 'nonce=short,'), good.replace(/body=\S+,/, 'body=abc,'), good.replace(/sig=\S+/, 'sig=abc'), good.replace(`id=${AGENT}`, 'id=a/b'),
    ];
    for (const header of broken) expect(await reason(header)).toBe('malformed-header');
    const result = await verifyAgentRequest(input(good.replace(/, nonce=[^,]+/, '')));
    expect(result.ok === false && result.message).toBe('Authorization header: missing nonce');
  });

  it('reads the scheme case-insensitively and the parameters in any order', async () => {
    const good = sign();
    const params = good.slice('Portcullis-Agent '.length).split(', ').reverse().join(',');
    expect(await reason(`portcullis-agent ${params}`)).toBe('ok');
  });

  it('refuses an unknown or revoked agent', async () => {
    expect(await reason(sign(), { publicKeyFor: () => undefined })).toBe('unknown-agent');
    expect(await reason(sign(), { publicKeyFor: () => ({ publicKey: keys.publicKey, revoked: true }) })).toBe('revoked-agent');
  });

  it('refuses a clock more than 5 minutes off, either way', async () => {
    expect(await reason(sign({ now: NOW - MAX_CLOCK_SKEW_MS }))).toBe('ok');
    expect(await reason(sign({ now: NOW + MAX_CLOCK_SKEW_MS }))).toBe('ok');
    expect(await reason(sign({ now: NOW - MAX_CLOCK_SKEW_MS - 1 }))).toBe('clock-skew');
    const ahead = await verifyAgentRequest(input(sign({ now: NOW + 10 * 60_000 })));
    expect(ahead).toMatchObject({ ok: false, reason: 'clock-skew' });
    expect(ahead.ok === false && ahead.message).toContain('600 s ahead of');
  });

  it('refuses a signature by another key, or over another method, path, time or nonce', async () => {
    const good = sign();
    expect(await reason(sign({ privateKey: other.privateKey }))).toBe('bad-signature');
    expect(await reason(good, { method: 'PUT' })).toBe('bad-signature');
    expect(await reason(good, { path: '/api/agent/requests?x=2' })).toBe('bad-signature');
    expect(await reason(good.replace(`ts=${NOW}`, `ts=${NOW + 1}`))).toBe('bad-signature');
    expect(await reason(good.replace(/nonce=(\S)/, (_, c: string) => `nonce=${c === 'A' ? 'B' : 'A'}`))).toBe('bad-signature');
    expect(await reason(good, { publicKeyFor: () => ({ publicKey: other.publicKey, revoked: false }) })).toBe('bad-signature');
  });

  it('refuses a changed body with its own reason', async () => {
    expect(await reason(sign(), { body: BODY.replace('IT-SUITE-07', 'IT-SUITE-08') })).toBe('body-changed');
    expect(await reason(sign(), { body: undefined })).toBe('body-changed');
  });

  it('refuses a replay, and records only requests that checked out', async () => {
    const clock = { now: NOW };
    const nonces = new NonceCache(() => clock.now, { ttlMs: 2 * MAX_CLOCK_SKEW_MS, maxEntries: 1000 });
    const seenNonce = (nonce: string, agentId: string): boolean => nonces.seen(nonce, agentId);
    const header = sign();
    expect(await reason(header, { body: 'tampered', seenNonce })).toBe('body-changed');
    expect(nonces.size()).toBe(0);
    expect(await reason(header, { seenNonce })).toBe('ok');
    expect(await reason(header, { seenNonce })).toBe('replayed-nonce');
    clock.now += 2 * MAX_CLOCK_SKEW_MS;
    expect(await reason(header, { seenNonce, now: clock.now })).toBe('clock-skew');
  });

  it('property: changing any one character of the signature is refused', async () => {
    const header = sign();
    const sigAt = header.indexOf('sig=') + 4;
    await fc.assert(fc.asyncProperty(fc.integer({ min: sigAt, max: header.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), async (at, replacement) => {
      fc.pre(header[at] !== replacement);
      const changed = header.slice(0, at) + replacement + header.slice(at + 1);
      expect(['bad-signature', 'malformed-header']).toContain(await reason(changed));
    }));
  });

  it('property: any other body is refused as changed', async () => {
    const header = sign();
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), async (body) => {
      fc.pre(body !== BODY);
      expect(await reason(header, { body })).toBe('body-changed');
    }));
  });
});
