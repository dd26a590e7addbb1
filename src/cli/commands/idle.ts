/** `portcullis idle run`: the idle controller in the current session, from a shell (as xautolock and swayidle run), printing each event as a JSON line. */
import { hostname, userInfo } from 'node:os';
import { agentConfigSchema, DEFAULT_CONFIG_FILE } from '../../agent/agent-config';
import { AuditLog } from '../../audit/audit-log';
import { systemScheduler, type Scheduler } from '../../devices/scheduler';
import { readDuration } from '../../idle/duration';
import { idleAuditEvent, idleEventLine } from '../../idle/idle-audit';
import { IdleController } from '../../idle/idle-controller';
import { parseIdlePolicy, resolveIdleSettings } from '../../idle/idle-policy';
import { IdleRunner } from '../../idle/idle-runner';
import { chooseIdleSource, type IdleSourceChoice } from '../../idle/idle-source';
import { sessionActionsFor } from '../../idle/session-actions';
import { readTextIfExists } from '../../policy/read-text';
import { runCommand, type CommandRunner } from '../../util/command-runner';
import { createLogger } from '../../util/logger';
import { fail, UsageError, type CliIo, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';
import { untilSignal } from '../until-signal';

export interface IdleCommandDeps {
  scheduler: Scheduler;
  clock: () => number;
  run: CommandRunner;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Resolves with the reason when the command should stop (SIGINT, SIGTERM). */
  untilStopped: () => Promise<string>;
}

const SOURCES: readonly IdleSourceChoice[] = ['auto', 'x11', 'logind', 'quser', 'ioreg'];

/** Durations given as flags, each checked on its own so that the error names the flag. */
const DURATION_FLAGS = [
  ['lock-after', 'lockAfter'],
  ['warn-for', 'warnFor'],
  ['logoff-after', 'logoffAfter'],
  ['presenting-limit', 'presentingLimit'],
] as const;


const realDeps: IdleCommandDeps = { scheduler: systemScheduler, clock: Date.now, run: runCommand, env: process.env, platform: process.platform, untilStopped: untilSignal };

/** The config file's JSON, or an empty object when the default file is absent. */
async function readConfigJson(file: string, required: boolean): Promise<Record<string, unknown>> {
  const text = await readTextIfExists(file);
  if (!text.ok) throw new UsageError(text.error);
  if (text.value === undefined) {
    if (required) throw new UsageError(`${file}: no such config file`);
    return {};
  }
  try {
    const value = JSON.parse(text.value) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  throw new UsageError(`${file}: expected a JSON object`);
}

export function createIdleCommands(deps: IdleCommandDeps = realDeps): Command[] {
  const idleRun: Command = {
    path: ['idle', 'run'],
    summary: 'Run idle locking in this session from a shell, printing each event as a JSON line',
    usage:
      'portcullis idle run [--config FILE] [--lock-after D] [--warn-for D] [--logoff-after D|never] [--presenting-limit D] [--idle-source auto|x11|logind|quser|ioreg] [--lock-command CMD] [--logoff-command CMD] [--audit-log FILE]   (D: 90s, 5m, 1h30m)',
    async run(args, io) {
      const { values } = parseCommandLine({
        args,
        options: {
          config: { type: 'string' },
          'lock-after': { type: 'string' },
          'warn-for': { type: 'string' },
          'logoff-after': { type: 'string' },
          'presenting-limit': { type: 'string' },
          'idle-source': { type: 'string' },
          'lock-command': { type: 'string' },
          'logoff-command': { type: 'string' },
          'audit-log': { type: 'string' },
        },
      });
      const sourceChoice = (values['idle-source'] ?? 'auto') as IdleSourceChoice;
      if (!SOURCES.includes(sourceChoice)) throw new UsageError(`--idle-source must be one of ${SOURCES.join(', ')}, not "${values['idle-source']}"`);
      const flags: Record<string, string> = {};
      for (const [flag, field] of DURATION_FLAGS) {
        const text = values[flag];
        if (text === undefined) continue;
        if (!(flag === 'logoff-after' && text === 'never') && !readDuration(text, 0, Number.MAX_SAFE_INTEGER).ok) {
          throw new UsageError(`--${flag}: expected a duration such as "5m" or "90s"${flag === 'logoff-after' ? ' or "never"' : ''}, not "${text}"`);
        }
        flags[field] = text;
      }
      const file = values.config ?? DEFAULT_CONFIG_FILE;
      const config = await readConfigJson(file, values.config !== undefined);
      const base = typeof config.idle === 'object' && config.idle !== null ? config.idle : {};
      const policy = parseIdlePolicy({ ...base, ...flags }, Object.keys(flags).length > 0 ? `${file} with the command's flags` : file);
      if (!policy.ok) return fail(io, policy.error);
      const groups = agentConfigSchema.shape.groups.safeParse(config.groups);
      const user = userInfo().username;
      const settings = resolveIdleSettings(policy.value, { machine: typeof config.machine === 'string' ? config.machine : hostname(), user, groups: groups.success ? groups.data : [] });
      return runIdle(deps, io, {
        sourceChoice,
        settings,
        user,
        lockCommand: values['lock-command'],
        logoffCommand: values['logoff-command'],
        auditLog: values['audit-log'],
      });
    },
  };
  return [idleRun];
}

interface IdleRunPlan {
  sourceChoice: IdleSourceChoice;
  settings: ReturnType<typeof resolveIdleSettings>;
  user: string;
  lockCommand: string | undefined;
  logoffCommand: string | undefined;
  auditLog: string | undefined;
}

async function runIdle(deps: IdleCommandDeps, io: CliIo, plan: IdleRunPlan): Promise<number> {
  const { env, platform, run, clock } = deps;
  const logger = createLogger('idle');
  const sessionId = env.XDG_SESSION_ID;
  let source;
  try {
    source = await chooseIdleSource(plan.sourceChoice, { platform, run, env, sessionId, user: plan.user });
  } catch (error) {
    return fail(io, `cannot tell how long this session has been idle: ${error instanceof Error ? error.message : String(error)}`);
  }
  const actions = sessionActionsFor({ platform, run, from: 'session', sessionId, lockCommand: plan.lockCommand, logoffCommand: plan.logoffCommand, env, logger });
  const session = sessionId ?? (env.DISPLAY ? `display ${env.DISPLAY}` : 'console');
  const audit = plan.auditLog === undefined ? undefined : await AuditLog.open(plan.auditLog, { machine: hostname(), clock: () => new Date(clock()) });
  const { settings } = plan;
  io.out(
    `${JSON.stringify({ time: new Date(clock()).toISOString(), type: 'started', session, source: source.name, ...actions.describe(), lockAfterMs: settings.lockAfterMs, warnForMs: settings.warnForMs, logoffAfterMs: settings.logoffAfterMs ?? null, settingsFrom: settings.source })}\n`,
  );
  const controller = new IdleController(settings, clock());
  let loggedOff: () => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (loggedOff = () => resolve('logged off')));
  const runner = new IdleRunner({
    controller,
    source,
    actions,
    scheduler: deps.scheduler,
    clock,
    logger,
    onEvent: (event) => {
      io.out(idleEventLine(event));
      const record = idleAuditEvent(event, session, 'command');
      if (record && audit) void audit.append(record, plan.user).catch((error: unknown) => logger.error('could not write the audit log', { error: String(error) }));
    },
    onLoggedOff: () => loggedOff(),
  });
  runner.start();
  const reason = await Promise.race([deps.untilStopped(), stopped]);
  await runner.stop();
  await audit?.close();
  io.out(`${JSON.stringify({ time: new Date(clock()).toISOString(), type: 'stopped', reason })}\n`);
  return 0;
}

export const idleCommands = createIdleCommands();
