/** Chooses where decisions come from: a signed policy, a plain USBGuard rules file, or the built-in default. */
import type { Result } from './policy-document';
import { DecisionEngine, engineFromPolicy, engineFromRulesFile } from './decision-engine';
import { DEFAULT_RULES, DEFAULT_RULES_FILE } from './default-rules';
import { readTrustedKeyFiles } from './policy-keys';
import { verifySignedPolicy } from './policy-signing';
import type { MachineContext } from './rule-scope';
import { readText } from './read-text';

export type PolicySource =
  | { kind: 'default' }
  /** Trusted because only root can write it, as USBGuard's rules.conf. */
  | { kind: 'rules-file'; path: string }
  | { kind: 'signed-policy'; path: string; trustKeyPaths: readonly string[] };

export interface LoadedPolicy {
  engine: DecisionEngine;
  /** How many rules are in force (USBGuard numbers devices after its rules). */
  ruleCount: number;
  /** For people: `rules.conf`, `policy v12 signed by KEYID`, the built-in default. */
  description: string;
}

/** A USBGuard rules file's text as a policy (implicit target block); any syntax error refuses it whole. */
export function policyFromRulesText(text: string, file: string): Result<LoadedPolicy> {
  const built = engineFromRulesFile(text, file);
  if ('errors' in built) return { ok: false, error: built.errors.map((e) => e.message).join('\n') };
  return { ok: true, value: { engine: built.engine, ruleCount: built.engine.ruleCount, description: file } };
}

export async function loadPolicy(source: PolicySource, context: MachineContext, now: Date): Promise<Result<LoadedPolicy>> {
  switch (source.kind) {
    case 'default':
      return policyFromRulesText(DEFAULT_RULES, DEFAULT_RULES_FILE);
    case 'rules-file': {
      const text = await readText(source.path);
      return text.ok ? policyFromRulesText(text.value, source.path) : text;
    }
    case 'signed-policy': {
      if (source.trustKeyPaths.length === 0) return { ok: false, error: `${source.path}: a signed policy needs at least one trusted key (--trust-key KEY)` };
      const keys = await readTrustedKeyFiles(source.trustKeyPaths);
      if (!keys.ok) return keys;
      const text = await readText(source.path);
      if (!text.ok) return text;
      const verified = verifySignedPolicy(text.value, source.path, { trustedKeys: keys.value });
      if (!verified.ok) return { ok: false, error: verified.error.message };
      const { document, keyId } = verified.value;
      const engine = engineFromPolicy(document, context, now);
      return { ok: true, value: { engine, ruleCount: engine.ruleCount, description: `${source.path} (policy v${document.version}, signed by ${keyId})` } };
    }
  }
}
