/** Where the harness finds the repository and keeps its build outputs (`.cache/e2e/`), from source or from dist/. */
import { existsSync } from 'node:fs';
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
