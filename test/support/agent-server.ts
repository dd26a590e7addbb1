/** A console server with only the agent routes, on a fresh database, and enrolled test agents that sign their requests: for the agent-routes tests. */

import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { agentPublicKeyText } from '../../src/server/auth/agent-credentials';
import { signAgentRequest } from '../../src/server/auth/agent-request-auth';
import { AGENT_PATHS, type EnrolAnswer } from '../../src/server/agent-protocol';
import { agentRoutes, type AgentRoutesDeps } from '../../src/server/agent-routes/agent-routes';
import { AgentStore, createEnrolToken } from '../../src/server/agent-store';
import type { Database } from '../../src/server/db/database';
import { PolicyPublisher } from '../../src/server/policy-publisher';
import type { ServerKeys } from '../../src/server/server-keys';
import { generateSigningKeyPair, signingKeyFromPem } from '../../src/policy/policy-keys';
import type { DatabaseHarness } from './databases';
import { silentLogger } from './databases';

export const USER_ID = 'u-it';

/** A key pair made in memory (no files): what loadServerKeys would give. */
export function memoryServerKeys(): ServerKeys {
  const pair = generateSigningKeyPair();
  const key = signingKeyFromPem(pair.privateKeyPem, 'memory');
  if (!key.ok) throw new Error(key.error);
  return { signingKey: key.value, keyId: key.value.keyId, publicKeyPem: pair.publicKeyPem, privateKeyPath: 'memory' };
}

/** The server's clock, which a test may move. */
export class TestClock {
  offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** One HTTP request as a test makes it: `payload` is sent as it is (an object as JSON). */
export interface CallOptions {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: string | object;
}

export interface CallResponse {
  statusCode: number;
  headers: Headers;
  body: string;
}

export interface AgentTestServer {
  app: FastifyInstance;
  port: number;
  /**
   * Makes a real HTTP request to the listening app. (Fastify's inject() cannot be used under
   * jest here: light-my-request requires cookie@2, an ES module, which jest's CommonJS loader refuses.)
   */
  request(options: CallOptions): Promise<CallResponse>;
  db: Database;
  publisher: PolicyPublisher;
  keys: ServerKeys;
  agents: AgentStore;
  clock: TestClock;
}

export async function addUser(db: Database, id = USER_ID): Promise<void> {
  await db.run('INSERT INTO users (id, email, role, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?, ?)', [id, `${id}@school.example`, 'it-admin', null, 'I. T. Admin', '2026-09-01T08:00:00.000Z']);
}

/** A fresh migrated database with one IT user, and a Fastify app with agentRoutes registered, listening on a free port of 127.0.0.1. */
export async function agentTestServer(harness: DatabaseHarness, deps: Partial<AgentRoutesDeps> = {}): Promise<AgentTestServer> {
  const { db } = await harness.migrated();
  await addUser(db);
  const clock = new TestClock();
  const keys = memoryServerKeys();
  const publisher = new PolicyPublisher({ db, keys, now: clock.now, logger: silentLogger });
  const app = Fastify();
  await app.register(agentRoutes({ db, publisher, now: clock.now, logger: silentLogger, ...deps }));
  const port = await listen(app);
  const request = async (options: CallOptions): Promise<CallResponse> => {
    const json = options.payload !== undefined && typeof options.payload !== 'string';
    const response = await fetch(`http://127.0.0.1:${port}${options.url}`, {
      method: options.method,
      headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ...(options.payload === undefined ? {} : { body: json ? JSON.stringify(options.payload) : (options.payload as string) }),
    });
    return { statusCode: response.status, headers: response.headers, body: await response.text() };
  };
  return { app, port, request, db, publisher, keys, agents: new AgentStore({ db, now: clock.now }), clock };
}

export interface TestAgent extends EnrolAnswer {
  privateKey: KeyObject;
  machine: string;
}

export function agentKeyPair(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: agentPublicKeyText(publicKey) };
}

export function json(response: CallResponse): unknown {
  return JSON.parse(response.body);
}

/** Enrols a new agent through POST enrol with a token issued for it. */
export async function enrolAgent(server: AgentTestServer, machine = 'ICT-SUITE-07'): Promise<TestAgent> {
  const { token } = await createEnrolToken(server.agents, USER_ID);
  const { privateKey, publicKey } = agentKeyPair();
  const response = await server.request({ method: 'POST', url: AGENT_PATHS.enrol, payload: { token, machine, publicKey, version: '0.1.0' } });
  if (response.statusCode !== 200) throw new Error(`enrolment failed: ${response.statusCode} ${response.body}`);
  return { ...(json(response) as EnrolAnswer), privateKey, machine };
}

export interface SignOptions {
  /** The time the agent signs at (default: the server's clock). */
  now?: number;
  /** Another agent id to put in the header (an impersonation attempt). */
  agentId?: string;
}

/** A request signed by `agent`; `body` is sent as JSON text exactly as signed. */
export function signed(server: AgentTestServer, agent: TestAgent, method: 'GET' | 'POST', url: string, body?: unknown, options: SignOptions = {}): CallOptions {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const authorization = signAgentRequest({ agentId: options.agentId ?? agent.agentId, privateKey: agent.privateKey, method, path: url, body: payload, now: options.now ?? server.clock.now().getTime() });
  return { method, url, headers: { authorization, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload }) };
}

export function publicKeyOf(privateKey: KeyObject): string {
  return agentPublicKeyText(createPublicKey(privateKey));
}

/** An open server-sent event stream on a listening app: its status, the text received so far, and a way to wait for more. */
export interface OpenStream {
  status: number;
  headers: IncomingMessage['headers'];
  text(): string;
  /** Resolves once the text received matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ends the stream. */
  ended(): Promise<void>;
  close(): void;
}

export async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

export function openStream(port: number, headers: Record<string, string>): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: AGENT_PATHS.policyStream, headers }, (res) => {
      let received = '';
      const waiters: Array<() => void> = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        received += chunk;
        waiters.splice(0).forEach((wake) => wake());
      });
      res.on('error', () => undefined);
      const ended = new Promise<void>((done) => res.on('close', done));
      const waitFor = async (pattern: RegExp, timeoutMs = 3000): Promise<string> => {
        const deadline = Date.now() + timeoutMs;
        while (!pattern.test(received)) {
          if (Date.now() > deadline) throw new Error(`the stream did not send ${pattern}; it sent ${JSON.stringify(received)}`);
          await new Promise<void>((wake) => {
            waiters.push(wake);
            setTimeout(wake, 50);
          });
        }
        return received;
      };
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text: () => received, waitFor, ended: () => ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Headers for a signed GET of the policy stream. */
export function streamHeaders(server: AgentTestServer, agent: TestAgent): Record<string, string> {
  return { authorization: signAgentRequest({ agentId: agent.agentId, privateKey: agent.privateKey, method: 'GET', path: AGENT_PATHS.policyStream, now: server.clock.now().getTime() }) };
}
