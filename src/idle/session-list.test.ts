import { fixtureText, recordedRunner } from '../../test/support/recorded-command-runner';
import { listSessions, parseConsoleOwner } from './session-list';

describe('listSessions on Windows (quser from the SYSTEM service)', () => {
  test('lists console, disconnected and Remote Desktop sessions; only the console and the disconnected one are local', async () => {
    const { run, calls } = recordedRunner((call) => (call.program === 'quser.exe' ? { stdout: fixtureText('idle', 'quser-from-service.txt') } : undefined));
    expect(await listSessions({ platform: 'win32', run })).toEqual([
      { id: '1', user: 'kteacher', remote: false, active: true, kind: 'console' },
      { id: '2', user: 'supply.teacher', remote: false, active: false, kind: 'disconnected' },
      { id: '3', user: 'itadmin', remote: true, active: true, kind: 'rdp' },
      { id: '4', user: 'exams', remote: true, active: true, kind: 'rdp' },
    ]);
    expect(calls).toEqual([{ program: 'quser.exe', args: [] }]);
  });

  test('nobody logged on is no sessions, not an error', async () => {
    const { run } = recordedRunner(() => ({ exitCode: 1, stderr: fixtureText('idle', 'quser-no-user.txt') }));
    expect(await listSessions({ platform: 'win32', run })).toEqual([]);
  });

  test('a quser that cannot run is an error naming it', async () => {
    const { run } = recordedRunner(() => ({ exitCode: 127, stderr: 'spawn quser.exe ENOENT' }));
    await expect(listSessions({ platform: 'win32', run })).rejects.toThrow('quser.exe failed (exit 127): spawn quser.exe ENOENT');
  });
});

describe('listSessions on a Mac (the owner of /dev/console)', () => {
  test('the user at the screen is the one console session', async () => {
    const { run, calls } = recordedRunner(() => ({ stdout: fixtureText('idle', 'sessions', 'stat-console-user.txt') }));
    expect(await listSessions({ platform: 'darwin', run })).toEqual([{ id: 'console', user: 'kteacher', uid: 501, remote: false, active: true, kind: 'console' }]);
    expect(calls).toEqual([{ program: 'stat', args: ['-f', '%Su %u', '/dev/console'] }]);
  });

  test('nobody at the login window', async () => {
    const { run } = recordedRunner(() => ({ stdout: fixtureText('idle', 'sessions', 'stat-console-loginwindow.txt') }));
    expect(await listSessions({ platform: 'darwin', run })).toEqual([]);
    expect(parseConsoleOwner('loginwindow 0\n')).toEqual([]);
  });

  test('output it cannot read is an error', () => {
    expect(() => parseConsoleOwner('stat: /dev/console: stat: No such file or directory')).toThrow('stat /dev/console: cannot read the owner');
  });
});

describe('listSessions elsewhere', () => {
  test('Linux goes to logind', async () => {
    const { run, calls } = recordedRunner(() => ({ stdout: '' }));
    expect(await listSessions({ platform: 'linux', run })).toEqual([]);
    expect(calls[0]?.args).toEqual(['list-sessions', '--no-legend']);
  });

  test('a platform without a session list says so', async () => {
    const { run } = recordedRunner(() => undefined);
    await expect(listSessions({ platform: 'freebsd', run })).rejects.toThrow('no way to list sessions on freebsd');
  });
});
