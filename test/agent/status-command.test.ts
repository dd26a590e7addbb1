import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalApi } from '../../src/agent/local-api';
import { requestCommand, statusCommand } from '../../src/cli/commands/status';
import { UsageError } from '../../src/cli/command';
import { createLogger } from '../../src/util/logger';
import { runCommand } from '../support/run-command';
import { sampleDevice } from '../support/sample-device';
import { startTestAgent, type TestAgent } from '../support/test-agent';

let dir: string;
let socketPath: string;
let api: LocalApi;
let test: TestAgent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'status-cli-'));
  socketPath = join(dir, 'agent.sock');
  test = await startTestAgent({ dir, rules: 'allow with-interface match-all { 03:*:* }\n' });
  await test.agent.start();
  test.watcher.added(sampleDevice({ viaPort: '1-3', name: 'Cruzer Blade' }));
  await test.agent.idle();
  api = new LocalApi(test.agent, createLogger('test', { write: () => true }));
  await api.listen(socketPath, 'users');
  process.env.PORTCULLIS_ALLOW_USER_SOCKET = '1';
});
afterAll(async () => {
  delete process.env.PORTCULLIS_ALLOW_USER_SOCKET;
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('portcullis status', () => {
  it('shows mode, policy and each device with its decision', async () => {
    const run = await runCommand(statusCommand, ['--socket', socketPath]);
    expect(run.status).toBe(0);
    expect(run.out).toContain('Mode: enforce (unapproved devices are blocked); enforcement by recording');
    expect(run.out).toContain(`Policy: ${join(dir, 'rules.conf')}`);
    expect(run.out).toMatch(/1-3\s+storage\s+Cruzer Blade\s+block\s+blocked: no rule allows a USB storage device from SanDisk/);
  });

  it('says plainly when the agent is not running', async () => {
    const run = await runCommand(statusCommand, ['--socket', join(dir, 'absent.sock')]);
    expect(run).toMatchObject({ status: 1, err: `the Portcullis agent is not running (no socket at ${join(dir, 'absent.sock')})\n` });
  });
});

describe('portcullis request', () => {
  it('sends a request for an attached device', async () => {
    const run = await runCommand(requestCommand, ['1-3', '--reason', 'Year 11 coursework photos', '--days', '14', '--socket', socketPath]);
    expect(run.status).toBe(0);
    expect(run.out).toMatch(/^Request [0-9a-f-]+ sent for Cruzer Blade: SLT will decide\./);
    expect(test.agent.pendingRequests().at(-1)).toMatchObject({ justification: 'Year 11 coursework photos', durationDays: 14 });
  });

  it('lists the requests made on this PC in the status, with where each stands', async () => {
    const run = await runCommand(statusCommand, ['--socket', socketPath]);
    expect(run.out).toContain('approval requests waiting: 1');
    expect(run.out).toMatch(/Approval requests:\n.*\n.*\n\d{4}-\d{2}-\d{2}\s+Cruzer Blade\s+\S+\s+waiting to be sent to SLT/);
  });

  it('passes a one-time code to the agent, which says why it cannot use it here', async () => {
    const run = await runCommand(requestCommand, ['1-3', '--code', 'ABCD-EFGH-JKMN-PQRS', '--socket', socketPath]);
    expect(run).toEqual({ status: 1, out: '', err: 'this PC is not enrolled with a console server, so it cannot check one-time codes\n' });
  });

  it.each([
    [['1-3'], /--reason TEXT is required/],
    [['--reason', 'x'], /name exactly one device/],
    [['1-3', '--reason', 'coursework', '--days', '0'], /--days must be a whole number from 1 to 366/],
    [['1-3', '--code', 'ABCD-EFGH-JKMN-PQRS', '--reason', 'x'], /give --code CODE alone/],
  ])('refuses %j', async (args, message) => {
    await expect(runCommand(requestCommand, args)).rejects.toThrow(UsageError);
    await expect(runCommand(requestCommand, args)).rejects.toThrow(message);
  });
});
