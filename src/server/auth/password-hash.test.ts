import { CURRENT_SCRYPT_PARAMS, hashPassword, needsRehash, verifyPassword, verifyPasswordForUnknownAccount, type ScryptParams } from './password-hash';

/** Cheap parameters so most tests are quick; one test uses the real ones. */
const FAST: ScryptParams = { N: 2 ** 10, r: 8, p: 1, saltBytes: 16, hashBytes: 32 };
const fixedRandom = (size: number): Buffer => Buffer.alloc(size, 7);

describe('hashPassword and verifyPassword', () => {
  it('writes scrypt$N$r$p$salt$hash in base64url and verifies it', async () => {
    const encoded = await hashPassword('Kestrel-Orbit-58', FAST);
    expect(encoded).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    await expect(verifyPassword('Kestrel-Orbit-58', encoded)).resolves.toBe(true);
    await expect(verifyPassword('Kestrel-Orbit-59', encoded)).resolves.toBe(false);
    await expect(verifyPassword('', encoded)).resolves.toBe(false);
  });

  it('salts every hash, and takes its salt from the random source it is given', async () => {
    const a = await hashPassword('same password 1!', FAST);
    const b = await hashPassword('same password 1!', FAST);
    expect(a).not.toBe(b);
    const fixed = await hashPassword('same password 1!', FAST, fixedRandom);
    expect(fixed.split('$')[4]).toBe(Buffer.alloc(16, 7).toString('base64url'));
    expect(await hashPassword('same password 1!', FAST, fixedRandom)).toBe(fixed);
  });

  it('treats the same text typed in different Unicode forms as one password (NFKC)', async () => {
    const encoded = await hashPassword('ﬁsh-Caf\u00e9-1', FAST);
    await expect(verifyPassword('fish-Cafe\u0301-1', encoded)).resolves.toBe(true);
  });

  it('refuses a hash whose stored bytes were changed', async () => {
    const encoded = await hashPassword('Kestrel-Orbit-58', FAST);
    const parts = encoded.split('$');
    const hash = Buffer.from(parts[5] ?? '', 'base64url');
    hash[0] = (hash[0] ?? 0) ^ 1;
    parts[5] = hash.toString('base64url');
    await expect(verifyPassword('Kestrel-Orbit-58', parts.join('$'))).resolves.toBe(false);
  });

  it('throws a clear error for a malformed or dangerous stored hash', async () => {
    await expect(verifyPassword('x', 'bcrypt$2b$10$abc')).rejects.toThrow('stored password hash is malformed');
    await expect(verifyPassword('x', 'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow('N must be a power of two');
    await expect(verifyPassword('x', 'scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow('unusable parameters');
    await expect(verifyPassword('x', 'scrypt$1024$64$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow('r must be');
  });

  it('refuses weak parameters when hashing', async () => {
    await expect(hashPassword('x', { ...FAST, N: 1000 })).rejects.toThrow('invalid scrypt parameters');
    await expect(hashPassword('x', { ...FAST, saltBytes: 8 })).rejects.toThrow('at least 16 bytes');
  });
});

describe('needsRehash', () => {
  it('is true when any parameter, the salt or the hash is below the current ones', async () => {
    const fast = await hashPassword('Kestrel-Orbit-58', FAST);
    expect(needsRehash(fast)).toBe(true);
    expect(needsRehash(fast, FAST)).toBe(false);
    expect(needsRehash(fast, { ...FAST, r: 16 })).toBe(true);
    expect(needsRehash(fast, { ...FAST, p: 2 })).toBe(true);
    expect(needsRehash(fast, { ...FAST, hashBytes: 64 })).toBe(true);
    expect(needsRehash(fast, { ...FAST, N: 2 ** 9 })).toBe(false);
  });

  it('throws for a malformed hash', () => {
    expect(() => needsRehash('plain text')).toThrow('malformed');
  });
});

describe('the current parameters', () => {
  it('are at least N=2^15, r=8, p=1', () => {
    expect(CURRENT_SCRYPT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(CURRENT_SCRYPT_PARAMS.r).toBeGreaterThanOrEqual(8);
    expect(CURRENT_SCRYPT_PARAMS.p).toBeGreaterThanOrEqual(1);
  });

  it("work beyond Node's default maxmem, without blocking the event loop", async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    const encoded = await hashPassword('Kestrel-Orbit-58');
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(encoded.startsWith(`scrypt$${CURRENT_SCRYPT_PARAMS.N}$8$1$`)).toBe(true);
    expect(needsRehash(encoded)).toBe(false);
    await expect(verifyPassword('Kestrel-Orbit-58', encoded)).resolves.toBe(true);
  });
});

describe('verifyPasswordForUnknownAccount', () => {
  it('spends a verification and is always false', async () => {
    await expect(verifyPasswordForUnknownAccount('portcullis-no-such-account', FAST)).resolves.toBe(false);
  });
});
