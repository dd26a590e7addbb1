import { parsePolicyDocument } from './policy-document';
import { sampleDocument, sampleJson } from '../../test/support/policy-fixtures';

/** The error for a sample document changed by `edit`. */
function errorAfter(edit: (doc: Record<string, unknown> & { rules: Record<string, unknown>[] }) => void): string {
  const doc = JSON.parse(sampleJson()) as Record<string, unknown> & { rules: Record<string, unknown>[] };
  edit(doc);
  const parsed = parsePolicyDocument(JSON.stringify(doc), 'policy.json');
  if (parsed.ok) throw new Error('expected the document to be refused');
  return parsed.error;
}

describe('parsePolicyDocument', () => {
  it('accepts a valid document and returns it as data', () => {
    expect(parsePolicyDocument(sampleJson(), 'policy.json')).toEqual({ ok: true, value: sampleDocument() });
  });

  it('accepts a document with no rules, and expiry as a date-time with an offset', () => {
    expect(parsePolicyDocument(sampleJson({ rules: [] }), 'p.json').ok).toBe(true);
    const timed = sampleDocument();
    timed.rules[1] = { ...timed.rules[1]!, expires: '2026-07-22T16:00:00+01:00' };
    expect(parsePolicyDocument(JSON.stringify(timed), 'p.json').ok).toBe(true);
  });

  it('accepts an idle policy, filling its defaults and reading its durations as milliseconds', () => {
    const parsed = parsePolicyDocument(JSON.stringify({ ...sampleDocument(), idle: { lockAfter: '10m', logoffAfter: 'never' } }), 'p.json');
    expect(parsed.ok && parsed.value.idle).toMatchObject({ lockAfter: 600_000, logoffAfter: 'never', warnFor: 60_000, overrides: [] });
  });

  it('refuses text that is not JSON, naming the file', () => {
    const parsed = parsePolicyDocument('{ "format": ', 'policy.json');
    expect(parsed).toEqual({ ok: false, error: expect.stringMatching(/^policy\.json: not valid JSON \(/) });
  });

  it('refuses JSON that is not an object', () => {
    expect(parsePolicyDocument('[]', 'policy.json')).toEqual({ ok: false, error: 'policy.json: expected an object, got an array' });
  });

  it.each([
    ['format', (d: Record<string, unknown>) => (d.format = 'portcullis-policy/2'), 'policy.json: format: expected "portcullis-policy/1"'],
    ['format missing', (d: Record<string, unknown>) => delete d.format, 'policy.json: format: required, but missing'],
    ['version zero', (d: Record<string, unknown>) => (d.version = 0), 'policy.json: version: expected a whole number of 1 or more'],
    ['version fraction', (d: Record<string, unknown>) => (d.version = 1.5), 'policy.json: version: expected a whole number'],
    ['version text', (d: Record<string, unknown>) => (d.version = '3'), 'policy.json: version: expected a whole number'],
    ['version missing', (d: Record<string, unknown>) => delete d.version, 'policy.json: version: required, but missing'],
    ['issuedAt', (d: Record<string, unknown>) => (d.issuedAt = 'yesterday'), 'policy.json: issuedAt: expected an ISO 8601 date-time with a time zone (2026-04-20T09:00:00Z)'],
    ['issuedAt without zone', (d: Record<string, unknown>) => (d.issuedAt = '2026-04-20T09:00:00'), 'policy.json: issuedAt: expected an ISO 8601 date-time with a time zone (2026-04-20T09:00:00Z)'],
    ['issuedAt missing', (d: Record<string, unknown>) => delete d.issuedAt, 'policy.json: issuedAt: required, but missing'],
    ['mode', (d: Record<string, unknown>) => (d.mode = 'strict'), 'policy.json: mode: expected "enforce" or "audit"'],
    ['implicitTarget', (d: Record<string, unknown>) => (d.implicitTarget = 'match'), 'policy.json: implicitTarget: expected "allow", "block" or "reject"'],
    ['rules', (d: Record<string, unknown>) => (d.rules = {}), 'policy.json: rules: expected an array, got an object'],
    ['unknown field', (d: Record<string, unknown>) => (d.idel = {}), 'policy.json: unknown field "idel"'],
    ['idle setting', (d: Record<string, unknown>) => (d.idle = { lockAfter: '1m', warnFor: '2m' }), 'policy.json: idle.warnFor: warnFor (2m) must be shorter than lockAfter (1m)'],
  ])('names the field: %s', (_name, edit, message) => {
    expect(errorAfter(edit)).toBe(message);
  });

  it.each([
    ['id empty', (r: Record<string, unknown>) => (r.id = ''), 'policy.json: rules[1].id: expected a non-empty string'],
    ['id missing', (r: Record<string, unknown>) => delete r.id, 'policy.json: rules[1].id: required, but missing'],
    ['rule not a string', (r: Record<string, unknown>) => (r.rule = 7), 'policy.json: rules[1].rule: expected a string, got a number'],
    ['rule with a match target', (r: Record<string, unknown>) => (r.rule = 'match id 1234:5678'), 'policy.json: rules[1].rule: expected a rule whose target is allow, block or reject, not match'],
    ['rule on two lines', (r: Record<string, unknown>) => (r.rule = 'allow id 1234:5678\nblock'), 'policy.json: rules[1].rule: expected one rule on one line'],
    ['expires', (r: Record<string, unknown>) => (r.expires = 'end of term'), expect.stringMatching(/^policy\.json: rules\[1\]\.expires: expected an ISO 8601 date \(2026-07-22\)/)],
    ['expires impossible date', (r: Record<string, unknown>) => (r.expires = '2026-02-30'), expect.stringMatching(/^policy\.json: rules\[1\]\.expires: expected an ISO 8601 date/)],
    ['expires without zone', (r: Record<string, unknown>) => (r.expires = '2026-07-22T16:00:00'), expect.stringMatching(/^policy\.json: rules\[1\]\.expires: expected an ISO 8601 date/)],
    ['approvedBy', (r: Record<string, unknown>) => (r.approvedBy = ''), 'policy.json: rules[1].approvedBy: expected a non-empty string'],
    ['reason', (r: Record<string, unknown>) => (r.reason = null), 'policy.json: rules[1].reason: expected a string, got null'],
    ['requestId', (r: Record<string, unknown>) => (r.requestId = 42), 'policy.json: rules[1].requestId: expected a string, got a number'],
    ['misspelt field', (r: Record<string, unknown>) => (r.expiry = '2026-07-22'), 'policy.json: rules[1]: unknown field "expiry"'],
    ['scope field', (r: Record<string, unknown>) => (r.scope = { rooms: ['ICT'] }), 'policy.json: rules[1].scope: unknown field "rooms"'],
    ['scope.machines empty', (r: Record<string, unknown>) => (r.scope = { machines: [] }), 'policy.json: rules[1].scope.machines: expected at least one machine name (leave the list out to mean any)'],
    ['scope.users not a list', (r: Record<string, unknown>) => (r.scope = { users: 'jsmith' }), 'policy.json: rules[1].scope.users: expected an array, got a string'],
    ['scope.groups entry', (r: Record<string, unknown>) => (r.scope = { groups: ['staff', ''] }), 'policy.json: rules[1].scope.groups[1]: expected a group name, not an empty string'],
  ])('names the rule field: %s', (_name, edit, message) => {
    expect(errorAfter((doc) => edit(doc.rules[1]!))).toEqual(message);
  });

  it('names the rule field and passes on the rule parser\'s position for a syntax error', () => {
    const error = errorAfter((doc) => (doc.rules[0]!.rule = 'allow id 0781'));
    expect(error).toMatch(/^policy\.json: rules\[0\]\.rule: .*:1:\d+: expected /);
  });

  it('refuses duplicate rule ids, naming both', () => {
    const error = errorAfter((doc) => (doc.rules[1]!.id = 'r-keyboards'));
    expect(error).toBe('policy.json: rules[1].id: duplicate id "r-keyboards" (already used by rules[0])');
  });

  it('reports every problem, one per line', () => {
    const error = errorAfter((doc) => {
      doc.version = -1;
      doc.mode = 'loud';
      doc.rules[0]!.expires = 'soon';
    });
    expect(error.split('\n')).toEqual([
      'policy.json: version: expected a whole number of 1 or more',
      'policy.json: mode: expected "enforce" or "audit"',
      expect.stringMatching(/^policy\.json: rules\[0\]\.expires: /),
    ]);
  });
});
