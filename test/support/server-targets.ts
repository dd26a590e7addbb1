/** How a test points a one-off `portcullis server ...` command at a fresh database: `--data DIR` for SQLite, DATABASE_URL and a policy-signing key file for PostgreSQL. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSigningKeyPair } from '../../src/policy/policy-keys';
import type { FreshDatabase } from './databases';

/** `--data DIR` for SQLite, DATABASE_URL for PostgreSQL: the same database as `fresh`. */
export function databaseTarget(fresh: FreshDatabase): { args: string[]; env: NodeJS.ProcessEnv } {
  return fresh.options.databaseUrl !== undefined ? { args: [], env: { DATABASE_URL: fresh.options.databaseUrl } } : { args: ['--data', fresh.options.dataDir ?? ''], env: {} };
}

/** What a command that signs policies needs besides: the policy-signing key, which PostgreSQL keeps no directory for. */
export async function policyKeyArgs(fresh: FreshDatabase): Promise<string[]> {
  if (fresh.options.databaseUrl === undefined) return [];
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-key-'));
  const written = await writeSigningKeyPair(dir, { force: false });
  if (!written.ok) throw new Error(written.error);
  return ['--policy-key', written.value.privateKeyPath];
}
