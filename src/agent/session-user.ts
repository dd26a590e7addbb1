/** Who is at the PC: the user of the active graphical or console session, as systemd-logind records it. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOGIND_SESSIONS_DIR } from '../idle/linux-session-list';

/** `KEY=value` lines of a logind session file. */
function sessionFields(text: string): Map<string, string> {
  return new Map(text.split('\n').flatMap((line) => {
    const at = line.indexOf('=');
    return at > 0 ? [[line.slice(0, at), line.slice(at + 1)] as [string, string]] : [];
  }));
}

/** The active session's user on a seat, or undefined when nobody is logged on (or logind is absent). */
export async function activeSessionUser(sessionsDir = LOGIND_SESSIONS_DIR): Promise<string | undefined> {
  const names = await readdir(sessionsDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => !n.includes('.')).sort()) {
    const fields = sessionFields(await readFile(join(sessionsDir, name), 'utf8').catch(() => ''));
    if (fields.get('ACTIVE') === '1' && fields.has('SEAT') && fields.get('CLASS') !== 'greeter') return fields.get('USER');
  }
  return undefined;
}

/** Keeps the last answer for a few seconds: it is asked on every device event. */
export class SessionUserCache {
  private value: string | undefined;

  constructor(private readonly lookup: () => Promise<string | undefined>) {}

  current(): string | undefined {
    return this.value;
  }

  async refresh(): Promise<void> {
    this.value = await this.lookup();
  }
}
