import { generateKeyPairSync } from 'node:crypto';
import {
  acceptEnrolment, agentPublicKeyText, createAgentId, createEnrolmentToken, DEFAULT_ENROLMENT_TOKEN_TTL_MS, enrolmentTokenProblem,
  generateAgentKeyPair, parseAgentPublicKey, parseEnrolmentToken, signAgentRequest, verifyAgentRequest, type StoredEnrolmentToken,
} from './agent-credentials';

const NOW = Date.UTC(2026, 2, 2, 9, 0);

describe('enrolment tokens', () => {
  it('are pce_ and 32 lower-case base32 symbols, kept as a hash, with an expiry', () => {
    const { token, tokenHash, expiresAt } = createEnrolmentToken(NOW);
    expect(token).toMatch(/^pce_[0-9a-hjkmnp-tv-z]{32}$/);
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(expiresAt).toBe(NOW + DEFAULT_ENROLMENT_TOKEN_TTL_MS);
    expect(parseEnrolmentToken(token)).toEqual({ ok: true, value: tokenHash });
    expect(createEnrolmentToken(NOW).token).not.toBe(token);
  });

  it('are read back however they were typed', () => {
    const { token, tokenHash } = createEnrolmentToken(NOW, 60_000, (size) => Buffer.alloc(size, 0x01));
    const body = token.slice(4);
    expect(body).toContain('0');
    expect(body).toContain('1');
    const typed = `  PCE_${body.toUpperCase().replaceAll('0', 'O').replaceAll('1', 'l').replace(/(.{8})/g, '$1-')}  `;
    expect(parseEnrolmentToken(typed)).toEqual({ ok: true, value: tokenHash });
  });

  it('refuse anything else as malformed', () => {
    const { token } = createEnrolmentToken(NOW);
    for (const presented of ['', token.slice(4), `pcx_${token.slice(4)}`, token.slice(0, -1), `${token}0`, `${token.slice(0, -1)}u`]) {
      expect(parseEnrolmentToken(presented)).toMatchObject({ ok: false, error: { code: 'malformed-token' } });
    }
  });

  it('refuse a lifetime that is not positive', () => {
    expect(() => createEnrolmentToken(NOW, 0)).toThrow('must be positive');
  });

  it('admit one agent, before expiry', () => {
    const stored: StoredEnrolmentToken = { tokenHash: 'h', expiresAt: NOW + 1000 };
    expect(enrolmentTokenProblem(stored, NOW)).toBeUndefined();
    expect(enrolmentTokenProblem(undefined, NOW)?.code).toBe('unknown-token');
    expect(enrolmentTokenProblem(stored, NOW + 1000)?.code).toBe('expired-token');
    expect(enrolmentTokenProblem({ ...stored, usedAt: NOW - 5 }, NOW)?.code).toBe('used-token');
  });
});

describe('agent ids and keys', () => {
  it('agent ids are agt_ and 16 base32 symbols', () => {
    expect(createAgentId()).toMatch(/^agt_[0-9a-hjkmnp-tv-z]{16}$/);
  });

  it('the agent sends its raw Ed25519 public key in base64url', () => {
    const pair = generateAgentKeyPair();
    expect(pair.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    const parsed = parseAgentPublicKey(pair.publicKey);
    expect(parsed.ok && agentPublicKeyText(parsed.value)).toBe(pair.publicKey);
  });

  it('refuses anything but an Ed25519 public key', () => {
    for (const text of ['', 'x'.repeat(42), 'x'.repeat(44), `${'A'.repeat(42)}=`, '-----BEGIN PUBLIC KEY-----']) {
      expect(parseAgentPublicKey(text)).toMatchObject({ ok: false, error: { code: 'bad-public-key' } });
    }
    expect(() => agentPublicKeyText(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toThrow('not an Ed25519 public key');
  });
});

describe('acceptEnrolment', () => {
  const issued = createEnrolmentToken(NOW);
  const stored = new Map<string, StoredEnrolmentToken>([[issued.tokenHash, { tokenHash: issued.tokenHash, expiresAt: issued.expiresAt }]]);
  const lookup = (hash: string): StoredEnrolmentToken | undefined => stored.get(hash);
  const keys = generateAgentKeyPair();
  const request = { token: issued.token, publicKey: keys.publicKey, machineName: 'IT-SUITE-07' };

  it('admits an agent: a new id, its key, and an offline secret to return once', async () => {
    const result = acceptEnrolment(request, lookup, NOW);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.agentId).toMatch(/^agt_/);
    expect(result.value.tokenHash).toBe(issued.tokenHash);
    expect(result.value.machineName).toBe('IT-SUITE-07');
    expect(result.value.offlineSecret).toHaveLength(32);
    // The key it admitted verifies that agent's requests.
    const header = signAgentRequest({ agentId: result.value.agentId, privateKey: keys.privateKey, method: 'GET', path: '/api/agent/policy', now: NOW });
    const verdict = await verifyAgentRequest({ header, method: 'GET', path: '/api/agent/policy', now: NOW, publicKeyFor: () => ({ publicKey: result.value.publicKey, revoked: false }), seenNonce: () => false });
    expect(verdict).toEqual({ ok: true, agentId: result.value.agentId });
  });

  it('says why it refuses', () => {
    const code = (over: Partial<typeof request>, now = NOW): string | undefined => {
      const result = acceptEnrolment({ ...request, ...over }, lookup, now);
      return result.ok ? undefined : result.error.code;
    };
    expect(code({ token: 'pce_nope' })).toBe('malformed-token');
    expect(code({ token: createEnrolmentToken(NOW).token })).toBe('unknown-token');
    expect(code({}, issued.expiresAt)).toBe('expired-token');
    expect(code({ publicKey: 'not a key' })).toBe('bad-public-key');
    expect(code({ machineName: '' })).toBe('bad-machine-name');
    expect(code({ machineName: 'pc 7; rm -rf /' })).toBe('bad-machine-name');
    stored.set(issued.tokenHash, { tokenHash: issued.tokenHash, expiresAt: issued.expiresAt, usedAt: NOW });
    expect(code({})).toBe('used-token');
  });
});
