/** The console server's email settings (SMTP server, TLS, login, sender, console address), validated; the password is never in them. */
import { z } from 'zod';
import type { Result } from '../../policy/policy-document';
import { expecting, formatIssues, plainIssueMessages } from '../../policy/zod-issues';

/** Host names that mean "this computer": the only ones where mail may travel without TLS. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/u;

function oneLineText(what: string): z.ZodString {
  return z
    .string()
    .min(1, { error: `expected ${what}, not an empty string` })
    .refine((text) => !CONTROL_CHARACTERS.test(text), { error: `expected ${what} on one line, without control characters` });
}

const PASSWORD_NOT_HERE = 'never put the password in the settings: name an environment variable (passwordEnv) or a file (passwordFile) that holds it';

const authSchema = z
  .strictObject({
    user: oneLineText('the user name the mail server knows Portcullis by'),
    /** The environment variable that holds the password (`PORTCULLIS_SMTP_PASSWORD`). */
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected the name of an environment variable, such as PORTCULLIS_SMTP_PASSWORD' })
      .optional(),
    /** A file that holds only the password (readable by the console server's account alone). */
    passwordFile: z.string().min(1, { error: 'expected a path, not an empty string' }).optional(),
    password: z.never({ error: PASSWORD_NOT_HERE }).optional(),
    pass: z.never({ error: PASSWORD_NOT_HERE }).optional(),
  })
  .superRefine((auth, context) => {
    if ((auth.passwordEnv === undefined) === (auth.passwordFile === undefined)) {
      context.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'expected either passwordEnv or passwordFile (one of them, not both)' });
    }
  });

/** Links in messages go to the console: https (but for a console on this computer), and nothing to confuse a link with. */
function checkConsoleUrl(text: string, context: z.core.$RefinementCtx<string>): void {
  if (!URL.canParse(text)) return;
  const url = new URL(text);
  if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
    context.addIssue({ code: 'custom', message: 'expected an https:// address (http:// only for a console on this computer)' });
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    context.addIssue({ code: 'custom', message: 'expected a plain web address, without a query, fragment or login' });
  }
}

const settingsObject = z.strictObject({
  host: oneLineText('the mail server\'s host name').refine((host) => !/\s/.test(host), { error: 'expected a host name without spaces' }),
  port: z.int({ error: expecting('expected a port number (587 or 465, usually)') }).min(1, { error: 'expected a port from 1 to 65535' }).max(65535, { error: 'expected a port from 1 to 65535' }),
  /** TLS from the first byte (port 465); otherwise the connection starts plain and upgrades with STARTTLS. */
  secure: z.boolean({ error: expecting('expected true or false') }).default(false),
  /** Refuse to send unless STARTTLS succeeds; on by default except for a mail server on this computer. */
  requireTLS: z.boolean({ error: expecting('expected true or false') }).optional(),
  auth: authSchema.optional(),
  from: z.email({ error: 'expected the email address messages come from, such as portcullis@school.sch.uk' }),
  fromName: oneLineText('the sender\'s display name').max(100, { error: 'expected at most 100 characters' }).default('Portcullis'),
  /** The console's public address, for links in messages (`https://portcullis.school.sch.uk`). */
  consoleUrl: z.url({ protocol: /^https?$/, error: 'expected the console\'s web address, such as https://portcullis.school.sch.uk', abort: true }).superRefine(checkConsoleUrl),
  /** How long to wait for the mail server to connect, greet and answer each command. */
  timeoutMs: z.int().min(100, { error: 'expected at least 100 (milliseconds)' }).max(120_000, { error: 'expected at most 120000 (two minutes)' }).default(10_000),
});

export const mailSettingsSchema = settingsObject
  .superRefine((settings, context) => {
    const local = isLoopbackHost(settings.host);
    if (!local && !settings.secure && settings.requireTLS === false) {
      context.addIssue({ code: 'custom', path: ['requireTLS'], message: 'a mail server on another computer needs TLS: set secure (port 465) or leave requireTLS on (STARTTLS)' });
    }
    if (settings.port === 465 && !settings.secure) {
      context.addIssue({ code: 'custom', path: ['secure'], message: 'port 465 expects TLS from the start: set secure to true (or use port 587 with STARTTLS)' });
    }
  })
  .transform((settings) => {
    const { host, port, secure, auth, from, fromName, timeoutMs } = settings;
    return {
      host,
      port,
      secure,
      requireTLS: settings.requireTLS ?? !isLoopbackHost(host),
      auth: auth === undefined ? undefined : passwordSource(auth),
      from,
      fromName,
      consoleUrl: settings.consoleUrl.replace(/\/+$/, ''),
      timeoutMs,
    };
  });

/** Where the SMTP password is kept. */
export type PasswordSource = { user: string; passwordEnv: string } | { user: string; passwordFile: string };

function passwordSource(auth: z.output<typeof authSchema>): PasswordSource {
  return auth.passwordEnv !== undefined ? { user: auth.user, passwordEnv: auth.passwordEnv } : { user: auth.user, passwordFile: auth.passwordFile ?? '' };
}

export type MailSettings = z.output<typeof mailSettingsSchema>;
export type MailSettingsInput = z.input<typeof mailSettingsSchema>;

/** Validates settings (a file's `mail` section, say); errors name `source` and the field. */
export function parseMailSettings(input: unknown, source: string): Result<MailSettings> {
  const parsed = mailSettingsSchema.safeParse(input, { error: plainIssueMessages });
  if (!parsed.success) return { ok: false, error: formatIssues(source, parsed.error.issues) };
  return { ok: true, value: parsed.data };
}

/** What reading the password may use: the environment and a file reader, given so tests need neither. */
export interface PasswordReaders {
  env: Readonly<Record<string, string | undefined>>;
  readFile: (path: string) => Promise<string>;
}

/** The SMTP password from its environment variable or file; errors say where it was looked for, never what was found. */
export async function readMailPassword(source: PasswordSource, readers: PasswordReaders): Promise<Result<string>> {
  if ('passwordEnv' in source) {
    const value = readers.env[source.passwordEnv];
    if (value === undefined || value === '') return { ok: false, error: `auth.passwordEnv: the environment variable ${source.passwordEnv} is not set` };
    return { ok: true, value };
  }
  let text: string;
  try {
    text = await readers.readFile(source.passwordFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, error: `auth.passwordFile: cannot read ${source.passwordFile} (${code ?? 'unreadable'})` };
  }
  // Editors and `echo` end the file with a line break, which is not part of the password.
  const password = text.replace(/\r?\n$/, '');
  if (password === '') return { ok: false, error: `auth.passwordFile: ${source.passwordFile} is empty` };
  return { ok: true, value: password };
}
