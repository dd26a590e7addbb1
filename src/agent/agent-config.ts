/** The agent's settings: a schema-validated config file, command-line flags that override it, and defaults. */
import { z } from 'zod';
import { idlePolicySchema } from '../idle/idle-policy';
import type { Result } from '../policy/policy-document';
import { formatIssues, plainIssueMessages } from '../policy/zod-issues';
import { serverLinkPaths } from './server-link/link-files';
import { parseServerUrl } from './server-link/server-url';

export const DEFAULT_CONFIG_FILE = '/etc/portcullis/agent.json';

const path = z.string().min(1, { error: 'expected a path, not an empty string' });

export const agentConfigSchema = z.strictObject({
  /** Where sysfs is mounted: `/sys` on a real PC, a recorded tree in tests. */
  sysfsRoot: path.default('/sys'),
  /** A plain USBGuard rules file, trusted because only root can write it. */
  rules: path.optional(),
  /** A signed policy document, checked against `trustKeys`. */
  policy: path.optional(),
  trustKeys: z.array(path).default([]),
  /** `audit` decides and records but changes nothing; schools start there. */
  mode: z.enum(['enforce', 'audit'], { error: 'expected "enforce" or "audit"' }).default('enforce'),
  auditLog: path.default('/var/log/portcullis/audit.jsonl'),
  socket: path.default('/run/portcullis/agent.sock'),
  /** The group (besides root) whose members may use the local API: the PC's local users. */
  socketGroup: z.string().min(1).default('users'),
  stateDir: path.default('/var/lib/portcullis'),
  /** This PC's name in the policy's scopes and the audit log (the host name when absent). */
  machine: z.string().min(1).optional(),
  /** Directory groups of this PC, for policy scopes (`ICT-SUITE`, `STAFFROOM`). */
  groups: z.array(z.string().min(1)).default([]),
  /** How often to poll sysfs when hotplug events are unavailable, and to reconcile everything. */
  pollIntervalMs: z.int().min(50, { error: 'expected at least 50 (milliseconds)' }).max(60_000, { error: 'expected at most 60000 (milliseconds)' }).default(500),
  reconcileIntervalMs: z.int().min(1_000, { error: 'expected at least 1000 (milliseconds)' }).max(3_600_000, { error: 'expected at most 3600000 (one hour)' }).default(30_000),
  /** The console server (`https://...`; plain http only to 127.0.0.1 or localhost): its signed policy, approvals and audit copy. */
  server: z
    .string()
    .superRefine((text, context) => {
      const url = parseServerUrl(text);
      if (!url.ok) context.addIssue({ code: 'custom', message: url.error });
    })
    .optional(),
  /** The idle policy of a standalone PC, with no signed policy to carry one (`src/idle/idle-policy.ts`). */
  idle: idlePolicySchema.optional(),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

/** Validates a config (from a file, merged with flags); errors name the file and the field. */
export function parseAgentConfig(input: unknown, file: string): Result<AgentConfig> {
  const parsed = agentConfigSchema.safeParse(input, { error: plainIssueMessages });
  if (!parsed.success) return { ok: false, error: formatIssues(file, parsed.error.issues) };
  if (parsed.data.rules !== undefined && parsed.data.policy !== undefined) {
    return { ok: false, error: `${file}: rules, policy: give a rules file or a signed policy, not both` };
  }
  if (parsed.data.server !== undefined && parsed.data.rules !== undefined) {
    return { ok: false, error: `${file}: rules, server: a PC linked to a console server takes its policy from the server; leave out the rules file` };
  }
  if (parsed.data.policy !== undefined && parsed.data.trustKeys.length === 0) {
    return { ok: false, error: `${file}: trustKeys: a signed policy needs at least one trusted key` };
  }
  return { ok: true, value: withServerPolicy(parsed.data) };
}

/**
 * A PC linked to a console server, with no policy file of its own, enforces the policy the link
 * keeps in `<stateDir>/server/`, trusting the key the server gave at enrolment.
 */
function withServerPolicy(config: AgentConfig): AgentConfig {
  if (config.server === undefined || config.policy !== undefined) return config;
  const paths = serverLinkPaths(config.stateDir);
  return { ...config, policy: paths.policy, trustKeys: [...config.trustKeys.filter((key) => key !== paths.policyKey), paths.policyKey] };
}

/** Reads a config file's JSON; an absent default file means "all defaults". */
export function parseAgentConfigText(text: string | undefined, file: string, overrides: AgentConfigInput): Result<AgentConfig> {
  let fromFile: unknown = {};
  if (text !== undefined) {
    try {
      fromFile = JSON.parse(text);
    } catch (error) {
      return { ok: false, error: `${file}: not valid JSON (${(error as Error).message})` };
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) return { ok: false, error: `${file}: expected a JSON object` };
  }
  const merged = { ...(fromFile as Record<string, unknown>), ...definedOnly(overrides) };
  return parseAgentConfig(merged, file);
}

function definedOnly(values: AgentConfigInput): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
