/** Property: whatever SLT decide over sample devices, the built policy parses, allows each approved device exactly where its scope says, and never through a revoked approval. */
import fc from 'fast-check';
import type { Device } from '../../devices/device';
import { engineFromPolicy } from '../../policy/decision-engine';
import { parsePolicyDocument, type PolicyDocument } from '../../policy/policy-document';
import type { MachineContext } from '../../policy/rule-scope';
import type { ConditionEnvironment } from '../../rules/conditions';
import { approvalRuleEntry, type ApprovalDecisionInput } from './approval-scope';
import { buildPolicyVersion, type ApprovalRecord } from './policy-builder';
import { policyDocumentText } from './policy-text';
import { ALL_SAMPLE_DEVICES, sampleRequest, termDates2026To27 } from '../../../test/fixtures/approvals/sample-requests';
import { sampleDocument } from '../../../test/support/policy-fixtures';

const MACHINES = ['ICT-SUITE-01', 'ICT-SUITE-07', 'LIB-01', 'STAFFROOM-1'];
const USERS = ['jsmith', 'akhan', 'blee'];
const GROUPS = ['Science', 'Library', 'SLT'];
const BUILT_AT = new Date('2026-11-02T10:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const terms = termDates2026To27();

interface Spec {
  device: number;
  machine: string;
  user: string;
  decision: ApprovalDecisionInput;
  revoked: boolean;
  createdMinutesAgo: number;
}

const decisionArb: fc.Arbitrary<ApprovalDecisionInput> = fc.record({
  deviceScope: fc.constantFrom({ by: 'serial' as const }, { by: 'model' as const }, { by: 'hash' as const }),
  machineScope: fc.oneof(fc.constant({ machines: 'this' as const }), fc.subarray(GROUPS, { minLength: 1 }).map((groups) => ({ groups })), fc.constant('every' as const)),
  userScope: fc.constantFrom('requester' as const, 'anyone' as const),
  expires: fc.option(fc.integer({ min: 1, max: 300 }).map((days) => new Date(BUILT_AT.getTime() + days * DAY_MS).toISOString().slice(0, 10)), { nil: undefined }),
  conditions: fc.record({ virusChecked: fc.boolean(), encryptedOnly: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }) }),
});

const specArb: fc.Arbitrary<Spec> = fc.record({
  device: fc.integer({ min: 0, max: ALL_SAMPLE_DEVICES.length - 1 }),
  machine: fc.constantFrom(...MACHINES),
  user: fc.constantFrom(...USERS),
  decision: decisionArb,
  revoked: fc.boolean(),
  createdMinutesAgo: fc.integer({ min: 0, max: 60 * 24 * 60 }),
});

const contextArb: fc.Arbitrary<MachineContext> = fc.record({
  machine: fc.constantFrom(...MACHINES, ...MACHINES.map((m) => m.toLowerCase())),
  user: fc.option(fc.constantFrom(...USERS), { nil: undefined }),
  groups: fc.subarray(GROUPS),
});

function deviceAt(spec: Spec): Device {
  return ALL_SAMPLE_DEVICES[spec.device] as Device;
}

function interfaceKey(device: Device): string {
  return device.interfaces.map((i) => `${i.classCode}:${i.subclass}:${i.protocol}`).sort().join(' ');
}

/** The model of an approval, written independently of the rule matcher: which devices it was meant to let in. */
function covers(spec: Spec, device: Device): boolean {
  const approved = deviceAt(spec);
  const sameModel = approved.id.vendor === device.id.vendor && approved.id.product === device.id.product && interfaceKey(approved) === interfaceKey(device);
  const sameName = !spec.decision.conditions?.encryptedOnly || approved.name === device.name;
  switch (spec.decision.deviceScope.by) {
    case 'serial':
      return sameModel && sameName && approved.serial === device.serial;
    case 'model':
      return sameModel && sameName;
    case 'hash':
      return approved.hash === device.hash;
  }
}

function inScope(spec: Spec, context: MachineContext, at: Date): boolean {
  const scope = spec.decision.machineScope;
  const where = scope === 'every' || ('groups' in scope ? scope.groups.some((g) => context.groups.includes(g)) : context.machine.toLowerCase() === spec.machine.toLowerCase());
  const who = spec.decision.userScope === 'anyone' || context.user === spec.user;
  // A date expiry lasts to the end of that day, UTC; the default is the end of the autumn term.
  const lastDay = spec.decision.expires ?? '2026-12-18';
  return where && who && at.getTime() < Date.parse(`${lastDay}T00:00:00Z`) + DAY_MS;
}

