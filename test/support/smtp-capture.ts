/** A real SMTP server (smtp-server) on 127.0.0.1 and a random port that keeps each message it receives, for mail tests. */
import { createServer } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface CapturedMail {
  /** The envelope: MAIL FROM and each RCPT TO, as the server saw them. */
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpCapture {
  port: number;
  messages: CapturedMail[];
  /** Connections opened so far (each delivery attempt opens one). */
  connections: number;
  /** The user names and passwords it was offered. */
  logins: Array<{ username: string; password: string }>;
  close(): Promise<void>;
}

/** An error an smtp-server handler returns to the client with this reply code. */
export function smtpReply(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * Starts the server. By default it offers no STARTTLS (it has no certificate) and takes any
 * login; `options` override that (`onAuth`, `onConnect`, ...), `port` asks for a given port.
 */
export async function startSmtpCapture(options: Partial<SMTPServerOptions> = {}, port = 0): Promise<SmtpCapture> {
  const capture: SmtpCapture = { port: 0, messages: [], connections: 0, logins: [], close: async () => undefined };
  const { onConnect, onAuth } = options;
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    closeTimeout: 100,
    ...options,
    onConnect(session, callback) {
      capture.connections += 1;
      if (onConnect) onConnect(session, callback);
      else callback();
    },
    onAuth(auth, session, callback) {
      capture.logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      if (onAuth) onAuth(auth, session, callback);
      else callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        capture.messages.push({
          from: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
          to: envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  capture.port = typeof address === 'object' && address !== null ? address.port : 0;
  capture.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return capture;
}

/** A port on 127.0.0.1 where nothing listens (taken from the system, then let go). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
