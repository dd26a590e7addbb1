import { engineFromPolicy, engineFromRulesFile, type DecisionEngine } from './decision-engine';
import type { ConditionEnvironment } from '../rules/conditions';
import { sampleDocument } from '../../test/support/policy-fixtures';
import { sampleDevice } from '../../test/support/sample-device';

const env: ConditionEnvironment = { now: () => new Date('2026-05-01T10:00:00Z'), random: () => 0.5, allowedDevices: () => [] };

function rulesEngine(text: string): DecisionEngine {
  const built = engineFromRulesFile(text, 'rules.conf');
  if ('errors' in built) throw new Error(built.errors.map((e) => e.message).join('\n'));
  return built.engine;
}

describe('DecisionEngine from a rules file', () => {
  it('explains an implicit block in plain words', () => {
    const decision = rulesEngine('allow with-interface equals { 09:00:* }\n').decide(sampleDevice(), env);
    expect(decision).toEqual({ target: 'block', implicit: true, reason: 'blocked: no rule allows a USB storage device from SanDisk' });
  });

  it('names an unnamed maker by vendor id', () => {
    expect(rulesEngine('').decide(sampleDevice({ manufacturer: '', kind: 'keyboard' }), env).reason).toBe('blocked: no rule allows a keyboard from vendor 0781');
  });

  it('names the deciding rule by file and line, with its labels, in canonical form', () => {
    const decision = rulesEngine('# approvals\n\nallow  id 0781:5567 label "Y11 coursework"\n').decide(sampleDevice(), env);
    expect(decision).toMatchObject({ target: 'allow', implicit: false, rule: 'allow id 0781:5567 label "Y11 coursework"' });
    expect(decision.reason).toBe('allowed by rules.conf:3 (label "Y11 coursework")');
  });

  it('refuses a file with a syntax error, naming line and column', () => {
    const built = engineFromRulesFile('allow id 0781:5567\nallow id 0781\n', 'rules.conf');
    expect('errors' in built && built.errors[0]?.message).toMatch(/^rules\.conf:2:\d+: /);
  });
});

describe('DecisionEngine from a policy document', () => {
  const stick = sampleDevice();

  it('applies an approval within its scope and before its expiry, naming who approved it', () => {
    const engine = engineFromPolicy(sampleDocument(), { machine: 'ict-suite-07', user: 'jsmith', groups: [] }, new Date('2026-05-01T10:00:00Z'));
    expect(engine.decide(stick, env).reason).toBe('allowed by policy v3, rule r-0042 (approved by B. Bursar, "Year 11 coursework stick", until 2026-07-22)');
  });

  it('says when an approval would allow the device but has expired', () => {
    const engine = engineFromPolicy(sampleDocument(), { machine: 'ICT-SUITE-07', user: 'jsmith', groups: [] }, new Date('2026-09-01T10:00:00Z'));
    const decision = engine.decide(stick, env);
    expect(decision.target).toBe('block');
    expect(decision.reason).toBe(
      'blocked: no rule allows a USB storage device from SanDisk; policy v3, rule r-0042 (approved by B. Bursar, "Year 11 coursework stick", until 2026-07-22) would allow it but is not in force: expired on 2026-07-22',
    );
  });

  it('does not apply an approval scoped to other machines', () => {
    const engine = engineFromPolicy(sampleDocument(), { machine: 'STAFFROOM-1', user: 'jsmith', groups: [] }, new Date('2026-05-01T10:00:00Z'));
    expect(engine.decide(stick, env).reason).toMatch(/would allow it but is not in force: only for machines ICT-SUITE-\*, not STAFFROOM-1$/);
    expect(engine.ruleCount).toBe(1);
  });

  it('uses the document implicit target', () => {
    const engine = engineFromPolicy(sampleDocument({ implicitTarget: 'allow', rules: [] }), { machine: 'X', groups: [] }, new Date());
    expect(engine.decide(stick, env)).toMatchObject({ target: 'allow', implicit: true, reason: 'allowed: no rule blocks a USB storage device from SanDisk, and this policy allows by default' });
  });
});
