/** Whether the tray could start on this PC: its Electron binary is fetched from outside the npm registry and may be missing. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What `electron`'s own index.js reads to find its binary; it is written only when the binary was downloaded. */
function electronBinaryInstalled(resolvePackage: (id: string) => string): boolean {
  try {
    return existsSync(join(dirname(resolvePackage('electron/package.json')), 'path.txt'));
  } catch {
    return false;
  }
}

/** A sentence for the start-up banner: why the tray is not running, since this version runs without it. */
export function trayAvailability(resolvePackage: (id: string) => string = require.resolve): string {
  return electronBinaryInstalled(resolvePackage)
    ? 'not started: the tray window is not part of this version yet'
    : "not started: Electron's binary is not installed on this PC (it comes from outside the npm registry), and the tray window is not part of this version yet; the agent and the console run without it";
}
