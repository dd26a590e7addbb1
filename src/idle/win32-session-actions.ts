/** Lock and log off on Windows: LockWorkStation and `shutdown /l` inside the session; `tsdiscon` and `logoff` from the SYSTEM service. */
import { runOrThrow } from '../devices/platform-command';
import type { CommandRunner } from '../util/command-runner';
import type { LockOutcome, SessionActionOptions, SessionActions } from './session-actions';

interface Command {
  program: string;
  args: string[];
}

export type Win32SessionActionsOptions = Pick<SessionActionOptions, 'run' | 'from' | 'sessionId'>;

/**
 * Inside the session, `rundll32.exe user32.dll,LockWorkStation` is Win+L. rundll32 exits 0 even
 * when the call did nothing (policy DisableLockWorkstation, no interactive desktop).
 *
 * The service runs in session 0 and cannot call LockWorkStation for another session (it only
 * locks the caller's own desktop). Disconnecting the session instead (`tsdiscon <id>`) leaves it
 * running behind the sign-in screen, where only its user (or an administrator) gets back in,
 * which is what locking is for. tsdiscon and logoff come with Pro, Education and Enterprise
 * editions, not Home. `logoff <id>` ends the session without asking to save work.
 */
export class Win32SessionActions implements SessionActions {
  private readonly run: CommandRunner;
  private readonly from: SessionActionOptions['from'];
  private readonly sessionId: string | undefined;

  constructor(options: Win32SessionActionsOptions) {
    this.run = options.run;
    this.from = options.from;
    this.sessionId = options.sessionId;
  }

  private lockCommand(): Command {
    if (this.from === 'session') return { program: 'rundll32.exe', args: ['user32.dll,LockWorkStation'] };
    return { program: 'tsdiscon.exe', args: [this.sessionId ?? '<session id>'] };
  }

  private logoffCommand(): Command {
    if (this.from === 'session') return { program: 'shutdown.exe', args: ['/l'] };
    return { program: 'logoff.exe', args: [this.sessionId ?? '<session id>'] };
  }

  /** The service acts on a session by its id; guessing one could lock or end someone else's. */
  private async runFor(command: Command): Promise<void> {
    if (this.from === 'service' && !this.sessionId) throw new Error(`${command.program} needs the id of the session to act on: none was given`);
    await runOrThrow(this.run, command.program, command.args);
  }

  async lock(): Promise<LockOutcome> {
    await this.runFor(this.lockCommand());
    return {};
  }

  async logoff(): Promise<void> {
    await this.runFor(this.logoffCommand());
  }

  describe(): { lock: string; logoff: string } {
    const text = (c: Command): string => [c.program, ...c.args].join(' ');
    return { lock: text(this.lockCommand()), logoff: text(this.logoffCommand()) };
  }
}
