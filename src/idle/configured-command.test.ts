import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogger } from '../../test/support/capture-logger';
import { describeConfiguredCommand, runConfiguredCommand, shellInvocation, type SpawnCommand, type SpawnedCommand } from './configured-command';

// These run real processes through /bin/sh, with the real 500 ms settle time unless said otherwise.
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const posix = { platform: 'linux' as const, env };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-configured-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('runConfiguredCommand with real processes', () => {
  test('a command that finishes at once resolves with no until, having run', async () => {
    const file = join(dir, 'ran');
    const outcome = await runConfiguredCommand(`echo done > '${file}'`, posix);
    expect(outcome).toEqual({});
    expect(readFileSync(file, 'utf8')).toBe('done\n');
  });

  test('a command that fails at once rejects with the command, its exit status and stderr', async () => {
    await expect(runConfiguredCommand("echo 'no locker here' >&2; exit 3", posix)).rejects.toThrow(
      `/bin/sh -c 'echo '\\''no locker here'\\'' >&2; exit 3' failed (exit 3): no locker here`,
    );
    await expect(runConfiguredCommand('exit 3', posix)).rejects.toThrow(/^\/bin\/sh -c 'exit 3' failed \(exit 3\)$/);
  });

  test('a command killed before it settles is a failure naming the signal', async () => {
    await expect(runConfiguredCommand('kill -KILL $$', posix)).rejects.toThrow("/bin/sh -c 'kill -KILL $$' failed (signal SIGKILL)");
  });

  test('a command still running at 500 ms is a locker: resolved with until, which resolves when it exits', async () => {
    const file = join(dir, 'unlocked');
    const started = Date.now();
    const outcome = await runConfiguredCommand(`sleep 0.8; echo unlocked > '${file}'`, posix);
    expect(Date.now() - started).toBeGreaterThanOrEqual(490);
    expect(outcome.until).toBeInstanceOf(Promise);
    // Settled while the command was still sleeping.
    expect(() => readFileSync(file)).toThrow();
    await outcome.until;
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(readFileSync(file, 'utf8')).toBe('unlocked\n');
  });

  test('a locker that fails after it settled still resolves until, and the failure is logged', async () => {
    const { logger, lines } = captureLogger();
    const outcome = await runConfiguredCommand('sleep 0.3; exit 2', { ...posix, settleMs: 100, logger });
    await outcome.until;
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', command: "/bin/sh -c 'sleep 0.3; exit 2'", ended: 'exit 2' })]);
  });

  test('the environment given is the environment the command gets', async () => {
    await expect(runConfiguredCommand('test "$PORTCULLIS_SESSION" = 3', { ...posix, env: { ...env, PORTCULLIS_SESSION: '3' } })).resolves.toEqual({});
    await expect(runConfiguredCommand('test "$PORTCULLIS_SESSION" = 3', posix)).rejects.toThrow('failed (exit 1)');
  });

  test('a shell that cannot start rejects with the reason', async () => {
    const missingShell: SpawnCommand = (_program, args, options) => spawn('/nonexistent/sh', [...args], { env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
    await expect(runConfiguredCommand('i3lock -n', { ...posix, spawnCommand: missingShell })).rejects.toThrow("/bin/sh -c 'i3lock -n' could not start: spawn /nonexistent/sh ENOENT");
  });
});

/** A child that does only what the test says, for what real processes cannot show deterministically. */
class FakeChild extends EventEmitter implements SpawnedCommand {
  readonly stderr = null;
}

describe('runConfiguredCommand on Windows', () => {
  test('runs cmd.exe /d /s /c with the command quoted and passed verbatim', async () => {
    const spawned: Array<{ program: string; args: readonly string[]; verbatim: boolean }> = [];
    const child = new FakeChild();
    const spawnCommand: SpawnCommand = (program, args, options) => {
      spawned.push({ program, args, verbatim: options.windowsVerbatimArguments });
      setImmediate(() => child.emit('exit', 0, null));
      return child;
    };
    await expect(runConfiguredCommand('"C:\\Program Files\\Locker\\lock.exe" /now', { platform: 'win32', env: {}, spawnCommand })).resolves.toEqual({});
    expect(spawned).toEqual([{ program: 'cmd.exe', args: ['/d', '/s', '/c', '""C:\\Program Files\\Locker\\lock.exe" /now"'], verbatim: true }]);
  });

  test('a spawn that throws is a failure to start', async () => {
    const spawnCommand: SpawnCommand = () => {
      throw new Error('EPERM');
    };
    await expect(runConfiguredCommand('lock.exe', { platform: 'win32', env: {}, spawnCommand })).rejects.toThrow('cmd.exe /d /s /c "lock.exe" could not start: EPERM');
  });
});

describe('shellInvocation and describeConfiguredCommand', () => {
  test('POSIX: /bin/sh -c, quoted for the log so it can be pasted into a shell', () => {
    expect(shellInvocation('linux', "i3lock -n -c '000000'")).toEqual({ program: '/bin/sh', args: ['-c', "i3lock -n -c '000000'"], windowsVerbatimArguments: false });
    expect(describeConfiguredCommand('darwin', "i3lock -n -c '000000'")).toBe(`/bin/sh -c 'i3lock -n -c '\\''000000'\\'''`);
  });

  test('Windows: cmd.exe', () => {
    expect(describeConfiguredCommand('win32', 'lock.exe /now')).toBe('cmd.exe /d /s /c "lock.exe /now"');
  });
});
