/** Fetches the server's newest signed policy (If-None-Match, so an unchanged one costs a 304) and keeps it only if it verifies against the server's key and is not older than the one held. */
import { AGENT_PATHS } from '../../server/agent-protocol';
import type { VerifiedPolicy } from '../../policy/policy-signing';
import type { PolicyStore } from '../../policy/policy-store';
import type { Logger } from '../../util/logger';
import { refusalText, ServerCallError, type ServerClient } from './server-client';

export type PolicySyncOutcome = 'accepted' | 'unchanged' | 'refused' | 'none';

export interface PolicySyncDeps {
  client: ServerClient;
  /** A PolicyStore in `<stateDir>/server/`, trusting the server's policy key only. */
  store: PolicyStore;
  logger: Logger;
  /** A newer policy was verified and written: the agent reloads it. */
  onAccepted(policy: VerifiedPolicy): Promise<void>;
  /** A policy the server sent was refused (to be audited). */
  onRefused?(source: string, reason: string): Promise<void>;
}

export class PolicySync {
  /** The ETag of the last answer judged (accepted, or refused for good): the server answers 304 while it is current. */
  private etag: string | undefined;

  constructor(private readonly deps: PolicySyncDeps) {}

  /** The version of the server policy held here (0 when none). */
  heldVersion(): number {
    return this.deps.store.highestVersion();
  }

  /** Loads and re-verifies the policy held from before. */
  async open(): Promise<void> {
    const loaded = await this.deps.store.load();
    if (loaded.status === 'failed') this.deps.logger.error('the stored server policy is not usable; waiting for the server to send one', { reason: loaded.error });
  }

  /** One GET: `none` when the server has no policy yet, else what became of the one it sent. Throws ServerCallError when there is no usable answer. */
  async sync(): Promise<PolicySyncOutcome> {
    const { client, store, logger } = this.deps;
    const source = client.where(AGENT_PATHS.policy);
    const response = await client.call('GET', AGENT_PATHS.policy, { headers: this.etag === undefined ? {} : { 'if-none-match': this.etag } });
    if (response.status === 304) return 'unchanged';
    if (response.status === 404 || response.status === 204) {
      logger.debug('the console server has no policy yet', { source, status: response.status });
      return 'none';
    }
    if (!response.ok) throw new ServerCallError(`${source}: refused (${response.status}): ${await refusalText(response)}`, 'refused', response.status);
    const text = await response.text();
    const etag = response.headers.get('etag') ?? undefined;
    const outcome = await store.offer(text, source);
    if (!outcome.ok) {
      // Remember a policy refused for what it is, so that it is not fetched and refused again every few minutes; one not saved is fetched again.
      if (outcome.error.code !== 'not-saved') this.etag = etag;
      logger.error('a policy from the console server was refused; the last one verified stays in force', { source, code: outcome.error.code, reason: outcome.error.message });
      await this.deps.onRefused?.(source, outcome.error.message);
      return 'refused';
    }
    this.etag = etag;
    if (outcome.value.status === 'unchanged') return 'unchanged';
    logger.info('new policy from the console server', { source, version: outcome.value.policy.document.version });
    await this.deps.onAccepted(outcome.value.policy);
    return 'accepted';
  }
}
