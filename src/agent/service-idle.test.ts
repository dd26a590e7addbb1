import { captureLogger } from '../../test/support/capture-logger';
import { FakeScheduler } from '../../test/support/fake-scheduler';
import { fixtureText, recordedRunner, type RecordedCall } from '../../test/support/recorded-command-runner';
import type { AuditEvent } from '../audit/audit-event';
import { DEFAULT_IDLE_POLICY, idlePolicySchema, type IdlePolicy } from '../idle/idle-policy';
import type { UserSession } from '../idle/session-list';
import { parseAgentConfig } from './agent-config';
import { serviceIdle, serviceIdleSettings, type PolicyInForce } from './service-idle';

const kteacher: UserSession = { id: '2', user: 'kteacher', uid: 1000, remote: false, active: true, kind: 'x11' };
const context = { machine: 'ICT-07', groups: ['ICT-SUITE'] };
const policy = (document?: { idle?: IdlePolicy }): PolicyInForce => ({ policyInForce: () => ({ document, context }) });

function config(input: Record<string, unknown> = {}) {
  const parsed = parseAgentConfig(input, 'agent.json');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('serviceIdleSettings', () => {
  test('the signed policy\'s idle first, then the config\'s, then the defaults', () => {
    const signed = idlePolicySchema.parse({ lockAfter: '2m', overrides: [{ scope: { users: ['kteacher'] }, lockAfter: '10m' }] });
    const local = config({ idle: { lockAfter: '3m' } });
    expect(serviceIdleSettings(local, policy({ idle: signed }), kteacher)).toMatchObject({ lockAfterMs: 600_000, source: 'overrides[0]' });
    expect(serviceIdleSettings(local, policy({}), kteacher)).toMatchObject({ lockAfterMs: 180_000, source: 'policy' });
    expect(serviceIdleSettings(config(), policy(), kteacher)).toMatchObject({ lockAfterMs: DEFAULT_IDLE_POLICY.lockAfter, source: 'defaults' });
  });
});

describe('serviceIdle', () => {
  const audit = { append: async () => undefined };

  test('is not built on a recorded sysfs tree, nor where sessions cannot be listed, and logs why', () => {
    const { logger, lines } = captureLogger();
    expect(serviceIdle({ platform: 'linux', config: config({ sysfsRoot: '/tmp/tree' }), agent: policy(), audit, clock: Date.now, logger })).toBeUndefined();
    expect(serviceIdle({ platform: 'freebsd', config: config(), agent: policy(), audit, clock: Date.now, logger })).toBeUndefined();
    expect(lines.map((l) => l.message)).toEqual([
      'the service does not lock idle sessions: the sysfs root is not /sys, so this is not a real PC',
      'the service does not lock idle sessions: no session list on this platform',
    ]);
  });

  test('on Linux: lists sessions with loginctl, reads the session\'s idle hint, and locks it with loginctl lock-session', async () => {
    const idleSince = 1_757_000_000_000;
    const scheduler = new FakeScheduler();
    const clock = (): number => idleSince + 10 * 60_000 + scheduler.now;
    const answer = (call: RecordedCall) => {
      if (call.program !== 'loginctl') return undefined;
      const [verb, id, , property] = call.args;
      if (verb === 'list-sessions') return { stdout: '      2 1000 kteacher seat0 tty2\n' };
      if (verb === 'show-session' && id === '2' && property === 'Id') return { stdout: fixtureText('idle', 'sessions', 'loginctl-show-session-2-x11.txt') };
      if (verb === 'show-session' && id === '2' && property === 'IdleHint') return { stdout: fixtureText('idle', 'loginctl-show-session-idle.txt') };
      if (verb === 'lock-session' && id === '2') return {};
      return undefined;
    };
    const { run, calls } = recordedRunner(answer);
    const audited: AuditEvent[] = [];
    const { logger } = captureLogger();
    const built = serviceIdle({ platform: 'linux', config: config(), agent: policy(), audit: { append: async (event) => void audited.push(event) }, clock, logger, run, scheduler, env: {} });
    if (!built) throw new Error('not built');
    built.supervisor.start();
    for (let step = 0; step < 62; step += 1) {
      scheduler.advance(1_000);
      for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    }
    await built.supervisor.stop();
    expect(calls.filter((c) => c.args[0] === 'lock-session')).toEqual([{ program: 'loginctl', args: ['lock-session', '2'] }]);
    expect(audited.map((e) => e.type)).toEqual(['idle-warning', 'idle-locked']);
    expect(audited[1]).toMatchObject({ session: '2', by: 'service' });
  });
});
