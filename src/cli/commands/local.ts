/** `portcullis local` (what `npm start` runs): the console server on SQLite and an audit-only agent enrolled with it, on this PC, with nothing else to install. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAgentConfig } from '../../agent/agent-config';
import { enrolAgent } from '../../agent/server-link/enrol-agent';
import { readIdentity, serverLinkPaths } from '../../agent/server-link/link-files';
import { parseServerUrl } from '../../agent/server-link/server-url';
import { startAgent } from '../../agent/start-agent';
import { AgentStore, createEnrolToken } from '../../server/agent-store';
import type { Database } from '../../server/db/database';
import type { ScryptParams } from '../../server/auth/password-hash';
import { resolveServerConfig } from '../../server/server-config';
import { startServer } from '../../server/start-server';
import { UserStore } from '../../server/users/user-store';
import { createLogger, type Logger } from '../../util/logger';
import { fail, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';
import { untilSignal } from '../until-signal';
import { PORTCULLIS_VERSION } from '../version';
import { trayAvailability } from './tray-availability';

export const LOCAL_DATA_DIR = '.portcullis-local';
/** The console account `portcullis local` makes on first start, to approve requests with. */
export const LOCAL_APPROVER = 'slt@portcullis.localhost';

export interface LocalCommandDeps {
  untilStopped: () => Promise<string>;
  logger?: Logger;
  /** Tests only: cheap scrypt parameters. */
  scryptParams?: Readonly<ScryptParams>;
}

/** A password that meets the school's rule (letters, numbers, a special character), from 96 random bits. */
function generatedPassword(): string {
  return `${randomBytes(12).toString('base64url')}-7q`;
}

export function createLocalCommand(deps: LocalCommandDeps = { untilStopped: untilSignal }): Command {
  return {
    path: ['local'],
    summary: 'Run Portcullis on this PC: the console server (SQLite) and an audit-only agent enrolled with it',
    usage: `portcullis local [--data DIR] [--port N] [--sysfs-root DIR]   (default --data ./${LOCAL_DATA_DIR}, --port 8443)`,
    async run(args, io) {
      const { values } = parseCommandLine({ args, options: { data: { type: 'string' }, port: { type: 'string' }, 'sysfs-root': { type: 'string' } } });
      const dataDir = resolve(values.data ?? LOCAL_DATA_DIR);
      const logger = deps.logger ?? createLogger('local');
      const serverConfig = resolveServerConfig({ data: join(dataDir, 'server'), port: values.port ?? '8443' }, {});
      if (!serverConfig.ok) return fail(io, serverConfig.error);
      const server = await startServer(serverConfig.value, { logger, version: PORTCULLIS_VERSION, log: { level: 'warn' }, scryptParams: deps.scryptParams });
      try {
        const approver = await firstApprover(server.db, deps.scryptParams);
        if (!approver.ok) return fail(io, approver.error);
        const agentDir = join(dataDir, 'agent');
        const origin = server.url.replace(/\/$/, '');
        const enrolled = await enrolOnce(server.db, origin, agentDir, approver.value);
        if (!enrolled.ok) return fail(io, enrolled.error);
        const config = parseAgentConfig(
          { server: origin, mode: 'audit', stateDir: agentDir, auditLog: join(agentDir, 'audit.jsonl'), socket: join(agentDir, 'agent.sock'), sysfsRoot: values['sysfs-root'] ?? '/sys' },
          'portcullis local',
        );
        if (!config.ok) return fail(io, config.error);
        const agent = await startAgent(config.value, { version: PORTCULLIS_VERSION, logger });
        io.out(
          `Portcullis is running on this PC (data in ${dataDir}).\n` +
            `  Console: ${server.url}  (sign in as ${LOCAL_APPROVER}${approver.value.password ? ` with the password ${approver.value.password}: shown once, kept only as a hash` : ''})\n` +
            `  Agent: audit mode (it decides and records every device, and blocks nothing); ask for a device with\n` +
            `         PORTCULLIS_ALLOW_USER_SOCKET=1 portcullis request PORT --reason TEXT --socket ${config.value.socket}\n` +
            `  Tray: ${trayAvailability()}\n` +
            'Stop with Ctrl-C.\n',
        );
        const reason = await deps.untilStopped();
        await agent.stop(reason);
      } finally {
        await server.stop();
      }
      return 0;
    },
  };
}

/** The SLT approver to sign in as: made on first start with a generated password, which is then shown once. */
async function firstApprover(db: Database, scryptParams: LocalCommandDeps['scryptParams']): Promise<{ ok: true; value: { id: string; password?: string } } | { ok: false; error: string }> {
  const users = new UserStore({ db, clock: Date.now, scryptParams });
  const existing = await users.findByEmail(LOCAL_APPROVER);
  if (existing) return { ok: true, value: { id: existing.id } };
  const password = generatedPassword();
  const created = await users.create({ email: LOCAL_APPROVER, role: 'slt-approver', name: 'SLT (this PC)', password });
  if (!created.ok) return { ok: false, error: `could not make the console account ${LOCAL_APPROVER}: ${created.error}` };
  return { ok: true, value: { id: created.value.id, password } };
}

/** Enrols the local agent with the local server the first time; afterwards its identity is kept in the agent's folder. */
async function enrolOnce(db: Database, origin: string, agentDir: string, approver: { id: string }): Promise<{ ok: true } | { ok: false; error: string }> {
  const held = await readIdentity(serverLinkPaths(agentDir));
  if (held.ok && held.value !== undefined) return { ok: true };
  const { token } = await createEnrolToken(new AgentStore({ db }), approver.id);
  const server = parseServerUrl(origin);
  if (!server.ok) return server;
  const enrolled = await enrolAgent({ server: server.value, token, stateDir: agentDir, machine: hostname(), version: PORTCULLIS_VERSION, fetch, clock: () => new Date() });
  return enrolled.ok ? { ok: true } : { ok: false, error: `the local agent could not enrol: ${enrolled.error}` };
}

export const localCommand = createLocalCommand();
