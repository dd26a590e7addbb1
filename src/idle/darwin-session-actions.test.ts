import { fixtureText, recordedRunner, type RecordedAnswer } from '../../test/support/recorded-command-runner';
import { DarwinSessionActions, type DarwinSessionActionsOptions } from './darwin-session-actions';

function darwin(options: Omit<DarwinSessionActionsOptions, 'run'>, answer: () => RecordedAnswer = () => ({})) {
  const recorded = recordedRunner(answer);
  return { actions: new DarwinSessionActions({ run: recorded.run, ...options }), calls: recorded.calls };
}

describe('DarwinSessionActions', () => {
  test('lock sleeps the display', async () => {
    const { actions, calls } = darwin({ from: 'service', uid: 501 });
    expect(await actions.lock()).toEqual({});
    expect(calls).toEqual([{ program: 'pmset', args: ['displaysleepnow'] }]);
  });

  test("logoff boots out the user's GUI domain", async () => {
    const { actions, calls } = darwin({ from: 'service', uid: 501 });
    await actions.logoff();
    expect(calls).toEqual([{ program: 'launchctl', args: ['bootout', 'gui/501'] }]);
    expect(actions.describe()).toEqual({ lock: 'pmset displaysleepnow', logoff: 'launchctl bootout gui/501' });
  });

  test("inside the session without a uid, the process's own uid is used", async () => {
    const { actions, calls } = darwin({ from: 'session', ownUid: () => 502 });
    await actions.logoff();
    expect(calls).toEqual([{ program: 'launchctl', args: ['bootout', 'gui/502'] }]);
  });

  test('the service without a uid runs nothing', async () => {
    const { actions, calls } = darwin({ from: 'service', ownUid: () => 0 });
    await expect(actions.logoff()).rejects.toThrow('launchctl bootout needs the uid of the user to log off: none was given');
    expect(calls).toEqual([]);
    expect(actions.describe().logoff).toBe('launchctl bootout gui/<uid>');
  });

  test('a refused bootout names the command and what launchctl said', async () => {
    const { actions } = darwin({ from: 'session', uid: 501 }, () => ({ exitCode: 1, stderr: fixtureText('idle', 'launchctl-bootout-not-permitted.txt') }));
    await expect(actions.logoff()).rejects.toThrow('launchctl bootout gui/501 failed (exit 1): Boot-out failed: 1: Operation not permitted');
  });
});
