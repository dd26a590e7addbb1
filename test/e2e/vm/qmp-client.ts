/** A QEMU Machine Protocol client: commands with their replies, and events in an EventLog. */
import type { Socket } from 'node:net';
import { EventLog } from './event-log';
import { connectUnix, onLines } from './line-socket';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class QmpClient {
  readonly events = new EventLog<QmpEvent>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private constructor(private readonly socket: Socket) {}

  /** Connects, waits for the greeting and leaves capabilities negotiation mode. */
  static async connect(path: string): Promise<QmpClient> {
    const socket = await connectUnix(path);
    const client = new QmpClient(socket);
    const greeting = new Promise<void>((resolve) => {
      onLines(socket, (line) => {
        const message = JSON.parse(line) as Record<string, unknown>;
        if ('QMP' in message) resolve();
        else client.receive(message);
      });
    });
    await greeting;
    await client.execute('qmp_capabilities');
    return client;
  }

  private receive(message: Record<string, unknown>): void {
    if (typeof message.event === 'string') {
      this.events.push(message as unknown as QmpEvent);
      return;
    }
    const pending = this.pending.get(Number(message.id));
    if (!pending) return;
    this.pending.delete(Number(message.id));
    const error = message.error as { class: string; desc: string } | undefined;
    if (error) pending.reject(new Error(`QMP ${error.class}: ${error.desc}`));
    else pending.resolve(message.return);
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject: (error) => reject(new Error(`${command}: ${error.message}`)) });
      this.socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
