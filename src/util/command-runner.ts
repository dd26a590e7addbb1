/** Runs external programs (pnputil, diskutil, bluetoothctl, loginctl...): injected so tests can replay recorded outputs. */
import { execFile } from 'node:child_process';

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `env` replaces the environment the program gets (default: this process's own). */
export type CommandRunner = (program: string, args: readonly string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }) => Promise<CommandOutput>;

/** The real thing: no shell, arguments passed as they are, output captured. */
export const runCommand: CommandRunner = (program, args, options = {}) =>
  new Promise((resolve) => {
    execFile(program, [...args], { env: options.env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      const code = error && typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : error ? 127 : 0;
      resolve({ exitCode: code, stdout: String(stdout), stderr: error && !stderr ? error.message : String(stderr) });
    });
  });
