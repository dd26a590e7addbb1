/**
 * The agent's policy: the signed policy (through the PolicyStore, so a refused one never
 * replaces the last good one), or a root-owned USBGuard rules file (with its last good copy),
 * or the built-in default when there is nothing good at all.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentConfig } from './agent-config';
import { engineFromPolicy } from '../policy/decision-engine';
import { loadPolicy, policyFromRulesText, type LoadedPolicy } from '../policy/load-policy';
import type { PolicyDocument } from '../policy/policy-document';
import { readTrustedKeyFiles } from '../policy/policy-keys';
import { PolicyStore } from '../policy/policy-store';
import { readText, readTextIfExists } from '../policy/read-text';
import { expiryInstant, type MachineContext } from '../policy/rule-scope';
import { writeFileAtomic } from '../util/atomic-write';

export type PolicyNote = { kind: 'loaded'; source: string; version?: number; ruleCount: number } | { kind: 'refused'; source: string; reason: string };

export interface AgentPolicyState {
  policy: LoadedPolicy;
  mode: 'enforce' | 'audit';
  /** The signed document, when the policy is one (its `otherDevices` part decides non-USB devices). */
  document?: PolicyDocument;
  /** When a rule of this policy next expires: the engine must be rebuilt then. */
  validUntil?: Date;
  notes: PolicyNote[];
}

const LAST_GOOD_RULES = 'rules.last-good.conf';

/** The earliest expiry after `now` among the document's rules. */
function nextExpiry(document: PolicyDocument, now: Date): Date | undefined {
  const times = document.rules.flatMap((r) => (r.expires ? [expiryInstant(r.expires).getTime()] : [])).filter((t) => t > now.getTime());
  return times.length > 0 ? new Date(Math.min(...times)) : undefined;
}

/** What a loaded policy depended on: its file's size and time, and who was logged on (user scopes). */
async function fingerprint(path: string | undefined, context: MachineContext): Promise<string> {
  const info = path === undefined ? undefined : await stat(path).catch(() => undefined);
  return JSON.stringify([info?.size, info?.mtimeMs, context.user]);
}

export class AgentPolicy {
  private store: PolicyStore | undefined;
  private loadedFrom = '';
  private loadedContext!: MachineContext;

  constructor(
    private readonly config: AgentConfig,
    private readonly contextNow: () => MachineContext,
    private readonly clock: () => Date,
  ) {}

  /** The machine, user and groups rules are scoped by, now. */
  context(): MachineContext {
    return this.contextNow();
  }

  /** Whether the policy file, or the user at the PC, changed since the last load. */
  async changedSinceLoad(): Promise<boolean> {
    return (await fingerprint(this.sourcePath(), this.contextNow())) !== this.loadedFrom;
  }

  /** (Re)loads the configured policy. Refusals come back as notes; something always comes back. */
  async load(): Promise<AgentPolicyState> {
    const now = this.clock();
    this.loadedContext = this.contextNow();
    this.loadedFrom = await fingerprint(this.sourcePath(), this.loadedContext);
    if (this.config.policy !== undefined) return this.loadSigned(this.config.policy, now);
    if (this.config.rules !== undefined) return this.loadRules(this.config.rules, now);
    return this.fallback(now, []);
  }

  private sourcePath(): string | undefined {
    return this.config.policy ?? this.config.rules;
  }

  private async fallback(now: Date, notes: PolicyNote[]): Promise<AgentPolicyState> {
    const loaded = await loadPolicy({ kind: 'default' }, this.loadedContext, now);
    if (!loaded.ok) throw new Error(`the built-in default policy does not load: ${loaded.error}`);
    return { policy: loaded.value, mode: this.config.mode, notes: [...notes, { kind: 'loaded', source: loaded.value.description, ruleCount: loaded.value.ruleCount }] };
  }

  private async loadRules(path: string, now: Date): Promise<AgentPolicyState> {
    const lastGood = join(this.config.stateDir, LAST_GOOD_RULES);
    const text = await readText(path);
    if (!text.ok) return this.lastGoodRules(path, lastGood, text.error, now);
    const loaded = policyFromRulesText(text.value, path);
    if (!loaded.ok) return this.lastGoodRules(path, lastGood, loaded.error, now);
    await writeFileAtomic(lastGood, text.value, 0o600);
    return { policy: loaded.value, mode: this.config.mode, notes: [{ kind: 'loaded', source: path, ruleCount: loaded.value.ruleCount }] };
  }

  /** The rules file was refused: its last good copy, else the built-in default. */
  private async lastGoodRules(path: string, lastGood: string, reason: string, now: Date): Promise<AgentPolicyState> {
    const notes: PolicyNote[] = [{ kind: 'refused', source: path, reason }];
    const previous = await readTextIfExists(lastGood);
    if (previous.ok && previous.value !== undefined) {
      const kept = policyFromRulesText(previous.value, lastGood);
      if (kept.ok) return { policy: kept.value, mode: this.config.mode, notes: [...notes, { kind: 'loaded', source: `${lastGood} (the last good copy of ${path})`, ruleCount: kept.value.ruleCount }] };
    }
    return this.fallback(now, notes);
  }

  private async loadSigned(path: string, now: Date): Promise<AgentPolicyState> {
    const notes: PolicyNote[] = [];
    if (!this.store) {
      const keys = await readTrustedKeyFiles(this.config.trustKeys);
      if (!keys.ok) return this.fallback(now, [{ kind: 'refused', source: path, reason: keys.error }]);
      this.store = new PolicyStore({ stateDir: this.config.stateDir, trustedKeys: keys.value, clock: this.clock });
      const stored = await this.store.load();
      if (stored.status === 'failed') notes.push({ kind: 'refused', source: join(this.config.stateDir, 'policy.signed.json'), reason: stored.error });
    }
    const offered = await readText(path);
    if (!offered.ok) notes.push({ kind: 'refused', source: path, reason: offered.error });
    else {
      const outcome = await this.store.offer(offered.value, path);
      if (!outcome.ok) notes.push({ kind: 'refused', source: path, reason: outcome.error.message });
    }
    const current = this.store.current();
    if (!current) return this.fallback(now, notes);
    const { document, keyId } = current;
    const engine = engineFromPolicy(document, this.loadedContext, now);
    const description = `policy v${document.version} signed by ${keyId}`;
    return {
      policy: { engine, ruleCount: engine.ruleCount, description },
      mode: this.config.mode === 'audit' || document.mode === 'audit' ? 'audit' : 'enforce',
      document,
      validUntil: nextExpiry(document, now),
      notes: [...notes, { kind: 'loaded', source: description, version: document.version, ruleCount: engine.ruleCount }],
    };
  }
}
