/** A unix-socket connection read as lines, with retries while QEMU is still creating the socket. */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

export async function connectUnix(path: string, timeoutMs = 10_000): Promise<Socket> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect(path);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      if (Date.now() > end) throw new Error(`cannot connect to ${path}: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export function onLines(socket: Socket, listener: (line: string) => void): void {
  createInterface({ input: socket }).on('line', listener);
}
