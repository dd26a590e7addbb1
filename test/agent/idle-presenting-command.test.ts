import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdleSupervisor } from '../../src/agent/idle-supervisor';
import { LocalApi } from '../../src/agent/local-api';
import { TrayRegistry } from '../../src/agent/tray-registry';
import { AuditLog } from '../../src/audit/audit-log';
import { idlePresentingCommand } from '../../src/cli/commands/idle-presenting';
import { UsageError } from '../../src/cli/command';
import { DEFAULT_IDLE_POLICY, resolveIdleSettings } from '../../src/idle/idle-policy';
import { createLogger } from '../../src/util/logger';
import { FakeScheduler } from '../support/fake-scheduler';
import { runCommand } from '../support/run-command';
import { startTestAgent } from '../support/test-agent';

const quiet = createLogger('test', { write: () => true });
let dir: string;
let socketPath: string;
let api: LocalApi;
let audit: AuditLog;
let supervisor: IdleSupervisor;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'presenting-cli-'));
  socketPath = join(dir, 'agent.sock');
  const test = await startTestAgent({ dir, rules: '' });
  await test.agent.start();
  audit = await AuditLog.open(join(dir, 'idle-audit.jsonl'), { machine: 'ICT-07', clock: () => new Date() });
  const trays = new TrayRegistry({ clock: Date.now });
  supervisor = new IdleSupervisor({
    listSessions: async () => [{ id: '7', user: 'kteacher', uid: 1000, remote: false, active: true, kind: 'x11' }],
    makeSource: () => ({ name: 'logind', idleMs: async () => 0 }),
    makeActions: () => ({ lock: async () => ({}), logoff: async () => undefined, describe: () => ({ lock: '-', logoff: '-' }) }),
    settingsFor: (session) => resolveIdleSettings(DEFAULT_IDLE_POLICY, { machine: 'ICT-07', groups: [], user: session.user }),
    trays,
    audit,
    scheduler: new FakeScheduler(),
    clock: Date.now,
    logger: quiet,
  });
  supervisor.start();
  await supervisor.check();
  // The connecting process is the test itself (root or not): it answers as root, who may speak for any session.
  api = new LocalApi(test.agent, quiet, async () => ({ pid: process.pid, uid: 0, user: 'root' }), { supervisor, trays });
  await api.listen(socketPath, 'users');
  process.env.PORTCULLIS_ALLOW_USER_SOCKET = '1';
});
afterAll(async () => {
  delete process.env.PORTCULLIS_ALLOW_USER_SOCKET;
  await supervisor.stop();
  await api.close();
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

describe('portcullis idle presenting', () => {
  it('turns presenting mode on for the time asked and says until when, then off', async () => {
    const on = await runCommand(idlePresentingCommand, ['on', '--for', '45m', '--session', '7', '--socket', socketPath]);
    expect(on).toEqual({ status: 0, err: '', out: expect.stringMatching(/^Presenting mode is on until \S+ \((44m5\ds|45m)\ from now\): this PC will not lock for idleness until then\. It is recorded\.\n$/) });
    const off = await runCommand(idlePresentingCommand, ['off', '--session', '7', '--socket', socketPath]);
    expect(off).toEqual({ status: 0, err: '', out: 'Presenting mode is off: this PC locks when left idle, as the policy says.\n' });
  });

  it('says what the agent refused', async () => {
    const run = await runCommand(idlePresentingCommand, ['on', '--session', '99', '--socket', socketPath]);
    expect(run).toEqual({ status: 1, out: '', err: 'nobody is logged on in session 99\n' });
  });

  it.each([
    [['maybe', '--session', '7'], 'say "on" or "off"'],
    [['on', '--session', '7', '--for', '13h'], '--for: expected at most 12h, not "13h"'],
    [['on', '--session', '7', '--for', 'soon'], '--for: expected a duration such as "5m" or "90s", not "soon"'],
  ])('refuses %j as a usage error', async (args, message) => {
    await expect(runCommand(idlePresentingCommand, [...args, '--socket', socketPath])).rejects.toThrow(new UsageError(message));
  });
});
