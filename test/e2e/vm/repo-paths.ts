/** Where the harness finds the repository and keeps its build outputs (`.cache/e2e/`), from source or from dist/. */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${from}`);
}

export const REPO_ROOT = findRepoRoot(__dirname);
export const E2E_CACHE = join(REPO_ROOT, '.cache', 'e2e');
/** The guest's own files (init, control program): read from the source tree even when the harness runs from dist/. */
export const GUEST_SOURCES = join(REPO_ROOT, 'test', 'e2e', 'vm', 'guest');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh directory for one VM's sockets, logs and disk images: `.cache/e2e/run/NAME-PID`.
 * Each run gets its own, so runs of several engineers (or `npm test` beside `npm run
 * test:e2e`) never share one; it is kept for reading until the next run of the same NAME
 * removes the directories of NAME's runs that have ended.
 */
export function freshRunDir(name: string): string {
  const runs = join(E2E_CACHE, 'run');
  mkdirSync(runs, { recursive: true });
  for (const entry of readdirSync(runs)) {
    const pid = Number(new RegExp(`^${name}-(\\d+)$`).exec(entry)?.[1]);
    if (Number.isInteger(pid) && !alive(pid)) rmSync(join(runs, entry), { recursive: true, force: true });
  }
  const dir = join(runs, `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  return dir;
}
