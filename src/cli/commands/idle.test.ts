import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeScheduler } from '../../../test/support/fake-scheduler';
import { recordedRunner } from '../../../test/support/recorded-command-runner';
import { runCommand } from '../../../test/support/run-command';
import { UsageError } from '../command';
import { createIdleCommands } from './idle';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idle-cli-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** `idle run` on Linux with an X display whose xprintidle answers `idleMs`, stopped at once unless told otherwise. */
function idleRun(idleMs = 0) {
  const recorded = recordedRunner((call) => (call.program === 'xprintidle' ? { stdout: `${idleMs}\n` } : undefined));
  const [command] = createIdleCommands({
    scheduler: new FakeScheduler(),
    clock: () => Date.parse('2026-11-30T09:00:00Z'),
    run: recorded.run,
    env: { DISPLAY: ':5' },
    platform: 'linux',
    untilStopped: async () => 'SIGTERM',
  });
  return { command: command!, calls: recorded.calls };
}

describe('portcullis idle run', () => {
  it.each([
    [['--idle-source', 'keyboard'], '--idle-source must be one of auto, x11, logind, quser, ioreg, not "keyboard"'],
    [['--lock-after', '5 minutes'], '--lock-after: expected a duration such as "5m" or "90s", not "5 minutes"'],
    [['--logoff-after', 'later'], '--logoff-after: expected a duration such as "5m" or "90s" or "never", not "later"'],
  ])('refuses %j as a usage error naming the flag', async (args, message) => {
    await expect(runCommand(idleRun().command, [...args, '--config', join(dir, 'none.json')])).rejects.toThrow(new UsageError(message));
  });

  it('names the config file when it is missing or not JSON', async () => {
    await expect(runCommand(idleRun().command, ['--config', join(dir, 'none.json')])).rejects.toThrow(`${join(dir, 'none.json')}: no such config file`);
    await writeFile(join(dir, 'agent.json'), '{"idle": ');
    await expect(runCommand(idleRun().command, ['--config', join(dir, 'agent.json')])).rejects.toThrow(/agent\.json: not valid JSON/);
  });

  it('refuses settings that cannot work together, naming the field and where it came from', async () => {
    await writeFile(join(dir, 'agent.json'), JSON.stringify({ idle: { lockAfter: '5m' } }));
    const run = await runCommand(idleRun().command, ['--config', join(dir, 'agent.json'), '--warn-for', '10m']);
    expect(run.status).toBe(1);
    expect(run.err).toContain(`${join(dir, 'agent.json')} with the command's flags: warnFor`);
    expect(run.err).toContain('shorter than lockAfter');
  });

  it('says when the idle time cannot be read at all', async () => {
    await writeFile(join(dir, 'agent.json'), '{}');
    const [command] = createIdleCommands({
      scheduler: new FakeScheduler(),
      clock: Date.now,
      run: recordedRunner(() => undefined).run,
      env: {},
      platform: 'linux',
      untilStopped: async () => 'SIGTERM',
    });
    const run = await runCommand(command!, ['--config', join(dir, 'agent.json'), '--idle-source', 'x11']);
    expect(run.status).toBe(1);
    expect(run.err).toBe('cannot tell how long this session has been idle: x11: DISPLAY is not set\n');
  });

  it('prints its settings and source as the first JSON line, flags over the config file, and stops when told', async () => {
    await writeFile(join(dir, 'agent.json'), JSON.stringify({ idle: { lockAfter: '10m', warnFor: '30s' } }));
    const { command } = idleRun();
    const run = await runCommand(command, ['--config', join(dir, 'agent.json'), '--lock-after', '2m', '--logoff-after', 'never', '--lock-command', 'xtrlock']);
    expect(run.status).toBe(0);
    const lines = run.out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toEqual(
      expect.objectContaining({ type: 'started', session: 'display :5', source: 'x11', lock: "/bin/sh -c 'xtrlock'", lockAfterMs: 120_000, warnForMs: 30_000, logoffAfterMs: null, settingsFrom: 'policy' }),
    );
    expect(lines.at(-1)).toEqual({ time: '2026-11-30T09:00:00.000Z', type: 'stopped', reason: 'SIGTERM' });
  });
});
