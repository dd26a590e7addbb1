/** What one-off `portcullis server ...` commands share: the database `--data` or DATABASE_URL names, and who they act as (the console user `--by` names, or the only IT admin). */

import type { Result } from '../../policy/policy-document';
import type { Database } from '../../server/db/database';
import type { Role } from '../../server/users/roles';
import { DEFAULT_DATA_DIR, resolveStorage, type ServerStorage } from '../../server/server-config';
import { openServerDatabase } from '../../server/start-server';
import type { Logger } from '../../util/logger';
import { UsageError } from '../command';

/** How every one-off server command names its database. */
export const DATA_HELP = `--data DIR: the SQLite database's directory (default ${DEFAULT_DATA_DIR}); DATABASE_URL=postgres://... in the environment uses PostgreSQL instead`;

/** A console user, as server events and policy versions record them. */
export interface ConsoleAdmin {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** The users.id that issues a token or revokes an agent: the active user with email `by`, else the only active IT admin. */
export async function itAdmin(db: Database, by: string | undefined): Promise<Result<ConsoleAdmin>> {
  if (by !== undefined) {
    const user = await db.get<ConsoleAdmin & { disabled_at: string | null }>('SELECT id, email, display_name AS name, role, disabled_at FROM users WHERE lower(email) = lower(?)', [by.trim().toLowerCase()]);
    if (user === undefined) return { ok: false, error: `--by: no console user has the email ${by}` };
    if (user.disabled_at !== null) return { ok: false, error: `--by: ${user.email} is disabled` };
    return { ok: true, value: { id: user.id, email: user.email, name: user.name, role: user.role } };
  }
  const admins = await db.all<ConsoleAdmin>("SELECT id, email, display_name AS name, role FROM users WHERE role = 'it-admin' AND disabled_at IS NULL ORDER BY email");
  const only = admins[0];
  if (admins.length === 1 && only !== undefined) return { ok: true, value: only };
  if (admins.length === 0) return { ok: false, error: '--by: there is no IT admin: add one with portcullis server user add --role it-admin, or name the console user with --by EMAIL' };
  return { ok: false, error: `--by: there are ${admins.length} IT admins (${admins.map((admin) => admin.email).join(', ')}): say which of you it is with --by EMAIL` };
}

/** Runs `work` on the database `--data`/DATABASE_URL name, migrated, and closes it; a bad choice of database is a usage error. */
export async function withServerDatabase<T>(data: string | undefined, env: NodeJS.ProcessEnv, logger: Logger, work: (db: Database, storage: ServerStorage) => Promise<T>): Promise<T> {
  const storage = resolveStorage(data, env);
  if (!storage.ok) throw new UsageError(storage.error);
  const db = await openServerDatabase(storage.value, logger);
  try {
    return await work(db, storage.value);
  } finally {
    await db.close();
  }
}
