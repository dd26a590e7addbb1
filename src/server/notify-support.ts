/** What the server's alert emails share: who holds a role (active accounts only), and background work that never blocks the caller but can be waited for at stop. */

import type { Database } from './db/database';
import type { Role } from './users/roles';
import type { Logger } from '../util/logger';

/** The addresses of every active (not disabled) console account with `role`, in a stable order. */
export async function activeEmails(db: Database, role: Role): Promise<string[]> {
  const rows = await db.all<{ email: string }>('SELECT email FROM users WHERE role = ? AND disabled_at IS NULL ORDER BY email', [role]);
  return rows.map((row) => row.email);
}

/** Work started in the background (reading the database, then handing messages to the Mailer): failures are logged, never thrown. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /** Starts `task` at once; the caller does not wait for it. */
  run(task: () => Promise<void>, context: Record<string, unknown>): void {
    const done: Promise<void> = Promise.resolve()
      .then(task)
      .catch((error: unknown) => this.logger.error(`${this.what} failed`, { ...context, error: (error as Error).message }))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once every task started so far has finished (the server waits for this before closing the database). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
