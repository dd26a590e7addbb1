/** A throwaway PostgreSQL cluster for tests: one per jest worker process, on a unix socket only, stopped and deleted when that process exits. */

import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Set to a server's URL (a role that may CREATE DATABASE) to use it instead of a throwaway cluster. */
export const TEST_DATABASE_URL_VARIABLE = 'PORTCULLIS_TEST_DATABASE_URL';

/** Debian's server binaries (package postgresql): the newest /usr/lib/postgresql/N/bin with initdb. */
function serverBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^[0-9]+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new Error(`test/support/postgres-cluster.ts: no ${root}/N/bin/initdb: apt-get install postgresql, or set ${TEST_DATABASE_URL_VARIABLE}`);
  }
  return join(root, newest, 'bin');
}

/** initdb refuses to run as root: as root, the cluster belongs to Debian's `postgres` user. */
const asRoot = process.getuid?.() === 0;

function asOwner(command: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function runAsOwner(command: string, args: string[], cwd: string): Promise<void> {
  const [file, fileArgs] = asOwner(command, args);
  try {
    await execFileAsync(file, fileArgs, { cwd });
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`test/support/postgres-cluster.ts: ${command} failed: ${message}\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/**
 * A detached shell that waits for this process to end, however it ends (jest ending its worker,
 * a crash, SIGKILL), then stops the cluster and deletes its directory; jest's test environments
 * cannot be relied on to run exit handlers, and the cluster would otherwise outlive the tests.
 */
function stopWhenThisProcessExits(bin: string, dir: string): void {
  const [stop, stopArgs] = asOwner(join(bin, 'pg_ctl'), ['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-s']);
  const script = 'while kill -0 "$1" 2>/dev/null; do sleep 0.2; done; shift; "$@" >/dev/null 2>&1; rm -rf "$DIR"';
  const watchdog = spawn('sh', ['-c', script, 'watchdog', String(process.pid), stop, ...stopArgs], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, DIR: dir },
  });
  watchdog.unref();
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('test/support/postgres-cluster.ts: no postgres user: apt-get install postgresql');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Whether the postmaster of `data` is alive (a directory left by an earlier process with this pid is not). */
function serverRunning(data: string): boolean {
  try {
    process.kill(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), 0);
    return true;
  } catch {
    return false;
  }
}

/** The URL of this process's cluster (database `postgres`), started on first use. */
async function startCluster(): Promise<string> {
  const dir = join(tmpdir(), `portcullis-pg-${process.pid}`);
  const urlFile = join(dir, 'url');
  // Started by an earlier test file in this worker (each file has its own module registry).
  if (existsSync(urlFile) && serverRunning(join(dir, 'data'))) return readFileSync(urlFile, 'utf8');
  const bin = serverBinaries();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  stopWhenThisProcessExits(bin, dir);
  const data = join(dir, 'data');
  await runAsOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], dir);
  // No TCP (listen_addresses=''), the socket in our own directory: no port or socket to share with
  // Debian's default cluster or another worker's; durability off, as nothing here must survive.
  const serverOptions = `-c listen_addresses='' -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  await runAsOwner(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-s', '-l', join(dir, 'server.log'), '-o', serverOptions], dir).catch((error: Error) => {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
    throw new Error(`${error.message}\n${log}`);
  });
  const url = `postgresql:///postgres?host=${encodeURIComponent(dir)}&user=postgres`;
  writeFileSync(urlFile, url);
  return url;
}

let cluster: Promise<string> | undefined;

/** A server URL (connecting to its `postgres` database) on which tests may create databases. */
export async function testServerUrl(): Promise<string> {
  const given = process.env[TEST_DATABASE_URL_VARIABLE];
  if (given !== undefined && given !== '') return given;
  cluster ??= startCluster();
  return cluster;
}
