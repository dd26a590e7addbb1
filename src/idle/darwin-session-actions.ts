/** Lock and log off on a Mac: `pmset displaysleepnow` and `launchctl bootout gui/<uid>`. */
import { runOrThrow } from '../devices/platform-command';
import type { CommandRunner } from '../util/command-runner';
import type { LockOutcome, SessionActionOptions, SessionActions } from './session-actions';

export type DarwinSessionActionsOptions = Pick<SessionActionOptions, 'run' | 'from' | 'uid'> & {
  /** The user id of the process, for `from: 'session'` without a uid; process.getuid by default. */
  ownUid?: () => number | undefined;
};

/**
 * macOS has no "lock now" command. `pmset displaysleepnow` sleeps the display, and the screen is
 * locked when it wakes only if "Require password immediately after sleep or screen saver begins"
 * is on. That setting belongs to the school's configuration profile (screensaver askForPassword
 * with askForPasswordDelay 0) or is set with `sysadminctl -screenLock immediate`; without it this
 * only darkens the screen.
 *
 * `launchctl bootout gui/<uid>` tears down the user's GUI domain at once: a forced log-off with
 * no chance to save work. The service runs it as root; from the session it is the user's own domain.
 */
export class DarwinSessionActions implements SessionActions {
  private readonly run: CommandRunner;
  private readonly uid: number | undefined;

  constructor(options: DarwinSessionActionsOptions) {
    this.run = options.run;
    const ownUid = options.ownUid ?? (() => process.getuid?.());
    this.uid = options.uid ?? (options.from === 'session' ? ownUid() : undefined);
  }

  async lock(): Promise<LockOutcome> {
    await runOrThrow(this.run, 'pmset', ['displaysleepnow']);
    return {};
  }

  async logoff(): Promise<void> {
    if (this.uid === undefined) throw new Error('launchctl bootout needs the uid of the user to log off: none was given');
    await runOrThrow(this.run, 'launchctl', ['bootout', `gui/${this.uid}`]);
  }

  describe(): { lock: string; logoff: string } {
    return { lock: 'pmset displaysleepnow', logoff: `launchctl bootout gui/${this.uid ?? '<uid>'}` };
  }
}
