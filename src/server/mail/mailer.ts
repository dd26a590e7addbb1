/** Sends the console server's emails over SMTP (nodemailer): retries with backoff, failures logged and reported, never thrown at the caller. */
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { Scheduler, Cancel } from '../../devices/scheduler';
import type { Result } from '../../policy/policy-document';
import type { Logger } from '../../util/logger';
import { describeMailError, redact } from './mail-errors';
import { oneLine } from './mail-format';
import type { MailSettings } from './mail-settings';
import type { MailMessage } from './notifications';

/** The part of a nodemailer transport the Mailer uses. */
export interface MailTransport {
  sendMail(mail: Mail.Options): Promise<{ messageId: string }>;
  verify(): Promise<true>;
  close(): void;
}

/** A message that could not be sent: what the console shows ("email could not be sent"). */
export interface MailFailure {
  to: string[];
  subject: string;
  /** Why, in plain words: the server, what went wrong and what it said; never the password. */
  error: string;
  attempts: number;
  at: Date;
}

export type Delivery = { ok: true; messageId: string; attempts: number } | { ok: false; error: string; attempts: number };

export interface MailerDeps {
  transport: MailTransport;
  scheduler: Scheduler;
  now: () => Date;
  logger: Logger;
  /** Told of each message given up on; the server shows it in the console. */
  onFailure: (failure: MailFailure) => void;
  /** Waits before the second and later attempts: three attempts by default. */
  retryDelaysMs?: readonly number[];
  /** Texts never to repeat in an error or a log line (the SMTP password). */
  secrets?: readonly string[];
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [15_000, 60_000];

const AUTOMATIC_HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

/** A nodemailer SMTP transport for the settings; local files and URLs are never read into messages. */
export function createSmtpTransport(settings: MailSettings, password: string | undefined): MailTransport {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTLS,
    auth: settings.auth === undefined ? undefined : { user: settings.auth.user, pass: password ?? '' },
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    tls: { minVersion: 'TLSv1.2' },
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  return {
    sendMail: (mail) => transport.sendMail(mail),
    verify: () => transport.verify(),
    close: () => transport.close(),
  };
}

/** Why a message cannot be sent at all, or undefined. */
function messageProblem(message: MailMessage): string | undefined {
  if (message.to.length === 0) return 'the message has no recipients';
  const bad = message.to.find((address) => /[\p{Cc}\u2028\u2029,;<>]/u.test(address) || !address.includes('@'));
  return bad === undefined ? undefined : `"${oneLine(bad, 100)}" is not a single email address`;
}

interface PendingRetry {
  cancel: Cancel;
  giveUp: () => void;
}

export class Mailer {
  private readonly delays: readonly number[];
  private readonly secrets: readonly string[];
  private readonly retries = new Set<PendingRetry>();
  private closed = false;

  constructor(
    private readonly settings: MailSettings,
    private readonly deps: MailerDeps,
  ) {
    this.delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.secrets = deps.secrets ?? [];
  }

  /** Sends `message`, retrying while the server is unreachable or busy; resolves (never rejects) once delivered or given up on. */
  send(message: MailMessage): Promise<Delivery> {
    const mail: Mail.Options = {
      from: { name: this.settings.fromName, address: this.settings.from },
      to: [...message.to],
      // The notifications make subjects one line already; this holds for any other caller too.
      subject: oneLine(message.subject, 250),
      text: message.text,
      html: message.html,
      headers: AUTOMATIC_HEADERS,
    };
    return new Promise((resolve) => {
      const problem = this.closed ? 'the mailer has been closed' : messageProblem(message);
      if (problem !== undefined) {
        resolve(this.giveUp(mail, problem, 0));
        return;
      }
      this.attempt(mail, 1, resolve);
    });
  }

  /** Checks at start-up that the mail server can be reached, speaks TLS as required and accepts the login. */
  async verify(): Promise<Result<void>> {
    try {
      await this.deps.transport.verify();
      this.deps.logger.info('mail server ready', { host: this.settings.host, port: this.settings.port });
      return { ok: true, value: undefined };
    } catch (error) {
      const text = this.explain('cannot use the mail server', error).text;
      this.deps.logger.error('mail server check failed', { error: text });
      return { ok: false, error: text };
    }
  }

  /** Stops retrying (each waiting message is given up on and reported) and closes the transport. */
  close(): void {
    this.closed = true;
    for (const retry of [...this.retries]) {
      retry.cancel();
      retry.giveUp();
    }
    this.retries.clear();
    this.deps.transport.close();
  }

  private attempt(mail: Mail.Options, attempt: number, done: (delivery: Delivery) => void): void {
    Promise.resolve()
      .then(() => this.deps.transport.sendMail(mail))
      .then(
        (info) => {
          this.deps.logger.info('email sent', { subject: mail.subject, recipients: recipientCount(mail), attempts: attempt, messageId: info.messageId });
          done({ ok: true, messageId: info.messageId, attempts: attempt });
        },
        (error: unknown) => this.failed(mail, attempt, error, done),
      );
  }

  private failed(mail: Mail.Options, attempt: number, error: unknown, done: (delivery: Delivery) => void): void {
    const { text, retry } = this.explain('could not send email', error);
    const delay = this.delays[attempt - 1];
    if (!retry || delay === undefined || this.closed) {
      done(this.giveUp(mail, text, attempt));
      return;
    }
    this.deps.logger.warn('email not sent; will try again', { subject: mail.subject, attempts: attempt, retryInMs: delay, error: text });
    const pending: PendingRetry = {
      cancel: this.deps.scheduler.after(delay, () => {
        this.retries.delete(pending);
        this.attempt(mail, attempt + 1, done);
      }),
      giveUp: () => done(this.giveUp(mail, `${text}; the server stopped before trying again`, attempt)),
    };
    this.retries.add(pending);
  }

  private giveUp(mail: Mail.Options, error: string, attempts: number): Delivery {
    const failure: MailFailure = { to: recipients(mail), subject: String(mail.subject ?? ''), error, attempts, at: this.deps.now() };
    this.deps.logger.error('email could not be sent', { subject: failure.subject, recipients: failure.to.length, attempts, error });
    try {
      this.deps.onFailure(failure);
    } catch (callbackError) {
      this.deps.logger.error('the email failure callback threw', { error: redact(String(callbackError), this.secrets) });
    }
    return { ok: false, error, attempts };
  }

  private explain(what: string, error: unknown): { text: string; retry: boolean } {
    const { problem, retry } = describeMailError(error, this.settings.auth?.user);
    const security = this.settings.secure ? 'TLS' : this.settings.requireTLS ? 'STARTTLS required' : 'STARTTLS if offered';
    return { text: redact(`${what} through ${this.settings.host}:${this.settings.port} (${security}): ${problem}`, this.secrets), retry };
  }
}

function recipients(mail: Mail.Options): string[] {
  return Array.isArray(mail.to) ? mail.to.map(String) : [];
}

function recipientCount(mail: Mail.Options): number {
  return recipients(mail).length;
}

/** A Mailer over a real SMTP transport for `settings`, with `password` (already read) kept out of every error. */
export function createMailer(settings: MailSettings, password: string | undefined, deps: Omit<MailerDeps, 'transport' | 'secrets'>): Mailer {
  const secrets = password === undefined ? [] : [password];
  return new Mailer(settings, { ...deps, transport: createSmtpTransport(settings, password), secrets });
}
