/** A real X server for tests (Debian's Xvfb) and real input into it (xdotool). */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface XServer {
  /** `:N`, for DISPLAY. */
  display: string;
  /** Moves the pointer: real input through the XTEST extension, as a hand on the mouse would give. */
  input(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Xvfb on a free display, and resolves once it accepts clients (it writes its display
 * number to fd 3 then). `-noreset`: an X server resets itself, idle time included, whenever its
 * last client disconnects; a desktop always has clients (a window manager), a bare test server
 * does not, and each one-shot `xprintidle` would otherwise read back an idle time of zero.
 */
export function startXvfb(): Promise<XServer> {
  const server: ChildProcess = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-noreset', '-screen', '0', '1024x768x24'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let x = 0;
    let written = '';
    server.stdio[3]?.on('data', (chunk: Buffer) => {
      written += chunk.toString();
      if (!written.includes('\n')) return;
      const display = `:${written.trim()}`;
      resolve({
        display,
        input: async () => {
          x = (x + 37) % 500;
          await execFileAsync('xdotool', ['mousemove', String(x + 10), String(x + 20)], { env: { ...process.env, DISPLAY: display } });
        },
        stop: () =>
          new Promise<void>((done) => {
            if (server.exitCode !== null) return done();
            server.once('exit', () => done());
            server.kill();
          }),
      });
    });
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready: ${stderr}`)));
  });
}
