/** Where idle time comes from: the IdleSource interface, a callback source, and the one place that picks a platform's source. */
import { assertNever } from '../util/assert-never';
import type { CommandRunner } from '../util/command-runner';
import { IoregIdleSource } from './darwin-idle-source';
import { LogindIdleSource, probeLogind } from './logind-idle-source';
import { QuserIdleSource } from './win32-idle-source';
import { X11IdleSource } from './x11-idle-source';

/** One reading of how long the session has had no keyboard or mouse input. */
export interface IdleSource {
  /** 'x11' | 'logind' | 'quser' | 'ioreg' | 'callback' */
  readonly name: IdleSourceName;
  /** Milliseconds since the last input; rejects with an Error naming the program and its error when it cannot tell. */
  idleMs(): Promise<number>;
  /** Whether the session is locked now, when the source can tell (logind LockedHint; quser's state; otherwise undefined). */
  lockedHint?(): Promise<boolean | undefined>;
}

export type IdleSourceName = 'x11' | 'logind' | 'quser' | 'ioreg' | 'callback';
export type IdleSourceChoice = IdleSourceName | 'auto';

/** A source fed by a function (the tray's Electron powerMonitor.getSystemIdleTime(), in seconds). */
export function callbackIdleSource(idleSeconds: () => number, lockedHint?: () => boolean | undefined): IdleSource {
  const source: IdleSource = {
    name: 'callback',
    idleMs: async () => {
      const seconds = idleSeconds();
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`callback: idle time ${String(seconds)} is not a number of seconds`);
      return Math.round(seconds * 1000);
    },
  };
  if (lockedHint) source.lockedHint = async () => lockedHint();
  return source;
}

export interface IdleSourceOptions {
  platform: NodeJS.Platform;
  run: CommandRunner;
  env: NodeJS.ProcessEnv;
  /** logind/quser session id when known */
  sessionId?: string;
  user?: string;
  /** The clock logind's IdleSinceHint is compared with (milliseconds since the epoch); Date.now by default. */
  now?: () => number;
}

type CommandSourceName = Exclude<IdleSourceName, 'callback'>;

/** The platform each command-backed source works on. */
const PLATFORM_OF: Record<CommandSourceName, NodeJS.Platform> = { x11: 'linux', logind: 'linux', quser: 'win32', ioreg: 'darwin' };

function onlyOn(name: CommandSourceName, platform: NodeJS.Platform): void {
  if (PLATFORM_OF[name] !== platform) throw new Error(`${name}: only works on ${PLATFORM_OF[name]}, not ${platform}`);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An X11 source that has answered once: DISPLAY is set and xprintidle runs. */
async function workingX11(options: IdleSourceOptions): Promise<IdleSource> {
  if (!options.env.DISPLAY) throw new Error('x11: DISPLAY is not set');
  const source = new X11IdleSource({ run: options.run, env: options.env });
  await source.idleMs().catch((error: unknown) => {
    throw new Error(`x11: ${reason(error)}`);
  });
  return source;
}

/** A logind source, once logind has answered; the session itself is looked up on each reading, as it can change. */
async function workingLogind(options: IdleSourceOptions): Promise<IdleSource> {
  await probeLogind(options.run).catch((error: unknown) => {
    throw new Error(`logind: ${reason(error)}`);
  });
  return new LogindIdleSource({ run: options.run, env: options.env, sessionId: options.sessionId, user: options.user, now: options.now });
}

/** XWayland's idle counter sees only input to X11 windows, so a Wayland session is not read through it. */
function isWayland(env: NodeJS.ProcessEnv): boolean {
  return env.XDG_SESSION_TYPE === 'wayland' || Boolean(env.WAYLAND_DISPLAY);
}

async function autoLinux(options: IdleSourceOptions): Promise<IdleSource> {
  const reasons: string[] = [];
  if (isWayland(options.env)) reasons.push('x11: not used in a Wayland session');
  else {
    try {
      return await workingX11(options);
    } catch (error) {
      reasons.push(reason(error));
    }
  }
  try {
    return await workingLogind(options);
  } catch (error) {
    reasons.push(reason(error));
    throw new Error(`auto: no idle source works here (${reasons.join('; ')})`);
  }
}

/**
 * 'auto': linux → x11 when DISPLAY is set and `xprintidle` works (not in a Wayland session),
 * else logind; win32 → quser; darwin → ioreg. A named source that cannot work here is an Error
 * saying why (e.g. 'x11: DISPLAY is not set'). x11 and logind are tried once here; quser and
 * ioreg are not, since quser fails while nobody is logged on, which is no reason to refuse it.
 */
export async function chooseIdleSource(choice: IdleSourceChoice, options: IdleSourceOptions): Promise<IdleSource> {
  switch (choice) {
    case 'auto':
      switch (options.platform) {
        case 'linux':
          return autoLinux(options);
        case 'win32':
          return chooseIdleSource('quser', options);
        case 'darwin':
          return chooseIdleSource('ioreg', options);
        default:
          throw new Error(`auto: no idle source for ${options.platform}`);
      }
    case 'x11':
      onlyOn('x11', options.platform);
      return workingX11(options);
    case 'logind':
      onlyOn('logind', options.platform);
      return workingLogind(options);
    case 'quser':
      onlyOn('quser', options.platform);
      return new QuserIdleSource({ run: options.run, sessionId: options.sessionId, user: options.user });
    case 'ioreg':
      onlyOn('ioreg', options.platform);
      return new IoregIdleSource({ run: options.run });
    case 'callback':
      throw new Error('callback: a callback source comes from callbackIdleSource(), with the function that feeds it');
    default:
      return assertNever(choice);
  }
}
