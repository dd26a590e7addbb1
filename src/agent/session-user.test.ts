import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeSessionUser } from './session-user';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sessions-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('activeSessionUser', () => {
  it('finds the user of the active session on a seat, passing over the login screen and remote sessions', async () => {
    await writeFile(join(dir, '1'), 'USER=lightdm\nACTIVE=0\nSEAT=seat0\nCLASS=greeter\n');
    await writeFile(join(dir, '2'), 'USER=backup\nACTIVE=1\nCLASS=user\n');
    await writeFile(join(dir, '3'), 'USER=jsmith\nACTIVE=1\nSEAT=seat0\nCLASS=user\nTYPE=x11\n');
    await writeFile(join(dir, '3.ref'), '');
    expect(await activeSessionUser(dir)).toBe('jsmith');
  });

  it('is undefined when nobody is logged on or logind is absent', async () => {
    expect(await activeSessionUser(dir)).toBeUndefined();
    expect(await activeSessionUser(join(dir, 'missing'))).toBeUndefined();
  });
});
