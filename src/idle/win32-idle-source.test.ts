import { fixtureText, recordedRunner } from '../../test/support/recorded-command-runner';
import { QuserIdleSource, parseQuser, pickQuserSession, quserIdleMs, type QuserIdleSourceOptions } from './win32-idle-source';

const FROM_SERVICE = fixtureText('idle', 'quser-from-service.txt');
const IN_SESSION = fixtureText('idle', 'quser-in-session.txt');
const PUBLISHED = fixtureText('idle', 'quser-published-console.txt');
const MINUTE = 60_000;

function quser(stdout: string, options: Omit<QuserIdleSourceOptions, 'run'> = {}, exitCode = 0, stderr = '') {
  const recorded = recordedRunner((call) => (call.program === 'quser.exe' ? { stdout, exitCode, stderr } : undefined));
  return { source: new QuserIdleSource({ run: recorded.run, ...options }), calls: recorded.calls };
}

describe('parseQuser', () => {
  test('reads every row, a disconnected session without a session name included', () => {
    expect(parseQuser(FROM_SERVICE)).toEqual([
      { user: 'kteacher', sessionName: 'console', id: '1', state: 'Active', idle: '12', logonTime: '9/4/2025 8:02 AM', current: false },
      { user: 'supply.teacher', sessionName: '', id: '2', state: 'Disc', idle: '1+02:30', logonTime: '9/3/2025 3:40 PM', current: false },
      { user: 'itadmin', sessionName: 'rdp-tcp#3', id: '3', state: 'Active', idle: '1:05', logonTime: '9/4/2025 9:15 AM', current: false },
      { user: 'exams', sessionName: 'rdp-tcp#4', id: '4', state: 'Active', idle: '.', logonTime: '9/4/2025 10:01 AM', current: false },
    ]);
  });

  test('a published capture: the console session marked current, idle "none"', () => {
    expect(parseQuser(PUBLISHED)).toEqual([{ user: 'phoebe', sessionName: 'console', id: '1', state: 'Active', idle: 'none', logonTime: '6/14/2021 11:35 AM', current: true }]);
  });

  test('rows whose columns have drifted still split, and a user name with a space is kept whole', () => {
    const header = ' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\n';
    expect(parseQuser(`${header}>test                             4  Disc            .  04.07.2024 23:24\n`)[0]).toMatchObject({ user: 'test', sessionName: '', id: '4', state: 'Disc', current: true });
    expect(parseQuser(`${header} Head Teacher          console             1  Active          7  9/4/2025 8:02 AM\n`)[0]).toMatchObject({ user: 'Head Teacher', id: '1', idle: '7' });
  });

  test('no rows in an empty or error answer', () => {
    expect(parseQuser('')).toEqual([]);
    expect(parseQuser(fixtureText('idle', 'quser-no-user.txt'))).toEqual([]);
  });
});

describe('quserIdleMs', () => {
  test.each([
    ['.', 0],
    ['none', 0],
    ['5', 5 * MINUTE],
    ['12', 12 * MINUTE],
    ['1:05', 65 * MINUTE],
    ['2+03:04', (2 * 24 * 60 + 3 * 60 + 4) * MINUTE],
  ])('%j is %d ms', (idle, ms) => {
    expect(quserIdleMs(idle)).toBe(ms);
  });

  test.each(['', '*', '2+04', '1:', 'soon'])('%j is refused', (idle) => {
    expect(() => quserIdleMs(idle)).toThrow(`quser: cannot read the idle time ${JSON.stringify(idle)}`);
  });
});

describe('pickQuserSession', () => {
  const sessions = parseQuser(FROM_SERVICE);

  test('by id, then by user (domain and case ignored), then the current one', () => {
    expect(pickQuserSession(sessions, { sessionId: '3' }).user).toBe('itadmin');
    expect(pickQuserSession(sessions, { user: 'SCHOOL\\KTeacher' }).id).toBe('1');
    expect(pickQuserSession(parseQuser(IN_SESSION), {}).id).toBe('1');
  });

  test("a user's active session is preferred to a disconnected one", () => {
    const two = parseQuser(`${FROM_SERVICE} kteacher                                  5  Disc            .  9/4/2025 7:00 AM\r\n`);
    expect(pickQuserSession(two, { user: 'kteacher' }).id).toBe('1');
  });

  test('with nothing to go on and several active sessions, it will not guess', () => {
    expect(() => pickQuserSession(sessions, {})).toThrow('quser: cannot tell which session to watch without a session id or user (sessions: 1 kteacher Active, 2 supply.teacher Disc, 3 itadmin Active, 4 exams Active)');
    expect(() => pickQuserSession(sessions, { sessionId: '9' })).toThrow('quser: no session 9');
    expect(() => pickQuserSession(sessions, { user: 'nobody' })).toThrow('quser: nobody has no session');
  });
});

describe('QuserIdleSource', () => {
  test('runs quser with no arguments and reads the chosen session in whole minutes', async () => {
    const { source, calls } = quser(FROM_SERVICE, { sessionId: '3' });
    expect(source.name).toBe('quser');
    expect(await source.idleMs()).toBe(65 * MINUTE);
    expect(calls).toEqual([{ program: 'quser.exe', args: [] }]);
  });

  test('a disconnected session counts as locked; an active one cannot be told', async () => {
    expect(await quser(FROM_SERVICE, { user: 'supply.teacher' }).source.lockedHint()).toBe(true);
    expect(await quser(FROM_SERVICE, { user: 'kteacher' }).source.lockedHint()).toBeUndefined();
    expect(await quser(FROM_SERVICE, { user: 'supply.teacher' }).source.idleMs()).toBe((24 * 60 + 150) * MINUTE);
  });

  test('nobody logged on: quser exits 1 and says so, which is the error', async () => {
    const { source } = quser('', {}, 1, fixtureText('idle', 'quser-no-user.txt'));
    await expect(source.idleMs()).rejects.toThrow('quser.exe failed (exit 1): No User exists for *');
  });

  test('a non-zero exit with sessions listed is still read', async () => {
    expect(await quser(IN_SESSION, {}, 1).source.idleMs()).toBe(0);
  });
});
