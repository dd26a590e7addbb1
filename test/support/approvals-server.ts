/** The whole console server for tests: the console app with the agents' API and the approvals console sharing one publisher, enrolled test agents that sign their requests, and signed-in console users. */

import type { KeyObject } from 'node:crypto';
import { AGENT_PATHS, type EnrolAnswer, type ForwardedRequest, type RequestStatus } from '../../src/server/agent-protocol';
import { agentRoutes } from '../../src/server/agent-routes/agent-routes';
import { AgentStore, createEnrolToken } from '../../src/server/agent-store';
import { signAgentRequest } from '../../src/server/auth/agent-request-auth';
import { sealRecord, GENESIS_PREV } from '../../src/audit/audit-record';
import type { AuditEvent } from '../../src/audit/audit-event';
import { consoleRoutes } from '../../src/server/console-routes/console-routes';
import type { DecisionMail } from '../../src/server/console-routes/decision-mail';
import type { Database } from '../../src/server/db/database';
import type { MailMessage } from '../../src/server/mail/notifications';
import { PolicyPublisher } from '../../src/server/policy-publisher';
import { trustedKeyFromPem } from '../../src/policy/policy-keys';
import { verifySignedPolicy } from '../../src/policy/policy-signing';
import type { PolicyDocument } from '../../src/policy/policy-document';
import type { User } from '../../src/server/users/user-store';
import { agentKeyPair, memoryServerKeys } from './agent-server';
import { addUser, signIn, testApp, type Answer, type SignedIn, type TestApp } from './console-server';
import { silentLogger, type DatabaseHarness } from './databases';
import { sampleDevice } from './sample-device';

export interface LoopAgent extends EnrolAnswer {
  privateKey: KeyObject;
  machine: string;
  /** The next audit seq and the hash it follows. */
  chain: { seq: number; prev: string };
}

export interface ApprovalsServer {
  server: TestApp;
  db: Database;
  publisher: PolicyPublisher;
  /** Every email the console asked to send. */
  sent: MailMessage[];
  users: Record<'slt' | 'head' | 'it' | 'dpo', User>;
  enrol(machine?: string): Promise<LoopAgent>;
  /** A request signed by `agent` at the server's time; `body` is sent as the JSON text signed. */
  agentCall(agent: LoopAgent, method: 'GET' | 'POST', url: string, body?: unknown): Promise<Answer>;
  forward(agent: LoopAgent, requests: ForwardedRequest[]): Promise<RequestStatus[]>;
  /** Appends audit records to the agent's chain and sends them. */
  audit(agent: LoopAgent, records: Array<{ event: AuditEvent; user?: string; time?: string }>): Promise<unknown>;
  /** The agent's GET policy, its signature checked with the key it was given at enrolment. */
  policy(agent: LoopAgent): Promise<PolicyDocument>;
  signIn(who: keyof ApprovalsServer['users']): Promise<SignedIn>;
  /** A console call as `who` (signed in), with the CSRF header on changes. */
  as(who: SignedIn, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object | string): Promise<Answer>;
  close(): Promise<void>;
}

/** The SLT's term dates for the test clock's school year (the clock starts 2026-09-07). */
export const TERMS = [
  { name: 'Autumn term 2026', start: '2026-09-03', end: '2026-12-18' },
  { name: 'Spring term 2027', start: '2027-01-05', end: '2027-03-26' },
];

/** A forwarded request for `device` (the SanDisk stick unless said). */
export function forwardedRequest(localId: string, overrides: Partial<ForwardedRequest> = {}, device = sampleDevice()): ForwardedRequest {
  return {
    localId,
    viaPort: device.viaPort,
    device: { id: device.id, serial: device.serial, name: device.name, manufacturer: device.manufacturer, hash: device.hash, kind: device.kind, interfaces: device.interfaces, warnings: device.warnings },
    user: 'kteacher',
    userVerified: true,
    justification: 'Year 11 coursework on this stick',
    durationDays: 30,
    requestedAt: '2026-09-07T07:55:00.000Z',
    ...overrides,
  };
}

