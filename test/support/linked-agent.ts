/** An agent enrolled with a test console server and running on a fake USB kernel, its log captured, once the server's first policy is in force. */
import { join } from 'node:path';
import { parseAgentConfig } from '../../src/agent/agent-config';
import { enrolAgent } from '../../src/agent/server-link/enrol-agent';
import { startAgent, type RunningAgent } from '../../src/agent/start-agent';
import type { FakeUsbKernel } from '../enforce/fake-usb-kernel';
import { captureLogger } from './capture-logger';

export interface LinkedAgentOptions {
  kernel: FakeUsbKernel;
  stateDir: string;
  /** The server's origin, e.g. http://127.0.0.1:4321. */
  server: URL;
  /** A one-time enrolment token from the server. */
  token: string;
  /** Where the local API listens (default: in stateDir). */
  socket?: string;
  /** Resolves once the condition holds; rejects, saying what, after a while. */
  waitUntil: (check: () => boolean | Promise<boolean>, what: string) => Promise<unknown>;
}

export async function startLinkedAgent(options: LinkedAgentOptions): Promise<{ running: RunningAgent; agentId: string; lines: ReturnType<typeof captureLogger>['lines'] }> {
  const { kernel, stateDir, server, token } = options;
  const machine = 'ICT-SUITE-07';
  const enrolled = await enrolAgent({ server, token, stateDir, machine, version: 'test', fetch, clock: () => new Date() });
  if (!enrolled.ok) throw new Error(enrolled.error);
  const socket = options.socket ?? join(stateDir, 'agent.sock');
  const config = parseAgentConfig({ machine, sysfsRoot: kernel.sysfsRoot, server: server.origin, auditLog: join(stateDir, 'audit.jsonl'), socket, stateDir, pollIntervalMs: 50 }, 'test');
  if (!config.ok) throw new Error(config.error);
  const { logger, lines } = captureLogger('agent');
  const running = await startAgent(config.value, { version: 'test', platform: 'linux', logger });
  await options.waitUntil(() => running.agent.status().policy.startsWith('policy v1 signed by'), 'the server policy v1 in force');
  return { running, agentId: enrolled.value.identity.agentId, lines };
}
