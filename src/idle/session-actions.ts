/** Locking and logging off a session: the SessionActions interface, and the one place that picks the platform's commands or the admin's. */
import type { CommandRunner } from '../util/command-runner';
import type { Logger } from '../util/logger';
import { describeConfiguredCommand, runConfiguredCommand, type SpawnCommand } from './configured-command';
import { DarwinSessionActions } from './darwin-session-actions';
import { LinuxSessionActions } from './linux-session-actions';
import { Win32SessionActions } from './win32-session-actions';

export interface LockOutcome {
  /** When the lock is a locker program that keeps running until the user unlocks (xautolock style: i3lock -n, slock, a configured command that has not exited after 500 ms), this resolves when it exits = unlocked. */
  until?: Promise<void>;
}

export interface SessionActions {
  /** Locks the session; rejects with an Error naming the command, its exit code and stderr when it failed. */
  lock(): Promise<LockOutcome>;
  /** Logs the session off; rejects likewise. */
  logoff(): Promise<void>;
  /** For the log: what lock and logoff run ("loginctl lock-session 3", "/bin/sh -c '<cmd>'"). */
  describe(): { lock: string; logoff: string };
}

export interface SessionActionOptions {
  platform: NodeJS.Platform;
  run: CommandRunner;
  /** 'session': running inside the user's session (the tray, `portcullis idle run`); 'service': the root/SYSTEM agent acting on someone's session. */
  from: 'session' | 'service';
  /** logind session id, Windows session id */
  sessionId?: string;
  /** macOS launchctl bootout gui/<uid> */
  uid?: number;
  /** admin-configured shell command line, overrides the built-in lock */
  lockCommand?: string;
  /** likewise for logoff */
  logoffCommand?: string;
  env: NodeJS.ProcessEnv;
  /** Starts configured commands; the real spawn by default. */
  spawnCommand?: SpawnCommand;
  /** How long a configured command has to fail before it counts as a running locker (500 ms by default). */
  settleMs?: number;
  logger?: Logger;
}

/** What a platform without built-in commands does: says what to configure. */
function noBuiltIns(platform: NodeJS.Platform): SessionActions {
  const refuse = (): Promise<never> => Promise.reject(new Error(`no built-in lock or log-off on ${platform}: configure a lock command and a log-off command`));
  return { lock: refuse, logoff: refuse, describe: () => ({ lock: `(nothing built in on ${platform})`, logoff: `(nothing built in on ${platform})` }) };
}

function builtInActions(options: SessionActionOptions): SessionActions {
  switch (options.platform) {
    case 'linux':
      return new LinuxSessionActions(options);
    case 'win32':
      return new Win32SessionActions(options);
    case 'darwin':
      return new DarwinSessionActions(options);
    default:
      return noBuiltIns(options.platform);
  }
}

/**
 * The platform's built-in lock and log-off, each replaced by the admin's command line when one is
 * configured (an empty or blank one counts as none). Never throws: what is missing (a session id,
 * a platform) is the rejection of `lock()` or `logoff()`.
 */
export function sessionActionsFor(options: SessionActionOptions): SessionActions {
  const builtIn = builtInActions(options);
  const lockCommand = options.lockCommand?.trim() ? options.lockCommand : undefined;
  const logoffCommand = options.logoffCommand?.trim() ? options.logoffCommand : undefined;
  const configured = (command: string): Promise<LockOutcome> =>
    runConfiguredCommand(command, { platform: options.platform, env: options.env, spawnCommand: options.spawnCommand, settleMs: options.settleMs, logger: options.logger });
  return {
    lock: () => (lockCommand ? configured(lockCommand) : builtIn.lock()),
    logoff: async () => {
      // A log-off command still running after the settle time is taken as a log-off under way.
      if (logoffCommand) await configured(logoffCommand);
      else await builtIn.logoff();
    },
    describe: () => {
      const described = builtIn.describe();
      return {
        lock: lockCommand ? describeConfiguredCommand(options.platform, lockCommand) : described.lock,
        logoff: logoffCommand ? describeConfiguredCommand(options.platform, logoffCommand) : described.logoff,
      };
    },
  };
}
