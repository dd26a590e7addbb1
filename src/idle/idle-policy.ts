/** The idle policy ("lock or log off when you leave a terminal unattended"): its schema, its defaults, and the settings for one machine and user. */

import { z } from 'zod';
import type { Result } from '../policy/policy-document';
import { scopeStatus, type MachineContext } from '../policy/rule-scope';
import { expecting, formatIssues, plainIssueMessages } from '../policy/zod-issues';
import { DAY_MS, durationSchema, formatDuration, HOUR_MS, MINUTE_MS, readDuration, SECOND_MS } from './duration';

const NEVER = 'never';
const LOGOFF_HINT = 'expected a duration such as "30m" or "8h", or "never"';

const lockAfterSchema = durationSchema(SECOND_MS, DAY_MS);
/** Counted from the lock; "never" leaves a locked session logged on. */
const logoffAfterSchema = z.string({ error: expecting(LOGOFF_HINT) }).transform((text, context): number | typeof NEVER => {
  if (text === NEVER) return NEVER;
  const read = readDuration(text, SECOND_MS, 7 * DAY_MS, LOGOFF_HINT);
  if (read.ok) return read.value;
  context.addIssue({ code: 'custom', message: read.error });
  return z.NEVER;
});
const warnForSchema = durationSchema(0, HOUR_MS);
const presentingLimitSchema = durationSchema(0, 12 * HOUR_MS);

function name(what: string): z.ZodString {
  return z.string({ error: expecting(`expected a ${what}`) }).min(1, { error: `expected a ${what}, not an empty string` });
}

function nameList(what: string): z.ZodOptional<z.ZodArray<z.ZodString>> {
  return z
    .array(name(what))
    .min(1, { error: `expected at least one ${what} (leave the list out to mean any)` })
    .optional();
}

/** The same meaning as a policy rule's scope (`rule-scope.ts`): each list given restricts, a list left out means any. */
const scopeSchema = z
  .strictObject({ machines: nameList('machine name'), groups: nameList('group name'), users: nameList('user name') })
  .refine((scope) => scope.machines !== undefined || scope.groups !== undefined || scope.users !== undefined, {
    error: 'expected at least one of machines, groups and users',
  });

const overrideSchema = z
  .strictObject({
    scope: scopeSchema,
    lockAfter: lockAfterSchema.optional(),
    logoffAfter: logoffAfterSchema.optional(),
    warnFor: warnForSchema.optional(),
    presentingLimit: presentingLimitSchema.optional(),
  })
  .refine((o) => o.lockAfter !== undefined || o.logoffAfter !== undefined || o.warnFor !== undefined || o.presentingLimit !== undefined, {
    error: 'expected at least one of lockAfter, logoffAfter, warnFor and presentingLimit',
  });

type Timings = { lockAfter: number; logoffAfter: number | typeof NEVER; warnFor: number };
type IdleOverride = z.output<typeof overrideSchema>;

/** `warnFor (2m) must be shorter than lockAfter (1m)`, or undefined when the warning fits; `inherited` marks values an override took from the policy. */
function warnForProblem(timings: Timings, inherited: ReadonlySet<keyof Timings>): string | undefined {
  const show = (field: keyof Timings, ms: number): string => `${field} (${formatDuration(ms)}${inherited.has(field) ? ', from the policy' : ''})`;
  if (timings.warnFor >= timings.lockAfter) return `${show('warnFor', timings.warnFor)} must be shorter than ${show('lockAfter', timings.lockAfter)}`;
  if (timings.logoffAfter !== NEVER && timings.warnFor >= timings.logoffAfter) {
    return `${show('warnFor', timings.warnFor)} must be shorter than ${show('logoffAfter', timings.logoffAfter)}`;
  }
  return undefined;
}

/** The warning must fit before each action, in the policy itself and in each override merged with it. */
function checkWarnings(policy: Timings & { overrides: IdleOverride[] }, context: z.core.$RefinementCtx): void {
  const base = warnForProblem(policy, new Set());
  if (base !== undefined) context.addIssue({ code: 'custom', path: ['warnFor'], message: base });
  policy.overrides.forEach((override, index) => {
    if (override.lockAfter === undefined && override.logoffAfter === undefined && override.warnFor === undefined) return;
    const inherited = new Set<keyof Timings>();
    const pick = <K extends keyof Timings>(field: K): Timings[K] => {
      const own = override[field] as Timings[K] | undefined;
      if (own !== undefined) return own;
      inherited.add(field);
      return policy[field];
    };
    const problem = warnForProblem({ lockAfter: pick('lockAfter'), logoffAfter: pick('logoffAfter'), warnFor: pick('warnFor') }, inherited);
    if (problem !== undefined) context.addIssue({ code: 'custom', path: ['overrides', index, 'warnFor'], message: problem });
  });
}

