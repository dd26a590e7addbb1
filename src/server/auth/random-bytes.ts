/** The source of secret random bytes that the auth modules take as a parameter, so tests can make it deterministic. */

import { randomBytes } from 'node:crypto';

/** Returns `size` cryptographically secure random bytes. */
export type RandomBytes = (size: number) => Buffer;

export const secureRandomBytes: RandomBytes = (size) => randomBytes(size);
