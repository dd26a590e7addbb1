import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalCommand, LOCAL_APPROVER } from '../../src/cli/commands/local';
import { createLogger } from '../../src/util/logger';
import { TEST_SCRYPT_PARAMS } from '../support/console-server';

jest.setTimeout(60_000);

let dir: string;
let sysfs: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-local-'));
  sysfs = join(dir, 'sys');
  await mkdir(join(sysfs, 'bus', 'usb', 'devices'), { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('portcullis local', () => {
  it('runs the console on SQLite with an approver, and an audit-only agent enrolled with it; a second start reuses both', async () => {
    const url = { value: '' };
    const first = await runLocalWithBanner(async (banner) => {
      url.value = /Console: (\S+)/.exec(banner)?.[1] ?? '';
      const password = /with the password (\S+):/.exec(banner)?.[1] ?? '';
      expect(await (await fetch(`${url.value}api/health`)).json()).toEqual({ ok: true, value: expect.objectContaining({ status: 'ok', database: 'sqlite' }) });
      const login = await fetch(`${url.value}api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: LOCAL_APPROVER, password }) });
      expect(login.status).toBe(200);
      expect((await stat(join(dir, 'data', 'agent', 'agent.sock'))).isSocket()).toBe(true);
    });
    expect(first.status).toBe(0);
    expect(first.out).toMatch(/Agent: audit mode/);
    expect(first.out).toMatch(/Tray: not started: /);
    const identity = JSON.parse(await readFile(join(dir, 'data', 'agent', 'server', 'identity.json'), 'utf8')) as { agentId: string };
    const second = await runLocalWithBanner(async () => undefined);
    expect(second.status).toBe(0);
    expect(second.out).not.toContain('with the password');
    expect(JSON.parse(await readFile(join(dir, 'data', 'agent', 'server', 'identity.json'), 'utf8'))).toEqual(identity);
  });
});

/** Like runLocal, but with the banner as it is printed (the command prints it once everything is up). */
async function runLocalWithBanner(whileRunning: (banner: string) => Promise<void>): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let bannerSeen: (text: string) => void = () => undefined;
  const banner = new Promise<string>((resolve) => (bannerSeen = resolve));
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const command = createLocalCommand({ untilStopped: () => stopped, logger: createLogger('test', { write: () => true }), scryptParams: TEST_SCRYPT_PARAMS });
  const status = command.run(['--data', join(dir, 'data'), '--port', '0', '--sysfs-root', sysfs], {
    readStdin: async () => '',
    out: (text) => {
      out += text;
      if (text.includes('Stop with Ctrl-C.')) bannerSeen(out);
    },
    err: (text) => void (err += text),
  });
  const outcome = await Promise.race([status.then((code) => ({ early: code })), banner.then((text) => ({ text }))]);
  if ('early' in outcome) return { status: outcome.early, out, err };
  try {
    await whileRunning(outcome.text);
  } finally {
    stop('test over');
  }
  return { status: await status, out, err };
}
