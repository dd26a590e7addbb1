import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trayAvailability } from './tray-availability';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'electron-'));
  await writeFile(join(dir, 'package.json'), '{}');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const resolver = (): ((id: string) => string) => () => join(dir, 'package.json');

describe('trayAvailability', () => {
  it("says Electron's binary is missing when electron has no path.txt (as npm leaves it here)", () => {
    expect(trayAvailability(resolver())).toMatch(/Electron's binary is not installed on this PC/);
  });

  it('says only that the tray is not part of this version when the binary is there', async () => {
    await writeFile(join(dir, 'path.txt'), 'electron');
    expect(trayAvailability(resolver())).toBe('not started: the tray window is not part of this version yet');
  });

  it('says the binary is missing when the electron package is not installed at all', () => {
    expect(
      trayAvailability(() => {
        throw new Error("Cannot find module 'electron/package.json'");
      }),
    ).toMatch(/Electron's binary is not installed/);
  });
});
