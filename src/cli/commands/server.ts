/** `portcullis server` (the console server, in the foreground) and `portcullis server user add|disable|unlock` (console accounts). */

import type { FastifyPluginAsync } from 'fastify';
import type { ServerLogOptions } from '../../server/app';
import type { ScryptParams } from '../../server/auth/password-hash';
import { resolveServerConfig, resolveStorage, DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT } from '../../server/server-config';
import { openServerDatabase, startServer } from '../../server/start-server';
import { ROLES } from '../../server/users/roles';
import { UserStore, type User } from '../../server/users/user-store';
import type { Result } from '../../policy/policy-document';
import { configuredLevel, createLogger, type Logger } from '../../util/logger';
import { fail, UsageError, type CliIo, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';
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

const DATA_HELP = `--data DIR: the SQLite database's directory (default ${DEFAULT_DATA_DIR}); DATABASE_URL=postgres://... in the environment uses PostgreSQL instead`;

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
  const withUsers = async (data: string | undefined, work: (users: UserStore) => Promise<Result<User>>): Promise<Result<User>> => {
    const storage = resolveStorage(data, deps.env);
    if (!storage.ok) throw new UsageError(storage.error);
    const db = await openServerDatabase(storage.value, quietLogger);
    try {
      return await work(new UserStore({ db, clock: Date.now, scryptParams: deps.scryptParams }));
    } finally {
      await db.close();
    }
  };

  const server: Command = {
    path: ['server'],
    summary: 'Run the console server (SLT approvals, agents, audit) in the foreground',
    usage: `portcullis server [--data DIR] [--port N] [--host H] [--tls-cert FILE --tls-key FILE] [--proxy ADDRS]   (defaults: ${DEFAULT_HOST}:${DEFAULT_PORT}; ${DATA_HELP})`,
    async run(args, io) {
      const { values } = parseCommandLine({
        args,
        options: { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, proxy: { type: 'string' } },
      });
      const config = resolveServerConfig(values, deps.env);
      if (!config.ok) throw new UsageError(config.error);
      const running = await startServer(config.value, { log: deps.log ?? { level: configuredLevel(deps.env) }, logger, version: PORTCULLIS_VERSION, plugins: deps.plugins, scryptParams: deps.scryptParams });
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

  return [
    server,
    userAdd,
    userChange('disable', 'Stop a console account signing in and end its sessions', 'disabled; their sessions have ended.'),
    userChange('unlock', 'Lift a console account\'s lockout after too many wrong passwords', 'unlocked; they can sign in again.'),
  ];
}

export const serverCommands: readonly Command[] = createServerCommands();
