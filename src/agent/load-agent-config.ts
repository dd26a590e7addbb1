/** Reads the agent's config file with its flags; a bad file falls back to the last good config, never silently. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextIfExists } from '../policy/read-text';
import type { Result } from '../policy/policy-document';
import { writeFileAtomic } from '../util/atomic-write';
import { agentConfigSchema, parseAgentConfig, parseAgentConfigText, type AgentConfig, type AgentConfigInput } from './agent-config';

const LAST_GOOD = 'agent-config.last-good.json';
const DEFAULT_STATE_DIR = agentConfigSchema.shape.stateDir.parse(undefined);

export interface LoadedConfig {
  config: AgentConfig;
  /** Set when the file was refused and the last good config is in use instead. */
  refused?: string;
}

export async function loadAgentConfig(file: string, required: boolean, flags: AgentConfigInput): Promise<Result<LoadedConfig>> {
  const text = await readTextIfExists(file);
  if (!text.ok) return text;
  if (text.value === undefined && required) return { ok: false, error: `${file}: no such config file` };
  const parsed = parseAgentConfigText(text.value, file, flags);
  if (parsed.ok) {
    await mkdir(parsed.value.stateDir, { recursive: true, mode: 0o750 });
    await writeFileAtomic(join(parsed.value.stateDir, LAST_GOOD), `${JSON.stringify(parsed.value, null, 2)}\n`, 0o600);
    return { ok: true, value: { config: parsed.value } };
  }
  const lastGoodPath = join(flags.stateDir ?? DEFAULT_STATE_DIR, LAST_GOOD);
  const lastGood = await readTextIfExists(lastGoodPath);
  if (!lastGood.ok || lastGood.value === undefined) return parsed;
  let previous: unknown;
  try {
    previous = JSON.parse(lastGood.value);
  } catch {
    return parsed;
  }
  const kept = parseAgentConfig(previous, lastGoodPath);
  return kept.ok ? { ok: true, value: { config: kept.value, refused: parsed.error } } : parsed;
}
