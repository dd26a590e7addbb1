/** Runs an admin's lock or log-off command line through the shell, like xautolock's -locker or swayidle's commands. */
import { spawn } from 'node:child_process';
import { createLogger, type Logger } from '../util/logger';
import type { LockOutcome } from './session-actions';

/** How long a command has to fail or finish before it counts as a locker that stays running. */
export const SETTLE_MS = 500;
/** Enough of stderr to say why; a chatty locker is not kept in memory. */
const STDERR_LIMIT = 4096;
/** After a quick failure, how long to wait for the last of stderr (a child the command left running may hold it open). */
const STDERR_GRACE_MS = 100;

/** The part of a ChildProcess used here, so tests can hand in their own. */
export interface SpawnedCommand {
  readonly stderr: NodeJS.ReadableStream | null;
  once(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

export type SpawnCommand = (program: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; windowsVerbatimArguments: boolean }) => SpawnedCommand;

/** The real thing: spawn, not execFile, since a locker keeps running until the user unlocks. */
export const spawnShellCommand: SpawnCommand = (program, args, options) =>
  spawn(program, [...args], { env: options.env, stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true, windowsVerbatimArguments: options.windowsVerbatimArguments });

export interface ShellInvocation {
  program: string;
  args: string[];
  windowsVerbatimArguments: boolean;
}

/** `/bin/sh -c CMD`; on Windows `cmd.exe /d /s /c "CMD"`, passed verbatim as Node's own `shell: true` does. */
export function shellInvocation(platform: NodeJS.Platform, command: string): ShellInvocation {
  if (platform === 'win32') return { program: 'cmd.exe', args: ['/d', '/s', '/c', `"${command}"`], windowsVerbatimArguments: true };
  return { program: '/bin/sh', args: ['-c', command], windowsVerbatimArguments: false };
}

/** For the log: `/bin/sh -c 'i3lock -n'`, or `cmd.exe /d /s /c "..."`. */
export function describeConfiguredCommand(platform: NodeJS.Platform, command: string): string {
  if (platform === 'win32') return `cmd.exe /d /s /c "${command}"`;
  return `/bin/sh -c '${command.replace(/'/g, `'\\''`)}'`;
}

export interface ConfiguredCommandOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  spawnCommand?: SpawnCommand;
  /** SETTLE_MS unless a test needs it shorter. */
  settleMs?: number;
  logger?: Logger;
}

function ending(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `exit ${code}` : `signal ${signal ?? 'unknown'}`;
}

/**
 * Runs `command`. Fails (exit status not 0, killed, or cannot start) within the settle time: rejects
 * with the command, how it ended and its stderr. Finishes with 0 in that time: resolves with no
 * `until`. Still running at the settle time: resolves with `until`, which resolves when it exits
 * (however it exits: a locker that crashed has unlocked the screen too, and that is logged).
 */
export function runConfiguredCommand(command: string, options: ConfiguredCommandOptions): Promise<LockOutcome> {
  const described = describeConfiguredCommand(options.platform, command);
  const logger = options.logger ?? createLogger('idle-command');
  const { program, args, windowsVerbatimArguments } = shellInvocation(options.platform, command);
  return new Promise<LockOutcome>((resolve, reject) => {
    let child: SpawnedCommand;
    try {
      child = (options.spawnCommand ?? spawnShellCommand)(program, args, { env: options.env, windowsVerbatimArguments });
    } catch (error) {
      reject(new Error(`${described} could not start: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    let stderr = '';
    let settled = false;
    let exited = (): void => undefined;
    const until = new Promise<void>((done) => (exited = done));
    const stderrDone = new Promise<void>((done) => {
      if (!child.stderr) return done();
      child.stderr.on('data', (chunk: Buffer | string) => {
        if (stderr.length < STDERR_LIMIT) stderr += String(chunk);
      });
      child.stderr.on('end', () => done());
      child.stderr.on('error', () => done());
    });
    const timer = setTimeout(() => {
      settled = true;
      resolve({ until });
    }, options.settleMs ?? SETTLE_MS);

    child.once('error', (error) => {
      exited();
      if (settled) return logger.warn('configured command failed after it started', { command: described, error: error.message });
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${described} could not start: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      exited();
      if (settled) {
        if (code !== 0) logger.warn('configured command ended with a failure after it had started', { command: described, ended: ending(code, signal) });
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (code === 0) return resolve({});
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((done) => (graceTimer = setTimeout(done, STDERR_GRACE_MS)));
      void Promise.race([stderrDone, grace]).then(() => {
        clearTimeout(graceTimer);
        const said = stderr.trim().slice(0, 500);
        reject(new Error(`${described} failed (${ending(code, signal)})${said ? `: ${said}` : ''}`));
      });
    });
  });
}
