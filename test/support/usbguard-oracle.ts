/** The recorded umockdev fixtures, USBGuard's recorded outputs for them, and the live oracles (`umockdev-run`, `usbguard`) when installed. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const UMOCKDEV_FIXTURES = join(__dirname, '../fixtures/umockdev');

function installed(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export const HAVE_UMOCKDEV = installed('umockdev-run');
export const HAVE_USBGUARD = HAVE_UMOCKDEV && installed('usbguard');

/** Recording names (without `.umockdev`). */
export function recordings(): string[] {
  return readdirSync(UMOCKDEV_FIXTURES)
    .filter((f) => f.endsWith('.umockdev'))
    .map((f) => f.slice(0, -'.umockdev'.length))
    .sort();
}

/** `generate-policy` options of a recorded variant, as record-expected.sh spells them: `target-X` is `--target X`, `V` is `--V`. */
export function variantArgs(variant: string | undefined): string[] {
  if (variant === undefined) return [];
  return variant.startsWith('target-') ? ['--target', variant.slice('target-'.length)] : [`--${variant}`];
}

export interface RecordedOutput {
  recording: string;
  variant: string | undefined;
  /** The expected output file's name. */
  file: string;
}

/** Every `<recording>.generate-policy[.<variant>].expected` file. */
export function recordedOutputs(): RecordedOutput[] {
  return readdirSync(UMOCKDEV_FIXTURES)
    .flatMap((file) => {
      const match = /^(.+?)\.generate-policy(?:\.([a-z-]+))?\.expected$/.exec(file);
      return match ? [{ recording: match[1] ?? '', variant: match[2], file }] : [];
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** Runs `usbguard generate-policy ARGS` inside `umockdev-run` on a recording; stdout only. */
export function liveGeneratePolicy(recording: string, args: readonly string[]): string {
  const file = join(UMOCKDEV_FIXTURES, `${recording}.umockdev`);
  return execFileSync('umockdev-run', ['-d', file, '--', 'usbguard', 'generate-policy', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** One `type path link-target size` line per entry under the current directory, sorted. */
const LIST_TREE = "find . -printf '%y %p %l %s\\n' | sort";

/** Directory sizes depend on the file system, and a symlink's size repeats its target. */
function withoutUnstableSizes(listing: string): string {
  return listing.replace(/^([dl] .*) \d+$/gm, '$1');
}

/** Lists a directory tree, for comparing with `listUmockdevTree`. */
export function listTree(dir: string): string {
  return withoutUnstableSizes(execFileSync('sh', ['-c', LIST_TREE], { cwd: dir, encoding: 'utf8' }));
}

/** Lists the sysfs tree `umockdev-run` builds for a recording. */
export function listUmockdevTree(recording: string): string {
  const file = join(UMOCKDEV_FIXTURES, `${recording}.umockdev`);
  const script = `cd "$UMOCKDEV_DIR/sys" && ${LIST_TREE}`;
  return withoutUnstableSizes(execFileSync('umockdev-run', ['-d', file, '--', 'sh', '-c', script], { encoding: 'utf8' }));
}

/**
 * Defines the live comparisons when the tools are installed. Without them, one test stands
 * in: it fails on CI (where `CI` is set, the oracle must be there) and passes elsewhere,
 * saying that only the recorded outputs were compared.
 */
export function whenInstalled(available: boolean, tools: string, define: () => void): void {
  if (available) {
    define();
  } else if (process.env.CI) {
    test(`${tools} must be installed on CI`, () => {
      throw new Error(`${tools} not found on PATH: CI must run the live comparison (Debian packages umockdev and usbguard)`);
    });
  } else {
    test(`live comparison not run: ${tools} not installed here (the recorded outputs are compared instead)`, () => {
      expect(available).toBe(false);
    });
  }
}
