/** `portcullis idle presenting on|off`: a member of staff teaching from the PC keeps it from locking for a while, as the idle policy allows. */
import { callAgent } from '../../agent/local-api-client';
import { formatDuration, readDuration } from '../../idle/duration';
import { fail, UsageError, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';
import { client, socketOption } from './status';

export const idlePresentingCommand: Command = {
  path: ['idle', 'presenting'],
  summary: 'Turn presenting mode on (no idle lock, for at most the policy\'s limit) or off, for this session',
  usage: 'portcullis idle presenting on|off [--for D] [--session ID] [--socket PATH]   (D: 45m, 1h; default: the policy\'s limit)',
  async run(args, io) {
    const { values, positionals } = parseCommandLine({ args, allowPositionals: true, options: { ...socketOption, for: { type: 'string' }, session: { type: 'string' } } });
    const [onOff, ...extra] = positionals;
    if ((onOff !== 'on' && onOff !== 'off') || extra.length > 0) throw new UsageError('say "on" or "off"');
    const session = values.session ?? process.env.XDG_SESSION_ID;
    if (session === undefined) throw new UsageError('--session ID is needed: XDG_SESSION_ID is not set, so this session cannot be told');
    let minutes: number | undefined;
    if (values.for !== undefined) {
      const forMs = readDuration(values.for, 60_000, 12 * 3_600_000);
      if (!forMs.ok) throw new UsageError(`--for: ${forMs.error}, not "${values.for}"`);
      minutes = Math.ceil(forMs.value / 60_000);
    }
    const answer = await callAgent<{ presentingUntil: string | null }>(client(values.socket), 'POST', '/v1/idle/presenting', { session, on: onOff === 'on', ...(minutes === undefined ? {} : { minutes }) });
    if (!answer.ok) return fail(io, answer.error);
    const until = answer.value.presentingUntil;
    io.out(until === null ? 'Presenting mode is off: this PC locks when left idle, as the policy says.\n' : `Presenting mode is on until ${until} (${formatDuration(Math.max(0, Date.parse(until) - Date.now()))} from now): this PC will not lock for idleness until then. It is recorded.\n`);
    return 0;
  },
};
