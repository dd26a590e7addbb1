/**
 * Who is on the other end of a local API connection. Node has no SO_PEERCRED, so this asks the
 * kernel the way `ss` does: the connection's socket inode, its peer's inode, the process that
 * holds the peer, and that process's real user id.
 */
import { fstat } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { runCommand, type CommandRunner } from '../util/command-runner';

export interface PeerCredentials {
  pid: number;
  uid: number;
  user: string;
}

export interface PeerLookup {
  run?: CommandRunner;
  procRoot?: string;
  passwdFile?: string;
}

/** One unix socket from `ss -xpnH`: its inode, its peer's inode, and the pid holding it. */
interface UnixSocketRow {
  inode: number;
  peerInode: number;
  pid?: number;
}

export function parseSsUnixRows(output: string): UnixSocketRow[] {
  return output.split('\n').flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    const [inode, peerInode] = [Number(fields[5]), Number(fields[7])];
    if (fields.length < 8 || !Number.isInteger(inode) || !Number.isInteger(peerInode)) return [];
    const pid = /pid=(\d+)/.exec(line)?.[1];
    return [{ inode, peerInode, pid: pid === undefined ? undefined : Number(pid) }];
  });
}

/** The real uid on the `Uid:` line of /proc/PID/status. */
export function realUid(status: string): number | undefined {
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  return uid === undefined ? undefined : Number(uid);
}

export function userName(passwd: string, uid: number): string | undefined {
  return passwd.split('\n').find((line) => line.split(':')[2] === String(uid))?.split(':')[0];
}

/** The connecting process's user, or undefined when it cannot be told (not root, no `ss`, the client gone). */
export async function peerCredentials(socket: Socket, lookup: PeerLookup = {}): Promise<PeerCredentials | undefined> {
  // Node keeps the file descriptor on its private handle; there is no public way to fstat a socket.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) return undefined;
  const inode = (await promisify(fstat)(fd)).ino;
  const ss = await (lookup.run ?? runCommand)('ss', ['-xpnH']);
  if (ss.exitCode !== 0) return undefined;
  const rows = parseSsUnixRows(ss.stdout);
  const peerInode = rows.find((row) => row.inode === inode)?.peerInode;
  const pid = rows.find((row) => row.inode === peerInode)?.pid;
  if (pid === undefined) return undefined;
  const status = await readFile(`${lookup.procRoot ?? '/proc'}/${pid}/status`, 'utf8').catch(() => '');
  const uid = realUid(status);
  if (uid === undefined) return undefined;
  const passwd = await readFile(lookup.passwdFile ?? '/etc/passwd', 'utf8').catch(() => '');
  return { pid, uid, user: userName(passwd, uid) ?? String(uid) };
}
