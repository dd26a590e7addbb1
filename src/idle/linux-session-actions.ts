/** Lock and log off on Linux through systemd-logind (`loginctl`), with `xdg-screensaver lock` where logind cannot lock. */
import { PlatformCommandError, runOrThrow } from '../devices/platform-command';
import type { CommandRunner } from '../util/command-runner';
import { createLogger, type Logger } from '../util/logger';
import type { LockOutcome, SessionActionOptions, SessionActions } from './session-actions';

const LOGINCTL = 'loginctl';
const XDG_SCREENSAVER = 'xdg-screensaver';

export type LinuxSessionActionsOptions = Pick<SessionActionOptions, 'run' | 'from' | 'sessionId' | 'env' | 'logger'>;

/**
 * `loginctl lock-session` does not lock anything itself: logind sends the session a Lock signal
 * and the desktop's locker (GNOME Shell, KDE's, xss-lock with any locker) acts on it, then sets
 * LockedHint. Where no locker listens, loginctl still exits 0 and the screen stays open, so a
 * caller that must be sure reads LockedHint afterwards (`LogindIdleSource.lockedHint`).
 *
 * Inside the session without logind, `xdg-screensaver lock` is tried instead; it knows the major
 * desktops' own lockers but not a bare X session (it says `ERROR: Unknown command 'lock'` there).
 * The service does not try it: xdg-screensaver needs the user's X display, which root lacks.
 */
export class LinuxSessionActions implements SessionActions {
  private readonly run: CommandRunner;
  private readonly from: SessionActionOptions['from'];
  private readonly sessionId: string | undefined;
  private readonly logger: Logger;

  constructor(options: LinuxSessionActionsOptions) {
    this.run = options.run;
    this.from = options.from;
    // Inside the session logind's own variable names it; the service must be told.
    this.sessionId = options.sessionId ?? (options.from === 'session' ? options.env.XDG_SESSION_ID || undefined : undefined);
    this.logger = options.logger ?? createLogger('idle-actions');
  }

  private lockArgs(): string[] {
    return ['lock-session', ...(this.sessionId ? [this.sessionId] : [])];
  }

  async lock(): Promise<LockOutcome> {
    try {
      await runOrThrow(this.run, LOGINCTL, this.lockArgs());
      return {};
    } catch (error) {
      if (this.from === 'service' || !(error instanceof PlatformCommandError)) throw error;
      this.logger.warn('loginctl could not lock the session; trying xdg-screensaver', { error: error.message });
      try {
        await runOrThrow(this.run, XDG_SCREENSAVER, ['lock']);
        return {};
      } catch (fallback) {
        throw new Error(`${error.message}; then ${fallback instanceof Error ? fallback.message : String(fallback)}`);
      }
    }
  }

  /** `loginctl terminate-session <id>` ends every process of the session; without an id it would end the caller's own. */
  async logoff(): Promise<void> {
    if (!this.sessionId) throw new Error(`${LOGINCTL} terminate-session needs a session id: none was given${this.from === 'session' ? ' and XDG_SESSION_ID is not set' : ''}`);
    await runOrThrow(this.run, LOGINCTL, ['terminate-session', this.sessionId]);
  }

  describe(): { lock: string; logoff: string } {
    const lock = [LOGINCTL, ...this.lockArgs()].join(' ');
    return {
      lock: this.from === 'session' ? `${lock} || ${XDG_SCREENSAVER} lock` : lock,
      logoff: `${LOGINCTL} terminate-session ${this.sessionId ?? '(no session id)'}`,
    };
  }
}
