/** Enrolment: the agent makes its own key pair, trades a one-time token for an agent id with the console server, and keeps what it was given. */
import { generateAgentKeyPair } from '../../server/auth/agent-credentials';
import { AGENT_PATHS, enrolAnswer, enrolBody, type EnrolAnswer } from '../../server/agent-protocol';
import type { Result } from '../../policy/policy-document';
import { trustedKeyFromPem } from '../../policy/policy-keys';
import { formatIssues, plainIssueMessages } from '../../policy/zod-issues';
import { readIdentity, serverLinkPaths, writeAgentKey, writeEnrolment, type ServerIdentity } from './link-files';
import { parseAnswer, refusalText, ServerCallError, type Fetch } from './server-client';
import { serverOrigin } from './server-url';

export interface EnrolOptions {
  server: URL;
  token: string;
  stateDir: string;
  machine: string;
  version: string;
  fetch: Fetch;
  clock: () => Date;
  timeoutMs?: number;
}

export interface Enrolled {
  identity: ServerIdentity;
  /** The folder the identity, keys and secret were written to. */
  dir: string;
  /** The id of the key the server signs policies with, now trusted. */
  policyKeyId: string;
}

/**
 * Enrols this PC once. Refuses when it is already enrolled (with any server): starting over
 * means deleting the folder, on purpose, so that a typo cannot move a PC to another server.
 */
export async function enrolAgent(options: EnrolOptions): Promise<Result<Enrolled>> {
  const paths = serverLinkPaths(options.stateDir);
  const server = serverOrigin(options.server);
  const existing = await readIdentity(paths);
  if (!existing.ok) return { ok: false, error: `${existing.error}\nTo enrol this PC from the start, delete ${paths.dir} and run the command again.` };
  if (existing.value !== undefined) {
    const { agentId, enrolledAt } = existing.value;
    return { ok: false, error: `this PC is already enrolled with ${existing.value.server} as ${agentId} (since ${enrolledAt}); to enrol it again, delete ${paths.dir} and run the command again with a new token` };
  }
  const pair = generateAgentKeyPair();
  const body = enrolBody.safeParse({ token: options.token.trim(), machine: options.machine, publicKey: pair.publicKey, version: options.version }, { error: plainIssueMessages });
  if (!body.success) return { ok: false, error: formatIssues('enrolment', body.error.issues) };
  await writeAgentKey(paths, pair.privateKeyPem);
  const answer = await ask(options, JSON.stringify(body.data));
  if (!answer.ok) return answer;
  const policyKey = trustedKeyFromPem(answer.value.policyKey, `${server}: the policy key in the enrolment answer`);
  if (!policyKey.ok) return policyKey;
  const identity: ServerIdentity = { server, agentId: answer.value.agentId, enrolledAt: options.clock().toISOString() };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(identity.agentId)) return { ok: false, error: `${server}: the enrolment answer's agent id ${JSON.stringify(identity.agentId)} cannot be used in a signed request` };
  await writeEnrolment(paths, { identity, policyKeyPem: answer.value.policyKey, offlineSecret: answer.value.offlineSecret });
  return { ok: true, value: { identity, dir: paths.dir, policyKeyId: policyKey.value.keyId } };
}

async function ask(options: EnrolOptions, body: string): Promise<Result<EnrolAnswer>> {
  const where = new URL(AGENT_PATHS.enrol, options.server).toString();
  let response: Response;
  try {
    response = await options.fetch(where, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, error: `could not reach the console server at ${serverOrigin(options.server)} (${cause?.code ?? cause?.message ?? (error as Error).message})` };
  }
  if (!response.ok) {
    return { ok: false, error: `the console server at ${serverOrigin(options.server)} refused the enrolment (HTTP ${response.status}): ${await refusalText(response)}` };
  }
  try {
    return { ok: true, value: parseAnswer(await response.text(), where, enrolAnswer) };
  } catch (error) {
    if (error instanceof ServerCallError) return { ok: false, error: error.message };
    throw error;
  }
}
