/** The host end of the guest control channel (ttyS1): typed commands, and the guest's events in an EventLog and a transcript file. */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Socket } from 'node:net';
import { EventLog } from './event-log';
import type { GuestCommand, GuestCommands, GuestEvent, GuestResponse } from './guest-protocol';
import { connectUnix, onLines } from './line-socket';

const DEFAULT_TIMEOUT_MS = 30_000;
/** How much longer the host waits than a command's own guest-side timeout. */
const GRACE_MS = 15_000;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class GuestChannel {
  readonly events = new EventLog<GuestEvent>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private constructor(
    private readonly socket: Socket,
    private readonly transcript: WriteStream,
  ) {
    onLines(socket, (line) => this.receive(line));
    socket.on('close', () => {
      for (const pending of this.pending.values()) pending.reject(new Error('the guest closed the control channel (did the VM stop?)'));
      this.pending.clear();
    });
  }

  static async connect(path: string, transcriptPath: string): Promise<GuestChannel> {
    return new GuestChannel(await connectUnix(path), createWriteStream(transcriptPath));
  }

  private receive(line: string): void {
    const start = line.indexOf('{');
    if (start < 0) return;
    const message = JSON.parse(line.slice(start)) as GuestEvent | GuestResponse;
    if ('id' in message) {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) pending?.resolve(message.result);
      else pending?.reject(new Error(message.error));
      return;
    }
    this.transcript.write(`${JSON.stringify(message)}\n`);
    this.events.push(message);
  }

  request<K extends GuestCommand>(cmd: K, args: GuestCommands[K]['args']): Promise<GuestCommands[K]['result']> {
    const id = this.nextId++;
    const guestTimeout = (args as { timeoutMs?: number }).timeoutMs;
    const timeoutMs = guestTimeout === undefined ? DEFAULT_TIMEOUT_MS : guestTimeout + GRACE_MS;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`guest command ${cmd} ${JSON.stringify(args)} got no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as GuestCommands[K]['result']);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(new Error(`guest command ${cmd} ${JSON.stringify(args)} failed: ${error.message}`));
        },
      });
      this.socket.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
    this.transcript.end();
  }
}
