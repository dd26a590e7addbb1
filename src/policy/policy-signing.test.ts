import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { makeTestKeys, sampleDocument, sampleJson } from '../../test/support/policy-fixtures';
import { keyIdOf, trustedKeyFromPem } from './policy-keys';
import { documentSha256, signPolicyDocument, verifySignedPolicy, SIGNED_POLICY_FORMAT, type VerifyErrorCode } from './policy-signing';

const keys = makeTestKeys();
const otherKeys = makeTestKeys();

function signed(documentText = sampleJson()): string {
  const result = signPolicyDocument(documentText, 'policy.json', keys.signing);
  if (!result.ok) throw new Error(result.error);
  return result.value.envelopeText;
}

function envelopeOf(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

function refusal(text: string, replay?: { highestVersion: number; acceptedDocumentSha256?: string }): { code: VerifyErrorCode; message: string } {
  const result = verifySignedPolicy(text, 'signed.json', { trustedKeys: [keys.trusted], replay });
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

describe('keys', () => {
  it('key ids are 16 base64url characters of the public key fingerprint', () => {
    expect(keys.trusted.keyId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(keys.signing.keyId).toBe(keys.trusted.keyId);
    expect(keyIdOf(keys.trusted.publicKey)).toBe(keys.trusted.keyId);
    expect(otherKeys.trusted.keyId).not.toBe(keys.trusted.keyId);
  });

  it('a trusted key must be an Ed25519 public key', () => {
    expect(trustedKeyFromPem(keys.privateKeyPem, 'k.key')).toEqual({ ok: false, error: expect.stringMatching(/^k\.key: this is a private key/) });
    expect(trustedKeyFromPem('hello', 'k.pub')).toEqual({ ok: false, error: 'k.pub: not a PEM public key' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(trustedKeyFromPem(rsa, 'rsa.pub')).toEqual({ ok: false, error: 'rsa.pub: expected an Ed25519 key, got rsa' });
  });
});

describe('signing and verification', () => {
  it('round trip: the exact document text comes back, with the key that signed it', () => {
    const text = sampleJson();
    const envelope = envelopeOf(signed(text));
    expect(envelope).toEqual({ format: SIGNED_POLICY_FORMAT, keyId: keys.trusted.keyId, document: text, signature: expect.any(String) });
    const verified = verifySignedPolicy(signed(text), 'signed.json', { trustedKeys: [keys.trusted] });
    expect(verified).toEqual({
      ok: true,
      value: { document: sampleDocument(), documentText: text, documentSha256: documentSha256(text), keyId: keys.trusted.keyId, envelopeText: signed(text) },
    });
  });

  it('refuses to sign an invalid document, naming the field', () => {
    const result = signPolicyDocument(sampleJson({ version: 0 }), 'policy.json', keys.signing);
    expect(result).toEqual({ ok: false, error: 'policy.json: version: expected a whole number of 1 or more' });
  });

  it('several trusted keys: any of them verifies (key rotation)', () => {
    const byOther = signPolicyDocument(sampleJson(), 'p.json', otherKeys.signing);
    if (!byOther.ok) throw new Error(byOther.error);
    const verified = verifySignedPolicy(byOther.value.envelopeText, 's.json', { trustedKeys: [keys.trusted, otherKeys.trusted] });
    expect(verified.ok && verified.value.keyId).toBe(otherKeys.trusted.keyId);
  });

  it('refuses a document changed after signing', () => {
    const envelope = envelopeOf(signed());
    envelope.document = (envelope.document as string).replace('"version": 3', '"version": 4');
    expect(refusal(JSON.stringify(envelope))).toEqual({ code: 'bad-signature', message: expect.stringMatching(/^signed\.json: the signature does not match the document/) });
  });

  it('refuses a changed signature, including a second spelling of the same bytes', () => {
    const envelope = envelopeOf(signed());
    const signature = envelope.signature as string;
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(refusal(JSON.stringify({ ...envelope, signature: flipped })).code).toBe('bad-signature');
    const lastChar = signature.at(-3) ?? '';
    const respelt = `${signature.slice(0, -3)}${String.fromCharCode(lastChar.charCodeAt(0) + 1)}==`;
    expect(Buffer.from(respelt, 'base64')).toEqual(Buffer.from(signature, 'base64'));
    expect(refusal(JSON.stringify({ ...envelope, signature: respelt })).code).toBe('bad-signature');
    expect(refusal(JSON.stringify({ ...envelope, signature: 'c2lnbmF0dXJl' })).code).toBe('bad-signature');
  });

  it('refuses a key id moved to another trusted key', () => {
    const envelope = { ...envelopeOf(signed()), keyId: otherKeys.trusted.keyId };
    const result = verifySignedPolicy(JSON.stringify(envelope), 's.json', { trustedKeys: [keys.trusted, otherKeys.trusted] });
    expect(!result.ok && result.error.code).toBe('bad-signature');
  });

  it('refuses a policy signed by an unknown key, listing the trusted ones', () => {
    const result = verifySignedPolicy(signed(), 'signed.json', { trustedKeys: [otherKeys.trusted] });
    expect(result).toEqual({
      ok: false,
      error: { code: 'unknown-key', message: `signed.json: signed by key ${keys.trusted.keyId}, which is not a trusted key (trusted: ${otherKeys.trusted.keyId})` },
    });
  });

  it.each([
    ['not JSON', 'hello', 'not-an-envelope', /^signed\.json: not a signed policy: not valid JSON/],
    ['another format', '{"format":"something-else"}', 'not-an-envelope', /^signed\.json: not a signed policy \(expected "format": "portcullis-signed-policy\/1"\)$/],
    ['an array', '[1]', 'not-an-envelope', /^signed\.json: not a signed policy/],
    ['a bare document', sampleJson(), 'unsigned', /^signed\.json: an unsigned policy document/],
    ['no signature', JSON.stringify({ format: SIGNED_POLICY_FORMAT, keyId: 'x', document: '{}' }), 'unsigned', /^signed\.json: the envelope carries no signature$/],
    ['an empty signature', JSON.stringify({ format: SIGNED_POLICY_FORMAT, keyId: 'x', document: '{}', signature: '' }), 'unsigned', /no signature/],
    ['no document', JSON.stringify({ format: SIGNED_POLICY_FORMAT, keyId: 'x', signature: 'x' }), 'not-an-envelope', /^signed\.json: document: required, but missing$/],
  ])('refuses %s', (_name, text, code, message) => {
    expect(refusal(text)).toEqual({ code, message: expect.stringMatching(message) });
  });

  it('refuses a validly signed but invalid document, naming the field', () => {
    const documentText = sampleJson().replace('"enforce"', '"loud"');
    const signature = sign(null, Buffer.from(documentText), keys.signing.privateKey).toString('base64');
    const text = JSON.stringify({ format: SIGNED_POLICY_FORMAT, keyId: keys.signing.keyId, document: documentText, signature });
    expect(refusal(text)).toEqual({ code: 'invalid-document', message: 'signed.json: document: mode: expected "enforce" or "audit"' });
  });

  it('replay: older refused, same version only with identical content, newer accepted', () => {
    const text = sampleJson();
    const sha = documentSha256(text);
    expect(refusal(signed(text), { highestVersion: 5 })).toEqual({
      code: 'replay',
      message: 'signed.json: version 3 is older than version 5, already accepted (a replayed or out-of-date policy)',
    });
    expect(refusal(signed(text), { highestVersion: 3, acceptedDocumentSha256: 'other' }).message).toBe(
      'signed.json: version 3 was already accepted with different content; a changed policy needs a new version (4 or more)',
    );
    expect(verifySignedPolicy(signed(text), 's.json', { trustedKeys: [keys.trusted], replay: { highestVersion: 3, acceptedDocumentSha256: sha } }).ok).toBe(true);
    expect(verifySignedPolicy(signed(text), 's.json', { trustedKeys: [keys.trusted], replay: { highestVersion: 2 } }).ok).toBe(true);
  });
});

describe('tampering, as properties', () => {
  const documentText = sampleJson({ issuedAt: '2026-04-20T09:00:00+01:00' }).replace('Year 11 coursework stick', 'Clé USB, Année 11 — café');
  const envelopeText = signed(documentText);
  const bytes = Buffer.from(documentText, 'utf8');

  it('any single-byte change to the signed document is refused', () => {
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const changed = Buffer.from(bytes);
        changed[index] = (changed[index] ?? 0) ^ mask;
        const tampered = JSON.stringify({ ...envelopeOf(envelopeText), document: changed.toString('utf8') });
        return !verifySignedPolicy(tampered, 's.json', { trustedKeys: [keys.trusted] }).ok;
      }),
      { numRuns: 500 },
    );
  });

  it('any single-byte change to the envelope text is refused or leaves the signed document as it was', () => {
    const raw = Buffer.from(envelopeText, 'utf8');
    fc.assert(
      fc.property(fc.nat({ max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const changed = Buffer.from(raw);
        changed[index] = (changed[index] ?? 0) ^ mask;
        const result = verifySignedPolicy(changed.toString('utf8'), 's.json', { trustedKeys: [keys.trusted] });
        return !result.ok || result.value.documentText === documentText;
      }),
      { numRuns: 500 },
    );
  });
});
