/** The server's email, when `--mail FILE` names SMTP settings: the settings and password read and checked at start, and the mailer the console's decisions use. */

import { readFile } from 'node:fs/promises';
import type { Scheduler } from '../devices/scheduler';
import type { Logger } from '../util/logger';
import { staffEmailFrom, type DecisionMail } from './console-routes/decision-mail';
import { createMailer } from './mail/mailer';
import { parseMailSettings, readMailPassword } from './mail/mail-settings';
import type { ServerConfig } from './server-config';

export interface MailSetupDeps {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  scheduler: Scheduler;
  now?: () => Date;
}

export interface ServerMail {
  mail: DecisionMail;
  close(): void;
}

/**
 * The mailer for `config.mailSettingsFile`, or undefined when the server has none (it runs
 * without email). A file that cannot be read or is invalid, or a password that cannot be found,
 * stops the start with a message naming the flag and the field; a mail server that does not
 * answer only logs an error, so the console still starts.
 */
export async function setUpMail(config: ServerConfig, deps: MailSetupDeps): Promise<ServerMail | undefined> {
  const file = config.mailSettingsFile;
  if (file === undefined) {
    if (config.staffEmailDomain !== undefined) deps.logger.warn('--staff-email-domain has no effect without --mail FILE: no email is sent');
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`--mail: cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const settings = parseMailSettings(value, file);
  if (!settings.ok) throw new Error(`--mail: ${settings.error}`);
  let password: string | undefined;
  if (settings.value.auth !== undefined) {
    const read = await readMailPassword(settings.value.auth, { env: deps.env, readFile: (path) => readFile(path, 'utf8') });
    if (!read.ok) throw new Error(`--mail: ${file}: ${read.error}`);
    password = read.value;
  }
  const mailer = createMailer(settings.value, password, {
    scheduler: deps.scheduler,
    now: deps.now ?? (() => new Date()),
    logger: deps.logger,
    onFailure: (failure) => deps.logger.error('an email to staff was given up on', { subject: failure.subject, attempts: failure.attempts, error: failure.error }),
  });
  void mailer.verify();
  return { mail: { mailer, consoleUrl: settings.value.consoleUrl, staffEmail: staffEmailFrom(config.staffEmailDomain) }, close: () => mailer.close() };
}
