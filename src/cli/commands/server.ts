/** `portcullis server` (the console server, in the foreground), `portcullis server user add|disable|unlock` (console accounts) and `portcullis server enrol-token` (a one-time token that enrols one PC). */

import type { FastifyPluginAsync } from 'fastify';
import type { ServerLogOptions } from '../../server/app';
import type { ScryptParams } from '../../server/auth/password-hash';
import { resolveServerConfig, DEFAULT_HOST, DEFAULT_PORT } from '../../server/server-config';
import { AgentStore, createEnrolToken, revokeAgent } from '../../server/agent-store';
import { startServer } from '../../server/start-server';
import { ROLES } from '../../server/users/roles';
import { UserStore, type User } from '../../server/users/user-store';
import type { Result } from '../../policy/policy-document';
import { configuredLevel, createLogger, type Logger } from '../../util/logger';
import { fail, UsageError, type CliIo, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';
import { DATA_HELP, itAdmin, withServerDatabase } from './server-admin';
import { untilSignal } from '../until-signal';
import { PORTCULLIS_VERSION } from '../version';

export interface ServerCommandDeps {
  env: NodeJS.ProcessEnv;
  /** Resolves with the reason when the server should stop (SIGINT, SIGTERM). */
  untilStopped: () => Promise<string>;
  /** The server's request log (JSON lines on standard error unless said). */
  log?: ServerLogOptions;
  logger?: Logger;
  plugins?: readonly FastifyPluginAsync[];
  /** Tests only: cheap scrypt parameters. Never set in production, where every hash uses CURRENT_SCRYPT_PARAMS. */
  scryptParams?: Readonly<ScryptParams>;
}

const realDeps: ServerCommandDeps = { env: process.env, untilStopped: untilSignal };

/** Hours an enrolment token is valid for unless --hours says (at most two weeks). */
const TOKEN_HOURS = { default: 24, max: 24 * 14 };

/** The first line of standard input, without its line ending. */
async function passwordFromStdin(io: CliIo): Promise<string> {
  const [line = ''] = (await io.readStdin()).split('\n');
  const password = line.replace(/\r$/, '');
  if (password === '') throw new UsageError('give the new password on standard input, one line (e.g. read -rs PW && printf "%s\\n" "$PW" | portcullis server user add ...)');
  return password;
}

function describe(user: User): string {
  return `${user.email} (${user.name}, ${user.role}${user.disabledAt === null ? '' : ', disabled'})`;
}

export function createServerCommands(deps: ServerCommandDeps = realDeps): Command[] {
  const logger = deps.logger ?? createLogger('server');
  // A one-off command need not say that it opened the database.
  const quietLogger = deps.logger ?? createLogger('server', process.stderr, 'warn');
  /** Runs `work` on the user store of the database `--data`/DATABASE_URL name, migrated, and closes it. */
  const withUsers = (data: string | undefined, work: (users: UserStore) => Promise<Result<User>>): Promise<Result<User>> =>
    withServerDatabase(data, deps.env, quietLogger, (db) => work(new UserStore({ db, clock: Date.now, scryptParams: deps.scryptParams })));

  const server: Command = {
    path: ['server'],
    summary: 'Run the console server (SLT approvals, agents, audit) in the foreground',
    usage:
      `portcullis server [--data DIR] [--port N] [--host H] [--tls-cert FILE --tls-key FILE] [--proxy ADDRS] [--policy-key FILE] [--mail FILE [--staff-email-domain DOMAIN]] [--sso FILE]   ` +
      `(defaults: ${DEFAULT_HOST}:${DEFAULT_PORT}; ${DATA_HELP}; the policy-signing key is DIR/policy-signing.key unless --policy-key names one, which PostgreSQL needs)`,
    async run(args, io) {
      const { values } = parseCommandLine({
        args,
        options: {
          data: { type: 'string' },
          port: { type: 'string' },
          host: { type: 'string' },
          'tls-cert': { type: 'string' },
          'tls-key': { type: 'string' },
          proxy: { type: 'string' },
          'policy-key': { type: 'string' },
          mail: { type: 'string' },
          'staff-email-domain': { type: 'string' },
          sso: { type: 'string' },
        },
      });
      const config = resolveServerConfig(values, deps.env);
      if (!config.ok) throw new UsageError(config.error);
      const running = await startServer(config.value, { log: deps.log ?? { level: configuredLevel(deps.env) }, logger, version: PORTCULLIS_VERSION, plugins: deps.plugins, scryptParams: deps.scryptParams, env: deps.env });
      const storage = config.value.storage;
      const where = storage.kind === 'sqlite' ? `SQLite in ${storage.dataDir}` : 'PostgreSQL from DATABASE_URL';
      io.out(`Portcullis console server listening on ${running.url} (${where})${config.value.localHttp ? '; plain HTTP, this machine only' : ''}\n`);
      const reason = await deps.untilStopped();
      await running.stop();
      logger.info('console server stopped', { reason });
      return 0;
    },
  };

  const userAdd: Command = {
    path: ['server', 'user', 'add'],
    summary: 'Add a console account; its password is read from standard input (one line)',
    usage: `portcullis server user add --email E --role ${ROLES.join('|')} [--name N] [--data DIR]   (${DATA_HELP})`,
    async run(args, io) {
      const { values } = parseCommandLine({ args, options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, data: { type: 'string' } } });
      if (values.email === undefined) throw new UsageError('--email is required');
      if (values.role === undefined) throw new UsageError(`--role is required: one of ${ROLES.join(', ')}`);
      const password = await passwordFromStdin(io);
      const { email, role, name } = values;
      const added = await withUsers(values.data, (users) => users.create({ email, role, name, password }));
      if (!added.ok) return fail(io, added.error);
      io.out(`Added ${describe(added.value)}: they can sign in to the console now.\n`);
      return 0;
    },
  };

  const userChange = (word: 'disable' | 'unlock', summary: string, done: string): Command => ({
    path: ['server', 'user', word],
    summary,
    usage: `portcullis server user ${word} --email E [--data DIR]`,
    async run(args, io) {
      const { values } = parseCommandLine({ args, options: { email: { type: 'string' }, data: { type: 'string' } } });
      if (values.email === undefined) throw new UsageError('--email is required');
      const email = values.email;
      const changed = await withUsers(values.data, (users) => (word === 'disable' ? users.disable(email) : users.unlock(email)));
      if (!changed.ok) return fail(io, changed.error);
      io.out(`${describe(changed.value)}: ${done}\n`);
      return 0;
    },
  });

  const enrolToken: Command = {
    path: ['server', 'enrol-token'],
    summary: 'Issue a one-time token that enrols one PC with the console server (shown once)',
    usage: `portcullis server enrol-token [--hours N] [--by EMAIL] [--data DIR]   (valid ${TOKEN_HOURS.default} hours unless said, at most ${TOKEN_HOURS.max}; issued by the IT admin --by names, or the only one; ${DATA_HELP})`,
    async run(args, io) {
      const { values } = parseCommandLine({ args, options: { hours: { type: 'string' }, by: { type: 'string' }, data: { type: 'string' } } });
      const hours = values.hours === undefined ? TOKEN_HOURS.default : /^[0-9]{1,4}$/.test(values.hours) ? Number(values.hours) : Number.NaN;
      if (!(hours >= 1 && hours <= TOKEN_HOURS.max)) throw new UsageError(`--hours: expected a whole number of hours from 1 to ${TOKEN_HOURS.max}, not ${JSON.stringify(values.hours)}`);
      return withServerDatabase(values.data, deps.env, quietLogger, async (db) => {
        const issuer = await itAdmin(db, values.by);
        if (!issuer.ok) return fail(io, issuer.error);
        const issued = await createEnrolToken(new AgentStore({ db }), issuer.value.id, hours * 60 * 60_000);
        io.out(`${issued.token}\n`);
        io.err(`One-time enrolment token issued by ${issuer.value.email}, valid until ${issued.expiresAt.toISOString()}: it enrols one PC. It is not shown again.\n`);
        return 0;
      });
    },
  };

  const agentRevoke: Command = {
    path: ['server', 'agent', 'revoke'],
    summary: "Revoke a PC's agent (lost, stolen, rebuilt or retired): every request signed with its key is refused from now on",
    usage: `portcullis server agent revoke --id AGENT_ID [--by EMAIL] [--data DIR]   (recorded as the IT admin --by names, or the only one; ${DATA_HELP})`,
    async run(args, io) {
      const { values } = parseCommandLine({ args, options: { id: { type: 'string' }, by: { type: 'string' }, data: { type: 'string' } } });
      if (values.id === undefined) throw new UsageError('--id is required: the agent id (agt_...) from the console\'s Agents page');
      const id = values.id;
      return withServerDatabase(values.data, deps.env, quietLogger, async (db) => {
        const by = await itAdmin(db, values.by);
        if (!by.ok) return fail(io, by.error);
        const outcome = await revokeAgent(new AgentStore({ db }), id, by.value.id);
        if (outcome === 'unknown-agent') return fail(io, `--id: no agent ${id}`);
        if (outcome === 'already-revoked') return fail(io, `--id: agent ${id} was already revoked`);
        io.out(`Revoked agent ${id}: the PC must be enrolled again to take part.\n`);
        return 0;
      });
    },
  };

  return [
    server,
    enrolToken,
    agentRevoke,
    userAdd,
    userChange('disable', 'Stop a console account signing in and end its sessions', 'disabled; their sessions have ended.'),
    userChange('unlock', 'Lift a console account\'s lockout after too many wrong passwords', 'unlocked; they can sign in again.'),
  ];
}

export const serverCommands: readonly Command[] = createServerCommands();
