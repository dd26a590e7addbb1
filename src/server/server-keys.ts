/** The console server's Ed25519 policy-signing key pair: made in the data directory on first start (private key mode 0600), or read from a given path; agents trust its public key. */

import { createPublicKey, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSigningKeyPair, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, signingKeyFromPem, type SigningKey } from '../policy/policy-keys';
import { writeFileAtomic } from '../util/atomic-write';
import { pathExists } from '../util/path-exists';
import { createLogger, type Logger } from '../util/logger';

export interface ServerKeys {
  /** What signs every policy version the server publishes. */
  signingKey: SigningKey;
  keyId: string;
  /** SPKI PEM: given to each agent when it enrols, as the one key it accepts policies from. */
  publicKeyPem: string;
  privateKeyPath: string;
}

export interface ServerKeyOptions {
  /** `--data DIR`: the key pair is DIR/policy-signing.key and DIR/policy-signing.pub, made if missing. */
  dataDir?: string;
  /** `--policy-key FILE`: an existing PEM private key, used instead of the data directory's. */
  privateKeyPath?: string;
}

export interface ServerKeyDeps {
  logger?: Logger;
  /** For tests: the platform whose file modes are checked (modes mean nothing on Windows). */
  platform?: NodeJS.Platform;
}

const PRIVATE_MODE = 0o600;

function errorCode(error: unknown): string | undefined {
  return (error as { code?: unknown } | null)?.code as string | undefined;
}

/** Reads and checks a PEM private key file; `strictMode` refuses one that others can read or write. */
async function readKey(path: string, strictMode: boolean, deps: Required<ServerKeyDeps>): Promise<ServerKeys> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`server-keys.ts: cannot read the policy-signing key ${path}: ${errorCode(error) === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (deps.platform !== 'win32') {
    const mode = (await stat(path)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      const words = `the policy-signing key ${path} can be read or changed by other users (mode ${mode.toString(8).padStart(4, '0')})`;
      if (strictMode) throw new Error(`server-keys.ts: ${words}: run chmod 600 ${path}`);
      deps.logger.warn(`${words}; keep it mode 0600`, { path });
    }
  }
  const key = signingKeyFromPem(pem, path);
  if (!key.ok) throw new Error(`server-keys.ts: ${key.error}`);
  const publicKeyPem = createPublicKey(key.value.privateKey).export({ format: 'pem', type: 'spki' }).toString();
  return { signingKey: key.value, keyId: key.value.keyId, publicKeyPem, privateKeyPath: path };
}

/**
 * Creates DIR/policy-signing.key whole or not at all: written to a temporary file, then hard-linked
 * into place, which fails if the key exists. Two servers starting at once on one data directory
 * end with one key (the loser reads the winner's), and no reader sees a half-written key. The
 * public key is written beside it for IT to copy to PCs that are given a policy by hand.
 */
async function createKey(dir: string, logger: Logger): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pair = generateSigningKeyPair();
  const privateKeyPath = join(dir, PRIVATE_KEY_FILE);
  const temp = join(dir, `.${PRIVATE_KEY_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFileAtomic(temp, pair.privateKeyPem, PRIVATE_MODE);
    await link(temp, privateKeyPath);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return;
    throw new Error(`server-keys.ts: cannot create the policy-signing key ${privateKeyPath}: ${(error as Error).message}`);
  } finally {
    await rm(temp, { force: true });
  }
  await writeFileAtomic(join(dir, PUBLIC_KEY_FILE), pair.publicKeyPem, 0o644);
  logger.info('created the policy-signing key', { path: privateKeyPath, keyId: pair.keyId });
}

/**
 * The server's signing keys. With `privateKeyPath`, that file must exist (a loose mode is warned
 * about). Otherwise DIR/policy-signing.key is read, or created on first start; a loose mode on it
 * is refused. Throws with a message naming the file.
 */
export async function loadServerKeys(options: ServerKeyOptions, deps: ServerKeyDeps = {}): Promise<ServerKeys> {
  const full: Required<ServerKeyDeps> = { logger: deps.logger ?? createLogger('server-keys'), platform: deps.platform ?? process.platform };
  if (options.privateKeyPath !== undefined && options.privateKeyPath !== '') return readKey(options.privateKeyPath, false, full);
  if (options.dataDir === undefined || options.dataDir === '') {
    throw new Error('server-keys.ts: no policy-signing key: give the server a data directory (--data DIR) or the key file');
  }
  const path = join(options.dataDir, PRIVATE_KEY_FILE);
  if (!(await pathExists(path))) await createKey(options.dataDir, full.logger);
  return readKey(path, true, full);
}