export async function approvalsServer(harness: DatabaseHarness, options: { mail?: boolean } = {}): Promise<ApprovalsServer> {
  const { db } = await harness.migrated();
  const users = {
    slt: await addUser(db, 'slt@school.example', 'slt-approver'),
    head: await addUser(db, 'head@school.example', 'headteacher'),
    it: await addUser(db, 'it@school.example', 'it-admin'),
    dpo: await addUser(db, 'dpo@school.example', 'dpo'),
  };
  const sent: MailMessage[] = [];
  const mail: DecisionMail | undefined =
    options.mail === true
      ? { mailer: { send: async (message) => (sent.push(message), { ok: true, messageId: `m${sent.length}`, attempts: 1 }) }, consoleUrl: 'https://portcullis.school.example', staffEmail: (user) => `${user}@school.example` }
      : undefined;
  let publisher: PolicyPublisher | undefined;
  const server = await testApp(db, {}, (app) => {
    const now = (): Date => new Date(app.portcullis.clock());
    publisher = new PolicyPublisher({ db, keys: memoryServerKeys(), now, logger: silentLogger });
    app.register(agentRoutes({ db, publisher, now, logger: silentLogger }));
    app.register(consoleRoutes({ db, publisher, logger: silentLogger, mail }));
  });
  if (publisher === undefined) throw new Error('approvals-server.ts: the app was not set up');
  const shared = publisher;
  const agents = new AgentStore({ db, now: () => new Date(server.clock()) });

  const agentCall = async (agent: LoopAgent, method: 'GET' | 'POST', url: string, body?: unknown): Promise<Answer> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const authorization = signAgentRequest({ agentId: agent.agentId, privateKey: agent.privateKey, method, path: url, body: payload, now: server.clock() });
    return server.call({ method, url, headers: { authorization, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload }) });
  };

  const self: ApprovalsServer = {
    server,
    db,
    publisher: shared,
    sent,
    users,
    async enrol(machine = 'ICT-SUITE-07') {
      const { token } = await createEnrolToken(agents, users.it.id);
      const { privateKey, publicKey } = agentKeyPair();
      const answer = await server.call({ method: 'POST', url: AGENT_PATHS.enrol, payload: { token, machine, publicKey, version: '0.1.0' } });
      if (answer.statusCode !== 200) throw new Error(`enrolment failed: ${answer.statusCode} ${answer.body}`);
      return { ...(answer.json() as EnrolAnswer), privateKey, machine, chain: { seq: 1, prev: GENESIS_PREV } };
    },
    agentCall,
    async forward(agent, requests) {
      const answer = await agentCall(agent, 'POST', AGENT_PATHS.requests, { requests });
      if (answer.statusCode !== 200) throw new Error(`forwarding failed: ${answer.statusCode} ${answer.body}`);
      return (answer.json() as { requests: RequestStatus[] }).requests;
    },
    async audit(agent, records) {
      const lines = records.map(({ event, user, time }) => {
        const sealed = sealRecord({ seq: agent.chain.seq, time: time ?? new Date(server.clock()).toISOString(), machine: agent.machine, ...(user === undefined ? {} : { user }), event, prev: agent.chain.prev });
        agent.chain = { seq: agent.chain.seq + 1, prev: sealed.record.hash };
        return sealed.line;
      });
      const answer = await agentCall(agent, 'POST', AGENT_PATHS.audit, { lines });
      if (answer.statusCode !== 200) throw new Error(`audit failed: ${answer.statusCode} ${answer.body}`);
      return answer.json();
    },
    async policy(agent) {
      const answer = await agentCall(agent, 'GET', AGENT_PATHS.policy);
      if (answer.statusCode !== 200) throw new Error(`no policy: ${answer.statusCode} ${answer.body}`);
      const key = trustedKeyFromPem(agent.policyKey, 'enrolment');
      if (!key.ok) throw new Error(key.error);
      const verified = verifySignedPolicy(answer.body, 'policy', { trustedKeys: [key.value] });
      if (!verified.ok) throw new Error(verified.error.message);
      return verified.value.document;
    },
    signIn: (who) => signIn(server, users[who].email),
    as: (who, method, url, payload) =>
      server.call({ method, url, headers: { cookie: who.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': who.csrfToken }) }, ...(payload === undefined ? {} : { payload }) }),
    close: () => server.close(),
  };
  return self;
}

/** The `value` of an `{ ok: true, value }` answer, failing the test with the answer otherwise. */
export function valueOf<T>(answer: Answer): T {
  const body = answer.json() as { ok: boolean; value?: T; error?: string };
  if (!body.ok) throw new Error(`expected a value, got ${answer.statusCode}: ${body.error ?? answer.body}`);
  return body.value as T;
}
