import { FakeScheduler } from '../../test/support/fake-scheduler';
import { captureLogger } from '../../test/support/capture-logger';
import type { AuditEvent } from '../audit/audit-event';
import type { IdleEvent } from '../idle/idle-controller';
import type { IdleSettings } from '../idle/idle-policy';
import type { IdleSource } from '../idle/idle-source';
import type { SessionActions } from '../idle/session-actions';
import type { UserSession } from '../idle/session-list';
import { IdleSupervisor } from './idle-supervisor';
import { TrayRegistry } from './tray-registry';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const S = 1000;
const SETTINGS: IdleSettings = { lockAfterMs: 60 * S, logoffAfterMs: 120 * S, warnForMs: 10 * S, presentingLimitMs: 0, exemptBecause: undefined, source: 'policy' };
const kteacher: UserSession = { id: '2', user: 'kteacher', uid: 1000, remote: false, active: true, kind: 'x11' };
const ssh: UserSession = { id: '7', user: 'itadmin', uid: 1002, remote: true, active: true, kind: 'tty' };

function harness(options: { sessions?: UserSession[]; settings?: IdleSettings } = {}) {
  const scheduler = new FakeScheduler();
  const clock = (): number => T0 + scheduler.now;
  const state = { sessions: options.sessions ?? [kteacher, ssh], settings: options.settings ?? SETTINGS, listFails: false, sourceFails: false };
  /** When each session last had input. */
  const lastInput = new Map<string, number>();
  const sources: string[] = [];
  const done: { session: string; action: 'lock' | 'logoff'; at: number }[] = [];
  const audited: { event: AuditEvent; user?: string }[] = [];
  const events: { session: string; event: IdleEvent }[] = [];
  const trays = new TrayRegistry({ clock, staleAfterMs: 20 * S });
  const { logger, lines } = captureLogger('idle-supervisor');
  const makeSource = (session: UserSession): IdleSource => {
    if (state.sourceFails) throw new Error('logind: loginctl failed');
    sources.push(session.id);
    return { name: 'logind', idleMs: async () => clock() - (lastInput.get(session.id) ?? T0) };
  };
  const makeActions = (session: UserSession): SessionActions => ({
    lock: async () => (done.push({ session: session.id, action: 'lock', at: clock() }), {}),
    logoff: async () => void done.push({ session: session.id, action: 'logoff', at: clock() }),
    describe: () => ({ lock: `loginctl lock-session ${session.id}`, logoff: `loginctl terminate-session ${session.id}` }),
  });
  const supervisor = new IdleSupervisor({
    listSessions: async () => {
      if (state.listFails) throw new Error('loginctl list-sessions --no-legend failed (exit 1)');
      return state.sessions.map((s) => ({ ...s }));
    },
    makeSource,
    makeActions,
    settingsFor: () => state.settings,
    trays,
    audit: { append: async (event, user) => void audited.push({ event, user }) },
    scheduler,
    clock,
    logger,
    onEvent: (session, event) => events.push({ session: session.id, event }),
  });
  /** Moves time on in small steps, letting each step's promises settle. */
  const advance = async (ms: number, step = 250): Promise<void> => {
    for (let left = ms; left > 0; left -= step) {
      scheduler.advance(Math.min(step, left));
      await settle();
    }
  };
  return { scheduler, clock, state, lastInput, sources, done, audited, events, trays, lines, supervisor, advance };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

const watched = (supervisor: IdleSupervisor): string[] => supervisor.watching().map((s) => s.id);

describe('IdleSupervisor', () => {
  test('watches each local session without a tray, not remote ones', async () => {
    const h = harness();
    h.supervisor.start();
    await settle();
    expect(watched(h.supervisor)).toEqual(['2']);
    expect(h.sources).toEqual(['2']);
    expect(h.lines).toContainEqual(expect.objectContaining({ message: 'the service locks and logs off this session: its tray is not running', session: '2', user: 'kteacher', lock: 'loginctl lock-session 2' }));
    await h.supervisor.stop();
  });

  test('locks at lockAfter and logs off at logoffAfter, audited as the service\'s in the session user\'s name', async () => {
    const h = harness();
    h.supervisor.start();
    await h.advance(59 * S);
    expect(h.done).toEqual([]);
    await h.advance(2 * S);
    expect(h.done).toEqual([{ session: '2', action: 'lock', at: T0 + 60 * S }]);
    await h.advance(120 * S);
    expect(h.done[1]).toEqual({ session: '2', action: 'logoff', at: T0 + 180 * S });
    expect(h.audited.map((a) => a.event.type)).toEqual(['idle-warning', 'idle-locked', 'idle-warning', 'idle-logged-off']);
    expect(h.audited[1]).toEqual({ event: { type: 'idle-locked', session: '2', idleMs: 60 * S, by: 'service' }, user: 'kteacher' });
    expect(h.audited[3]?.event).toMatchObject({ type: 'idle-logged-off', by: 'service' });
    expect(h.events.map((e) => e.event.type)).toContain('locking');
    await h.supervisor.stop();
  });

  test('a tray checking in stops the service\'s runner; when its heartbeats stop, the service takes over again', async () => {
    const h = harness();
    h.supervisor.start();
    await h.advance(S);
    h.trays.heartbeat('2');
    await settle();
    expect(watched(h.supervisor)).toEqual([]);
    for (let beat = 0; beat < 9; beat += 1) {
      await h.advance(10 * S);
      h.trays.heartbeat('2');
    }
    expect(h.done).toEqual([]);
    // The tray is killed at 91 s: stale 20 s later, and the next check (every 5 s) takes the session back.
    await h.advance(20 * S);
    expect(watched(h.supervisor)).toEqual([]);
    await h.advance(5 * S);
    expect(watched(h.supervisor)).toEqual(['2']);
    // Idle since T0 all along: a full warning, then the lock.
    await h.advance(11 * S);
    expect(h.done.map((d) => d.action)).toEqual(['lock']);
    expect(h.audited.find((a) => a.event.type === 'idle-locked')?.event).toMatchObject({ by: 'service' });
    await h.supervisor.stop();
  });

  test('a session that ends stops its runner; a new user in the same session gets a new one', async () => {
    const h = harness();
    h.supervisor.start();
    await h.advance(S);
    h.state.sessions = [ssh];
    await h.advance(5 * S);
    expect(watched(h.supervisor)).toEqual([]);
    expect(h.lines).toContainEqual(expect.objectContaining({ message: 'the service no longer locks this session', session: '2', why: 'the session ended' }));
    h.state.sessions = [{ ...kteacher, user: 'jsmith', uid: 1004 }];
    await h.advance(5 * S);
    expect(h.supervisor.watching()).toEqual([expect.objectContaining({ id: '2', user: 'jsmith' })]);
    await h.supervisor.stop();
  });

  test('a session another has the screen of counts as locked: no lock, and the logoff comes logoffAfter later', async () => {
    const h = harness({ sessions: [{ ...kteacher, active: false }] });
    h.supervisor.start();
    await settle();
    await h.advance(131 * S);
    expect(h.done).toEqual([{ session: '2', action: 'logoff', at: T0 + 120 * S }]);
    await h.supervisor.stop();
  });

  test('a session still there a minute after its logoff is watched afresh', async () => {
    const h = harness();
    h.supervisor.start();
    await h.advance(181 * S);
    expect(h.done.map((d) => d.action)).toEqual(['lock', 'logoff']);
    await h.advance(60 * S);
    expect(h.sources).toEqual(['2']);
    await h.advance(5 * S);
    expect(h.sources).toEqual(['2', '2']);
    expect(h.lines).toContainEqual(expect.objectContaining({ message: 'the service no longer locks this session', why: 'the session is still there after its logoff' }));
    await h.supervisor.stop();
  });

  test('policyChanged rebuilds runners whose settings changed', async () => {
    const h = harness();
    h.supervisor.start();
    await h.advance(10 * S);
    await h.supervisor.policyChanged();
    expect(h.sources).toEqual(['2']);
    h.state.settings = { ...SETTINGS, lockAfterMs: 30 * S, source: 'overrides[0]' };
    await h.supervisor.policyChanged();
    expect(h.sources).toEqual(['2', '2']);
    await h.advance(21 * S);
    expect(h.done).toEqual([{ session: '2', action: 'lock', at: T0 + 30 * S }]);
    await h.supervisor.stop();
  });

  test('a locked session stays locked across a rebuild', async () => {
    const h = harness();
    h.supervisor.start();
    await h.advance(61 * S);
    expect(h.done.map((d) => d.action)).toEqual(['lock']);
    h.state.settings = { ...SETTINGS, logoffAfterMs: 60 * S };
    await h.supervisor.policyChanged();
    await h.advance(61 * S);
    expect(h.done.map((d) => d.action)).toEqual(['lock', 'logoff']);
    expect(h.audited.filter((a) => a.event.type === 'idle-locked')).toHaveLength(1);
    await h.supervisor.stop();
  });

  test('a failing session list or idle source is logged once and tried again', async () => {
    const h = harness();
    h.state.sourceFails = true;
    h.supervisor.start();
    await h.advance(15 * S);
    expect(watched(h.supervisor)).toEqual([]);
    expect(h.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    h.state.sourceFails = false;
    await h.advance(5 * S);
    expect(watched(h.supervisor)).toEqual(['2']);
    h.state.listFails = true;
    await h.advance(15 * S);
    expect(watched(h.supervisor)).toEqual(['2']);
    expect(h.lines.filter((l) => l.message.startsWith('the sessions cannot be listed'))).toHaveLength(1);
    await h.supervisor.stop();
  });

  test('stop() stops every runner and timer', async () => {
    const h = harness();
    h.supervisor.start();
    await h.advance(S);
    await h.supervisor.stop();
    expect(watched(h.supervisor)).toEqual([]);
    expect(h.scheduler.pending()).toEqual([]);
    await h.advance(120 * S);
    expect(h.done).toEqual([]);
  });

  test('a listener that throws does not stop the lock', async () => {
    const h = harness();
    h.supervisor.subscribe(() => {
      throw new Error('stream closed');
    });
    h.supervisor.start();
    await h.advance(61 * S);
    expect(h.done.map((d) => d.action)).toEqual(['lock']);
    await h.supervisor.stop();
  });
});