export const idlePolicySchema = z
  .strictObject({
    /** Idle this long (no keyboard or mouse input) and the session locks. */
    lockAfter: lockAfterSchema.default(5 * MINUTE_MS),
    /** Locked this long and the session is logged off; counted from the lock. */
    logoffAfter: logoffAfterSchema.default(30 * MINUTE_MS),
    /** How long the warning shows before each action (the action still happens at its time). */
    warnFor: warnForSchema.default(60 * SECOND_MS),
    /** The longest presenting mode a user may ask for; "0s" forbids it. */
    presentingLimit: presentingLimitSchema.default(60 * MINUTE_MS),
    exemptUsers: z.array(name('user name')).default([]),
    /** Directory groups of the user or of the machine. */
    exemptGroups: z.array(name('group name')).default([]),
    /** The first override whose scope takes in this machine and user wins. */
    overrides: z.array(overrideSchema).default([]),
  })
  .superRefine(checkWarnings);

export type IdlePolicy = z.output<typeof idlePolicySchema>;
export type IdlePolicyInput = z.input<typeof idlePolicySchema>;

/** The policy a school gets when it writes `"idle": {}`, and what applies when there is no idle policy at all. */
export const DEFAULT_IDLE_POLICY: IdlePolicy = idlePolicySchema.parse({});

/** What the idle controller needs to know, resolved for one machine and user. */
export interface IdleSettings {
  lockAfterMs: number;
  /** Counted from the lock; undefined = never log off. */
  logoffAfterMs: number | undefined;
  warnForMs: number;
  /** Longest presenting mode allowed; 0 = not allowed. */
  presentingLimitMs: number;
  /** Why this user is exempt ("user alice is in exemptUsers", "group SLT is in exemptGroups"), or undefined. */
  exemptBecause: string | undefined;
  /** Which override applied ("overrides[0]") or "defaults"/"policy", for the log. */
  source: string;
}

/**
 * The settings for this machine and user: the first override whose scope matches, over the
 * policy's own values; `undefined` (no idle policy anywhere) means the defaults. User and
 * group names match exactly, as in rule scopes.
 */
export function resolveIdleSettings(policy: IdlePolicy | undefined, context: MachineContext): IdleSettings {
  const base = policy ?? DEFAULT_IDLE_POLICY;
  const index = base.overrides.findIndex((override) => scopeStatus({ scope: override.scope }, context).inForce);
  const override = index < 0 ? undefined : base.overrides[index];
  const logoffAfter = override?.logoffAfter ?? base.logoffAfter;
  return {
    lockAfterMs: override?.lockAfter ?? base.lockAfter,
    logoffAfterMs: logoffAfter === NEVER ? undefined : logoffAfter,
    warnForMs: override?.warnFor ?? base.warnFor,
    presentingLimitMs: override?.presentingLimit ?? base.presentingLimit,
    exemptBecause: exemption(base, context),
    source: policy === undefined ? 'defaults' : index < 0 ? 'policy' : `overrides[${index}]`,
  };
}

function exemption(policy: IdlePolicy, context: MachineContext): string | undefined {
  if (context.user !== undefined && policy.exemptUsers.includes(context.user)) return `user ${context.user} is in exemptUsers`;
  const group = policy.exemptGroups.find((candidate) => context.groups.includes(candidate));
  return group === undefined ? undefined : `group ${group} is in exemptGroups`;
}

/**
 * Validates an idle policy on its own (a standalone file or a value already read from JSON);
 * each problem is one line naming the file and the field, e.g. `idle.json: warnFor: ...`.
 * Inside `agent.json` or a policy document the field reads `idle.warnFor`.
 */
export function parseIdlePolicy(value: unknown, file: string): Result<IdlePolicy> {
  const parsed = idlePolicySchema.safeParse(value, { error: plainIssueMessages });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: formatIssues(file, parsed.error.issues) };
}
