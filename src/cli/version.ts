/** Portcullis's version, from package.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  // From dist/src/cli (tsc), src/cli (tests) or dist/ (the bundle, dist/portcullis.js).
  for (const up of ['../..', '../../..', '..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      continue;
    }
  }
  return 'unknown';
}

export const PORTCULLIS_VERSION = readVersion();
