import { sampleDocument } from '../../test/support/policy-fixtures';
import { formatPolicySummary } from './policy-summary';

describe('formatPolicySummary', () => {
  it('lists version, mode, implicit target and each rule with its approval, scope and expiry', () => {
    expect(formatPolicySummary(sampleDocument(), 'verified, key abc', new Date('2026-06-01T00:00:00Z'))).toBe(
      [
        'Policy version 3, issued 2026-04-20T09:00:00Z',
        'Signature:       verified, key abc',
        'Mode:            enforce (devices the policy does not allow are blocked)',
        'Implicit target: block (a device no rule matches is blocked)',
        'Rules:           2, first match wins',
        '',
        '1. r-keyboards',
        '   rule:        allow with-interface equals { 03:01:01 }',
        '   approved by: A. Head (Deputy Head)',
        '   reason:      Keyboards on every PC',
        '   scope:       every machine and user',
        '   expires:     never',
        '',
        '2. r-0042',
        '   rule:        allow id 0781:5567 serial "4C530001230317116462"',
        '   approved by: B. Bursar',
        '   reason:      Year 11 coursework stick',
        '   request:     REQ-42',
        '   scope:       machines ICT-SUITE-*; users jsmith',
        '   expires:     2026-07-22',
        '',
      ].join('\n'),
    );
  });

  it('marks expired rules and counts them; explains audit mode and other implicit targets', () => {
    const summary = formatPolicySummary(sampleDocument({ mode: 'audit', implicitTarget: 'reject' }), 'none', new Date('2026-07-23T00:00:00Z'));
    expect(summary).toContain('Mode:            audit (nothing is blocked; decisions are only logged and shown)');
    expect(summary).toContain('Implicit target: reject (a device no rule matches is blocked and removed)');
    expect(summary).toContain('Rules:           2 (1 expired), first match wins');
    expect(summary).toContain('2. r-0042  [EXPIRED: expired on 2026-07-22]');
    expect(summary).toContain('1. r-keyboards\n');
    const open = formatPolicySummary(sampleDocument({ implicitTarget: 'allow', rules: [{ id: 'g', rule: 'block', scope: { groups: ['students'] } }] }), 'none', new Date());
    expect(open).toContain('Implicit target: allow (a device no rule matches is allowed)');
    expect(open).toContain('   scope:       groups students');
  });
});