/** The approval refuses exactly what cannot be carried out: by serial without one, encrypted-only for a device not on the list. */
function refusalExpected(spec: Spec): boolean {
  const device = deviceAt(spec);
  return (spec.decision.deviceScope.by === 'serial' && device.serial === '') || (spec.decision.conditions?.encryptedOnly === true && !/ironkey/i.test(device.name));
}

function records(specs: readonly Spec[]): { approvals: ApprovalRecord[]; made: { spec: Spec; record: ApprovalRecord }[] } {
  const made: { spec: Spec; record: ApprovalRecord }[] = [];
  specs.forEach((spec, index) => {
    const request = sampleRequest(deviceAt(spec), { id: `REQ-${index}`, machine: spec.machine, user: spec.user });
    const entry = approvalRuleEntry(request, spec.decision, { name: 'A. Head' }, BUILT_AT, terms, { ruleId: `r-${index}` });
    expect(entry.ok).toBe(!refusalExpected(spec));
    if (!entry.ok) return;
    const createdAt = new Date(BUILT_AT.getTime() - spec.createdMinutesAgo * 60_000).toISOString();
    made.push({ spec, record: { id: `A-${index}`, requestId: request.id, entry: entry.value, createdAt, ...(spec.revoked ? { revokedAt: BUILT_AT.toISOString() } : {}) } });
  });
  return { approvals: made.map((m) => m.record), made };
}

const previous: PolicyDocument = sampleDocument({
  rules: [
    { id: 'r-keyboards', rule: 'allow with-interface equals { 03:01:01 }', reason: 'Keyboards on every PC' },
    { id: 'r-stale', rule: 'allow id 0781:5567', requestId: 'REQ-OLD', reason: 'an approval no longer on record' },
  ],
});

function allowed(document: PolicyDocument, context: MachineContext, at: Date, device: Device): boolean {
  const env: ConditionEnvironment = { now: () => at, random: () => 0.5, allowedDevices: () => [] };
  return engineFromPolicy(document, context, at).decide(device, env).target === 'allow';
}

describe('approvals into policy (property)', () => {
  it('always builds a policy that parses, allows each approved device exactly in its scope, and never through a revoked approval', () => {
    fc.assert(
      fc.property(fc.array(specArb, { maxLength: 6 }), fc.array(contextArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 250 }), (specs, contexts, laterDays) => {
        const { approvals, made } = records(specs);
        const document = buildPolicyVersion(previous, approvals, BUILT_AT);
        expect(parsePolicyDocument(policyDocumentText(document), 'built.json')).toEqual({ ok: true, value: document });
        expect(document.rules.map((r) => r.id)).not.toContain('r-stale');
        expect(buildPolicyVersion(previous, [...approvals].reverse(), BUILT_AT)).toEqual(document);

        const active = made.filter((m) => !m.spec.revoked);
        const expectAllowed = (context: MachineContext, at: Date, device: Device): boolean => active.some((m) => covers(m.spec, device) && inScope(m.spec, context, at));
        const at = new Date(BUILT_AT.getTime() + laterDays * DAY_MS);
        const ownContexts = made.map(({ spec }) => ({
          machine: spec.machine,
          user: spec.user,
          groups: typeof spec.decision.machineScope === 'object' && 'groups' in spec.decision.machineScope ? spec.decision.machineScope.groups : [],
        }));
        for (const context of [...ownContexts, ...contexts]) {
          for (const when of [BUILT_AT, at]) {
            for (const device of ALL_SAMPLE_DEVICES) {
              expect({ context, when, device: device.hash, allowed: allowed(document, context, when, device) }).toEqual({ context, when, device: device.hash, allowed: expectAllowed(context, when, device) });
            }
          }
        }
        // Each approval in force lets its own device in where it was asked for, the day it is made.
        for (const [index, { spec }] of made.entries()) {
          const context = ownContexts[index] as MachineContext;
          if (!spec.revoked) expect(allowed(document, context, BUILT_AT, deviceAt(spec))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('lets nothing in when every approval is revoked', () => {
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 1, maxLength: 6 }), contextArb, (specs, context) => {
        const { approvals } = records(specs.map((spec) => ({ ...spec, revoked: true })));
        const document = buildPolicyVersion(previous, approvals, BUILT_AT);
        expect(document.rules.map((r) => r.id)).toEqual(['r-keyboards']);
        for (const device of ALL_SAMPLE_DEVICES) expect(allowed(document, context, BUILT_AT, device)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});
