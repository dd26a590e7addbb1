/** Test fixtures for the policy modules: a valid document, its JSON, and signing keys made on the fly. */

import type { PolicyDocument } from '../../src/policy/policy-document';
import { generateSigningKeyPair, signingKeyFromPem, trustedKeyFromPem, type SigningKey, type TrustedKey } from '../../src/policy/policy-keys';

export function sampleDocument(overrides: Partial<PolicyDocument> = {}): PolicyDocument {
  return {
    format: 'portcullis-policy/1',
    version: 3,
    issuedAt: '2026-04-20T09:00:00Z',
    mode: 'enforce',
    implicitTarget: 'block',
    rules: [
      {
        id: 'r-keyboards',
        rule: 'allow with-interface equals { 03:01:01 }',
        approvedBy: 'A. Head (Deputy Head)',
        reason: 'Keyboards on every PC',
      },
      {
        id: 'r-0042',
        rule: 'allow id 0781:5567 serial "4C530001230317116462"',
        scope: { machines: ['ICT-SUITE-*'], users: ['jsmith'] },
        expires: '2026-07-22',
        approvedBy: 'B. Bursar',
        reason: 'Year 11 coursework stick',
        requestId: 'REQ-42',
      },
    ],
    ...overrides,
  };
}

export function sampleJson(overrides: Partial<PolicyDocument> = {}): string {
  return `${JSON.stringify(sampleDocument(overrides), null, 2)}\n`;
}

export interface TestKeys {
  signing: SigningKey;
  trusted: TrustedKey;
  publicKeyPem: string;
  privateKeyPem: string;
}

export function makeTestKeys(): TestKeys {
  const pair = generateSigningKeyPair();
  const signing = signingKeyFromPem(pair.privateKeyPem, 'test.key');
  const trusted = trustedKeyFromPem(pair.publicKeyPem, 'test.pub');
  if (!signing.ok || !trusted.ok) throw new Error('test keys did not load');
  return { signing: signing.value, trusted: trusted.value, publicKeyPem: pair.publicKeyPem, privateKeyPem: pair.privateKeyPem };
}
