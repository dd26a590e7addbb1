/** Runs a host program for the image build and fails with its output when it fails. */
import { spawnSync } from 'node:child_process';

interface HostCommandOptions {
  cwd?: string;
  input?: Buffer;
}

/** The program's standard output, as bytes. */
export function hostCommandBytes(program: string, args: readonly string[], options: HostCommandOptions = {}): Buffer {
  const result = spawnSync(program, args, { cwd: options.cwd, input: options.input, maxBuffer: 512 * 1024 * 1024 });
  if (result.error) throw new Error(`${program}: ${result.error.message} (see docs/e2e-tests.md for the packages to install)`);
  if (result.status !== 0) {
    throw new Error(`${program} ${args.join(' ')} exited ${result.status}: ${result.stderr.toString().trim()}`);
  }
  return result.stdout;
}

/** The program's standard output, as text. */
export function hostCommand(program: string, args: readonly string[], options: HostCommandOptions = {}): string {
  return hostCommandBytes(program, args, options).toString();
}

/** A host program's absolute path, or undefined when it is not installed. */
export function findProgram(program: string): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program]);
  const path = result.stdout.toString().trim();
  return result.status === 0 && path !== '' ? path : undefined;
}
