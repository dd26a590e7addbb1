/** The agent's last good policy: verified offers replace it atomically, refused ones never do, and replays stay refused across restarts. */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write';
import { createLogger, type Logger } from '../util/logger';
import type { Result } from './policy-document';
import type { TrustedKey } from './policy-keys';
import { readTextIfExists } from './read-text';
import { verifySignedPolicy, type ReplayGuard, type VerifiedPolicy, type VerifyError } from './policy-signing';
import { formatIssues, plainIssueMessages } from './zod-issues';

export const POLICY_FILE = 'policy.signed.json';
export const STATE_FILE = 'policy-state.json';
const STATE_FORMAT = 'portcullis-policy-state/1';

const stateSchema = z.object({
  format: z.literal(STATE_FORMAT),
  highestVersion: z.int().min(0),
  documentSha256: z.string().optional(),
  acceptedAt: z.string().optional(),
  source: z.string().optional(),
});

type PolicyState = z.infer<typeof stateSchema>;

export interface PolicyStoreOptions {
  stateDir: string;
  trustedKeys: readonly TrustedKey[];
  clock: () => Date;
  logger?: Logger;
}

/** `warning` reports a problem that did not stop the policy loading (a damaged state file, repaired). */
export type LoadOutcome =
  | { status: 'loaded'; policy: VerifiedPolicy; warning?: string }
  | { status: 'empty' }
  | { status: 'failed'; error: string };

export type OfferError = VerifyError | { code: 'not-saved'; message: string };

/** `unchanged`: the very policy already in force was offered again. */
export type OfferOutcome = Result<{ status: 'accepted' | 'unchanged'; policy: VerifiedPolicy }, OfferError>;

/**
 * Holds the last good verified policy in `stateDir`: `policy.signed.json` (the envelope as
 * received) and `policy-state.json` (the highest version accepted, kept apart so that a lost
 * or damaged policy file does not reopen the door to replays). Operations run one at a time.
 */
export class PolicyStore {
  private readonly policyPath: string;
  private readonly statePath: string;
  private readonly logger: Logger;
  private policy: VerifiedPolicy | undefined;
  private state: PolicyState = { format: STATE_FORMAT, highestVersion: 0 };
  private loaded: Promise<LoadOutcome> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PolicyStoreOptions) {
    this.policyPath = join(options.stateDir, POLICY_FILE);
    this.statePath = join(options.stateDir, STATE_FILE);
    this.logger = options.logger ?? createLogger('policy-store');
  }

  /** The policy in force, if any. */
  current(): VerifiedPolicy | undefined {
    return this.policy;
  }

  /** The highest version ever accepted here (0 if none). */
  highestVersion(): number {
    return this.state.highestVersion;
  }

  /** Reads and re-verifies the stored policy. Bad files give `failed` with the reason and no policy, never an exception. */
  load(): Promise<LoadOutcome> {
    this.loaded = this.serially(() => this.readStored());
    return this.loaded;
  }

  /** Verifies an envelope received from `source` (a URL, a file) and, if good, makes it the policy in force. */
  async offer(envelopeText: string, source: string): Promise<OfferOutcome> {
    await (this.loaded ?? this.load());
    return this.serially(() => this.accept(envelopeText, source));
  }

  private async readStored(): Promise<LoadOutcome> {
    this.policy = undefined;
    const state = await this.readState();
    this.state = state.value ?? { format: STATE_FORMAT, highestVersion: 0 };
    const text = await readTextIfExists(this.policyPath);
    if (!text.ok) return this.failed([state.error, text.error].filter(Boolean).join('\n'));
    if (text.value === undefined) return state.error === undefined ? { status: 'empty' } : this.failed(state.error);
    const verified = verifySignedPolicy(text.value, this.policyPath, { trustedKeys: this.options.trustedKeys, replay: this.guard() });
    if (!verified.ok) return this.failed([state.error, `the stored policy is not usable: ${verified.error.message}`].filter(Boolean).join('\n'));
    this.policy = verified.value;
    if (verified.value.document.version !== this.state.highestVersion || state.error !== undefined) {
      // The policy file is written before the state file, so a crash between the two leaves the state one version behind.
      await this.recordState(verified.value, this.policyPath);
    }
    this.logger.info('policy loaded', { version: verified.value.document.version, keyId: verified.value.keyId });
    return state.error === undefined
      ? { status: 'loaded', policy: verified.value }
      : { status: 'loaded', policy: verified.value, warning: `${state.error}; the highest version was taken from the stored policy` };
  }

  private async accept(envelopeText: string, source: string): Promise<OfferOutcome> {
    const verified = verifySignedPolicy(envelopeText, source, { trustedKeys: this.options.trustedKeys, replay: this.guard() });
    if (!verified.ok) {
      this.logger.warn('policy refused', { source, code: verified.error.code, reason: verified.error.message });
      return verified;
    }
    const policy = verified.value;
    if (policy.document.version === this.state.highestVersion && this.policy?.documentSha256 === policy.documentSha256) {
      return { ok: true, value: { status: 'unchanged', policy: this.policy } };
    }
    try {
      await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.policyPath, envelopeText);
    } catch (error) {
      const message = `${source}: verified, but could not be saved, so the previous policy stays in force (${(error as Error).message})`;
      this.logger.error('policy not saved', { source, reason: message });
      return { ok: false, error: { code: 'not-saved', message } };
    }
    this.policy = policy;
    await this.recordState(policy, source);
    this.logger.info('policy accepted', { source, version: policy.document.version, keyId: policy.keyId });
    return { ok: true, value: { status: 'accepted', policy } };
  }

  private guard(): ReplayGuard {
    const { highestVersion, documentSha256 } = this.state;
    return documentSha256 === undefined ? { highestVersion } : { highestVersion, acceptedDocumentSha256: documentSha256 };
  }

  /** Records the version in force, in memory and then on disk. A failed write is repaired from the policy file at the next load. */
  private async recordState(policy: VerifiedPolicy, source: string): Promise<void> {
    this.state = {
      format: STATE_FORMAT,
      highestVersion: policy.document.version,
      documentSha256: policy.documentSha256,
      acceptedAt: this.options.clock().toISOString(),
      source,
    };
    try {
      await writeFileAtomic(this.statePath, `${JSON.stringify(this.state, null, 2)}\n`);
    } catch (error) {
      this.logger.warn('policy state not saved', { path: this.statePath, reason: (error as Error).message });
    }
  }

  private async readState(): Promise<{ value?: PolicyState; error?: string }> {
    const text = await readTextIfExists(this.statePath);
    if (!text.ok) return { error: text.error };
    if (text.value === undefined) return {};
    let value: unknown;
    try {
      value = JSON.parse(text.value);
    } catch {
      return { error: `${this.statePath}: damaged (not valid JSON)` };
    }
    const parsed = stateSchema.safeParse(value, { error: plainIssueMessages });
    return parsed.success ? { value: parsed.data } : { error: formatIssues(this.statePath, parsed.error.issues) };
  }

  private failed(error: string): LoadOutcome {
    this.logger.error('no usable stored policy', { reason: error });
    return { status: 'failed', error };
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
