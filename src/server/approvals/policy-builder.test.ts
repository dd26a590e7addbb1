import { parsePolicyDocument, type PolicyDocument, type PolicyRuleEntry } from '../../policy/policy-document';
import { policyDocumentText } from './policy-text';
import { buildPolicyVersion, PolicyBuildError, type ApprovalRecord } from './policy-builder';
import { sampleDocument } from '../../../test/support/policy-fixtures';

const now = new Date('2026-11-02T10:00:00Z');

function entry(id: string, overrides: Partial<PolicyRuleEntry> = {}): PolicyRuleEntry {
  return { id, rule: `allow hash "${id}"`, expires: '2026-12-18', approvedBy: 'A. Head', reason: 'coursework', requestId: `REQ-${id}`, ...overrides };
}

function approval(id: string, createdAt: string, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return { id, requestId: `REQ-${id}`, entry: entry(id), createdAt, ...overrides };
}

function parsedDocument(value: unknown): PolicyDocument {
  const parsed = parsePolicyDocument(JSON.stringify(value), 'previous.json');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function thrown(run: () => unknown): PolicyBuildError {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyBuildError) return error;
    throw error;
  }
  throw new Error('expected a PolicyBuildError');
}

describe('buildPolicyVersion', () => {
  it('starts at version 1, enforcing and blocking by default, when there is no previous policy', () => {
    const document = buildPolicyVersion(undefined, [approval('a1', '2026-10-01T09:00:00Z')], now);
    expect(document).toEqual({
      format: 'portcullis-policy/1',
      version: 1,
      issuedAt: '2026-11-02T10:00:00.000Z',
      mode: 'enforce',
      implicitTarget: 'block',
      rules: [entry('a1')],
    });
  });

  it('keeps the base rules first and the mode, target, idle and other-device settings; replaces the previous approvals', () => {
    const previous = parsedDocument({
      ...sampleDocument({ mode: 'audit', implicitTarget: 'reject', otherDevices: { bluetooth: { default: 'block' } } }),
      idle: { lockAfter: '10m', logoffAfter: 'never', overrides: [{ scope: { groups: ['SLT'] }, lockAfter: '2m', warnFor: '30s' }] },
    });
    const document = buildPolicyVersion(previous, [approval('a1', '2026-10-01T09:00:00Z')], now);
    expect(document).toMatchObject({ version: 4, mode: 'audit', implicitTarget: 'reject', otherDevices: { bluetooth: { default: 'block' } } });
    expect(document.idle).toEqual(previous.idle);
    expect(document.idle).toMatchObject({ lockAfter: 600_000, logoffAfter: 'never' });
    expect(document.rules.map((r) => r.id)).toEqual(['r-keyboards', 'a1']);
  });

  it('orders approvals by creation time, then id', () => {
    const approvals = [approval('b', '2026-10-02T09:00:00Z'), approval('c', '2026-10-01T09:00:00+01:00'), approval('a', '2026-10-02T09:00:00Z')];
    expect(buildPolicyVersion(undefined, approvals, now).rules.map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(buildPolicyVersion(undefined, [...approvals].reverse(), now).rules.map((r) => r.id)).toEqual(['c', 'a', 'b']);
  });

  it('drops revoked and expired approvals, and an approval expiring today stays to the end of the day', () => {
    const approvals = [
      approval('revoked', '2026-10-01T09:00:00Z', { revokedAt: '2026-10-20T09:00:00Z' }),
      approval('expired', '2026-09-01T09:00:00Z', { entry: entry('expired', { expires: '2026-11-01' }) }),
      approval('today', '2026-09-01T09:00:00Z', { entry: entry('today', { expires: '2026-11-02' }) }),
      approval('open-ended', '2026-09-02T09:00:00Z', { entry: entry('open-ended', { expires: undefined }) }),
    ];
    expect(buildPolicyVersion(undefined, approvals, now).rules.map((r) => r.id)).toEqual(['today', 'open-ended']);
  });

  it('does not carry a revoked approval made without a request over as a base rule', () => {
    const noRequest = approval('a9', '2026-10-01T09:00:00Z', { requestId: undefined, entry: entry('a9', { requestId: undefined }) });
    const v1 = buildPolicyVersion(undefined, [noRequest], now);
    expect(v1.rules.map((r) => r.id)).toEqual(['a9']);
    expect(buildPolicyVersion(v1, [noRequest], now).rules.map((r) => r.id)).toEqual(['a9']);
    expect(buildPolicyVersion(v1, [{ ...noRequest, revokedAt: '2026-11-01T09:00:00Z' }], now).rules).toEqual([]);
  });

  it("gives the rule the approval's request id", () => {
    const record = approval('a1', '2026-10-01T09:00:00Z', { requestId: 'REQ-7', entry: entry('a1', { requestId: undefined }) });
    expect(buildPolicyVersion(undefined, [record], now).rules[0]?.requestId).toBe('REQ-7');
  });

  it('throws naming the approval whose rule is not valid, rather than build an invalid policy', () => {
    const bad = approval('a2', '2026-10-01T09:00:00Z', { entry: entry('a2', { rule: 'allow id 0781' }) });
    const error = thrown(() => buildPolicyVersion(undefined, [approval('a1', '2026-09-01T09:00:00Z'), bad], now));
    expect(error.approvalId).toBe('a2');
    expect(error.message).toMatch(/^approval a2: entry\.rule: /);
  });

  it('throws naming the approval for a bad creation time, a clashing request id, a rule id already in use, or a repeated approval', () => {
    expect(thrown(() => buildPolicyVersion(undefined, [approval('a1', 'yesterday')], now)).message).toBe('approval a1: createdAt: expected an ISO 8601 date-time, got "yesterday"');
    expect(thrown(() => buildPolicyVersion(undefined, [approval('a1', '2026-10-01T09:00:00Z', { requestId: 'REQ-9' })], now)).message).toBe(
      'approval a1: its rule entry answers request REQ-a1, but the approval answers request REQ-9',
    );
    expect(thrown(() => buildPolicyVersion(sampleDocument(), [approval('x', '2026-10-01T09:00:00Z', { entry: entry('r-keyboards', { requestId: 'REQ-x' }) })], now)).message).toBe(
      'approval x: rule id "r-keyboards" is already used by a base rule of the previous policy',
    );
    const twins = [approval('a1', '2026-10-01T09:00:00Z'), approval('a2', '2026-10-02T09:00:00Z', { entry: entry('a1', { requestId: 'REQ-a2' }) })];
    expect(thrown(() => buildPolicyVersion(undefined, twins, now)).message).toBe('approval a2: rule id "a1" is already used by approval a1');
    expect(thrown(() => buildPolicyVersion(undefined, [approval('a1', '2026-10-01T09:00:00Z'), approval('a1', '2026-10-01T09:00:00Z')], now)).message).toBe(
      'approval a1 is listed twice',
    );
  });

  it('ignores a bad approval that is revoked or expired anyway', () => {
    const bad = approval('a2', '2026-10-01T09:00:00Z', { entry: entry('a2', { rule: 'allow id 0781' }), revokedAt: '2026-10-02T09:00:00Z' });
    expect(buildPolicyVersion(undefined, [bad], now).rules).toEqual([]);
  });

  it('refuses to build on a previous policy whose base rules are not valid', () => {
    const previous = sampleDocument({ rules: [{ id: 'r1', rule: 'allow id 0781' }] });
    expect(thrown(() => buildPolicyVersion(previous, [], now)).message).toMatch(/^the new policy would not be valid, so it was not built:\npolicy v4: rules\[0\]\.rule: /);
  });

  it('gives text that reads back to the same document, idle durations included', () => {
    const previous = parsedDocument({ ...sampleDocument(), idle: { lockAfter: '1h30m15s', warnFor: '0s', exemptUsers: ['caretaker'] } });
    const document = buildPolicyVersion(previous, [approval('a1', '2026-10-01T09:00:00Z')], now);
    const text = policyDocumentText(document);
    expect(text).toContain('"lockAfter": "1h30m15s"');
    expect(parsePolicyDocument(text, 'v4.json')).toEqual({ ok: true, value: document });
  });
});
