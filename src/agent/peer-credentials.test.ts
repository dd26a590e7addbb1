import { createServer, connect, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseSsUnixRows, peerCredentials, realUid, userName } from './peer-credentials';

describe('peer credentials', () => {
  it('reads ss rows, /proc status and passwd lines', () => {
    const ss = [
      'u_str ESTAB 0 0 * 613191 * 613192 users:(("portcullis",pid=9106,fd=20))',
      'u_str ESTAB 0 0 /run/portcullis/agent.sock 613192 * 613191 users:(("node",pid=1,fd=21))',
    ].join('\n');
    expect(parseSsUnixRows(ss)).toEqual([
      { inode: 613191, peerInode: 613192, pid: 9106 },
      { inode: 613192, peerInode: 613191, pid: 1 },
    ]);
    expect(realUid('Name:\tnode\nUid:\t1001\t1001\t1001\t1001\n')).toBe(1001);
    expect(userName('root:x:0:0::/root:/bin/bash\njsmith:x:1001:100::/home/jsmith:/bin/bash\n', 1001)).toBe('jsmith');
  });

  it('finds the real user of a process connected over a unix socket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peer-'));
    const path = join(dir, 'test.sock');
    const accepted = new Promise<Socket>((resolve) => {
      const server = createServer((socket) => {
        resolve(socket);
        server.close();
      }).listen(path);
    });
    const client = connect(path);
    const socket = await accepted;
    const peer = await peerCredentials(socket);
    client.destroy();
    socket.destroy();
    await rm(dir, { recursive: true, force: true });
    expect(peer).toEqual({ pid: process.pid, uid: userInfo().uid, user: userInfo().username });
  });
});
