/** A policy document back as the text a policy file holds (what gets signed): its idle durations written as "5m" again, not as milliseconds. */

import { formatDuration } from '../../idle/duration';
import type { IdlePolicy, IdlePolicyInput } from '../../idle/idle-policy';
import type { PolicyDocument } from '../../policy/policy-document';
import type { BasePolicy } from './base-policy';

type Duration = number | 'never';

function durationText(value: Duration): string {
  return value === 'never' ? 'never' : formatDuration(value);
}

function optionalDuration<K extends string>(key: K, value: Duration | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: durationText(value) } as Record<K, string>);
}

/**
 * The idle policy as a file writes it. Parsing turns durations into milliseconds, which the
 * schema does not read back; durations are whole seconds (`duration.ts`), so writing them
 * with formatDuration loses nothing.
 */
export function idlePolicyInput(idle: IdlePolicy): IdlePolicyInput {
  return {
    lockAfter: durationText(idle.lockAfter),
    logoffAfter: durationText(idle.logoffAfter),
    warnFor: durationText(idle.warnFor),
    presentingLimit: durationText(idle.presentingLimit),
    exemptUsers: [...idle.exemptUsers],
    exemptGroups: [...idle.exemptGroups],
    overrides: idle.overrides.map((override) => ({
      scope: override.scope,
      ...optionalDuration('lockAfter', override.lockAfter),
      ...optionalDuration('logoffAfter', override.logoffAfter),
      ...optionalDuration('warnFor', override.warnFor),
      ...optionalDuration('presentingLimit', override.presentingLimit),
    })),
  };
}

/**
 * The document's JSON text, two-space indented with a final newline, that parsePolicyDocument
 * reads back to the same document (or a base policy's, that parseBasePolicy reads back).
 */
export function policyDocumentText(document: PolicyDocument | BasePolicy): string {
  const { idle, ...rest } = document;
  return `${JSON.stringify(idle === undefined ? rest : { ...rest, idle: idlePolicyInput(idle) }, null, 2)}\n`;
}
