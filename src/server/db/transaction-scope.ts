/** Knows whether the caller is inside one of a database's transactions, so that misuse fails loudly instead of deadlocking or escaping the transaction. */

import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlRunner, SqlValue } from './database';

interface OpenTransaction {
  readonly owner: object;
  open: boolean;
}

const scope = new AsyncLocalStorage<readonly OpenTransaction[]>();

/** Runs `work` (a whole transaction, BEGIN to COMMIT) as a transaction of `owner`, for `insideTransactionOf(owner)` to see. */
export async function inTransactionScope<T>(owner: object, work: () => Promise<T>): Promise<T> {
  const entry: OpenTransaction = { owner, open: true };
  try {
    return await scope.run([...(scope.getStore() ?? []), entry], work);
  } finally {
    entry.open = false;
  }
}

/** Whether the current async context is inside a still-open transaction of `owner` (work it left running after the end is not). */
export function insideTransactionOf(owner: object): boolean {
  return (scope.getStore() ?? []).some((entry) => entry.owner === owner && entry.open);
}

/** Throws when the database's own statements are used inside one of its transactions, naming `file`. */
export function refuseInsideTransaction(owner: object, file: string, what: string): void {
  if (insideTransactionOf(owner)) {
    throw new Error(`${file}: ${what} inside a transaction of the same database: use the \`tx\` given to transaction()`);
  }
}

/** `runner`, refusing every statement once `open()` is false: a `tx` kept past its transaction's end. */
export function guardTransactionRunner(runner: SqlRunner, open: () => boolean, file: string): SqlRunner {
  const check = (): void => {
    if (!open()) throw new Error(`${file}: this transaction has already ended: its \`tx\` cannot run statements any more`);
  };
  return {
    all: async <Row extends object>(sql: string, params?: readonly SqlValue[]) => (check(), runner.all<Row>(sql, params)),
    get: async <Row extends object>(sql: string, params?: readonly SqlValue[]) => (check(), runner.get<Row>(sql, params)),
    run: async (sql: string, params?: readonly SqlValue[]) => (check(), runner.run(sql, params)),
    exec: async (sql: string) => (check(), runner.exec(sql)),
  };
}
