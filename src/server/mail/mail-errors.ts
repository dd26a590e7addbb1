/** Nodemailer's SMTP errors in plain words (which server, what went wrong, what it said), whether to retry, and with any secret removed. */
import { oneLine } from './mail-format';

/** The fields nodemailer's SMTP errors carry (`code` is theirs, or Node's socket code). */
interface SmtpError {
  message?: unknown;
  code?: unknown;
  response?: unknown;
  responseCode?: unknown;
}

export interface MailProblem {
  /** What went wrong, for a person: no password, no message content. */
  problem: string;
  /** Whether trying again later may help (the server down or busy), or not (a refusal, a setting). */
  retry: boolean;
}

/** Socket errors where the mail server could not be reached or dropped the connection. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'ESOCKET', 'ECONNECTION']);

function fieldText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Removes each secret, and its base64 form (AUTH PLAIN and LOGIN send passwords in base64), from a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64')]) result = result.split(form).join('[redacted]');
  }
  return result;
}

function said(error: SmtpError): string {
  const response = fieldText(error.response);
  return response === undefined ? '' : `; it said: "${oneLine(response, 300)}"`;
}

/** Turns an error from sending or verifying into a MailProblem. */
export function describeMailError(error: unknown, user: string | undefined): MailProblem {
  const smtp: SmtpError = typeof error === 'object' && error !== null ? (error as SmtpError) : { message: String(error) };
  const code = fieldText(smtp.code) ?? '';
  const detail = oneLine(fieldText(smtp.message) ?? 'unknown error', 300);
  const responseCode = typeof smtp.responseCode === 'number' ? smtp.responseCode : undefined;
  if (code === 'EAUTH') {
    const who = user === undefined ? 'the login' : `the user name "${oneLine(user, 100)}" or its password`;
    return { problem: `the mail server refused ${who}${said(smtp) || ` (${detail})`}`, retry: false };
  }
  if (code === 'ETLS') {
    const refused = responseCode !== undefined && responseCode >= 400;
    const what = refused ? 'the mail server does not offer STARTTLS, which these settings require (requireTLS)' : 'the TLS connection to the mail server failed';
    return { problem: `${what}${said(smtp) || ` (${detail})`}`, retry: false };
  }
  if (code === 'EDNS') return { problem: `the mail server's name could not be found (${detail})`, retry: true };
  if (responseCode !== undefined && responseCode >= 500) return { problem: `the mail server refused${said(smtp)}`, retry: false };
  if (responseCode !== undefined && responseCode >= 400) return { problem: `the mail server could not take the message for now${said(smtp)}`, retry: true };
  if (code === 'ETIMEDOUT' || /timeout/i.test(detail)) return { problem: `the mail server did not answer in time (${detail})`, retry: true };
  if (/ECONNREFUSED/.test(detail)) return { problem: `nothing is accepting connections there: is the mail server running, and is the port right? (${detail})`, retry: true };
  if (UNREACHABLE.has(code)) return { problem: `the connection to the mail server failed (${detail})`, retry: true };
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { problem: `the message could not be sent as it is (${detail})`, retry: false };
  return { problem: `${detail}${code === '' ? '' : ` (${code})`}`, retry: true };
}
