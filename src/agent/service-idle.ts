/** The service-side idle lock and logoff built from the platform's real parts: sessions, idle sources and lock commands the root/SYSTEM service can use. */
import type { AuditEvent } from '../audit/audit-event';
import { systemScheduler, type Scheduler } from '../devices/scheduler';
import { resolveIdleSettings, type IdlePolicy, type IdleSettings } from '../idle/idle-policy';
import { chooseIdleSource, type IdleSourceName } from '../idle/idle-source';
import { sessionActionsFor } from '../idle/session-actions';
import { logindSessionsFingerprint } from '../idle/linux-session-list';
import { listSessions, type UserSession } from '../idle/session-list';
import { changeGated } from '../util/change-gate';
import type { MachineContext } from '../policy/rule-scope';
import { runCommand, type CommandRunner } from '../util/command-runner';
import type { Logger } from '../util/logger';
import type { AgentConfig } from './agent-config';
import { IdleSupervisor } from './idle-supervisor';
import type { LocalIdleParts } from './local-idle-api';
import { TrayRegistry } from './tray-registry';

/**
 * The sessions, asked of the OS every check (5 s) on Windows and macOS; on Linux only when
 * logind's session files change (or once a minute), since each look-up starts `loginctl` once
 * per session: too much to do every 5 s on every staff PC, or at all where logind is absent.
 */
function sessionLister(platform: NodeJS.Platform, run: CommandRunner): () => Promise<UserSession[]> {
  const list = (): Promise<UserSession[]> => listSessions({ platform, run });
  return platform === 'linux' ? changeGated(list, () => logindSessionsFingerprint(), 12) : list;
}

/**
 * The idle source each platform's service reads, from outside the session: logind's idle hint
 * (X11 needs the user's display and its authority, which the service does not have), quser,
 * and the Mac's HID idle time (one console session, so the system-wide figure is the session's).
 */
const SERVICE_SOURCE: Partial<Record<NodeJS.Platform, IdleSourceName>> = { linux: 'logind', win32: 'quser', darwin: 'ioreg' };

/** Where the idle settings come from: the policy in force (`AgentService.policyInForce`) and the machine it applies to. */
/** How often the service reads each session's idle time. */
export const SERVICE_SAMPLE_EVERY_MS = 5_000;

export interface PolicyInForce {
  policyInForce(): { document?: { idle?: IdlePolicy }; context: MachineContext };
}

export interface ServiceIdleDeps {
  platform: NodeJS.Platform;
  config: AgentConfig;
  agent: PolicyInForce;
  audit: { append(event: AuditEvent, user?: string): Promise<unknown> };
  /** Epoch milliseconds now. */
  clock: () => number;
  logger: Logger;
  run?: CommandRunner;
  scheduler?: Scheduler;
  env?: NodeJS.ProcessEnv;
}

/** The idle policy in force for a session's user: the signed policy's `idle`, else the config's (a rules-file PC), else the defaults. */
export function serviceIdleSettings(config: Pick<AgentConfig, 'idle'>, agent: PolicyInForce, session: UserSession): IdleSettings {
  const { document, context } = agent.policyInForce();
  return resolveIdleSettings(document?.idle ?? config.idle, { machine: context.machine, groups: context.groups, user: session.user });
}

/**
 * The supervisor and tray registry, not started; undefined (and logged why) where the service
 * must not lock anyone: a platform with no session list, or a recorded sysfs tree (tests and
 * demos, which run on someone's own PC). There is no setting to turn it off: a setting would be
 * one more way round the school's policy.
 */
export function serviceIdle(deps: ServiceIdleDeps): LocalIdleParts & { supervisor: IdleSupervisor } | undefined {
  const { platform, config, logger } = deps;
  const sourceName = SERVICE_SOURCE[platform];
  if (sourceName === undefined) {
    logger.info('the service does not lock idle sessions: no session list on this platform', { platform });
    return undefined;
  }
  if (config.sysfsRoot !== '/sys') {
    logger.info('the service does not lock idle sessions: the sysfs root is not /sys, so this is not a real PC', { sysfsRoot: config.sysfsRoot });
    return undefined;
  }
  const run = deps.run ?? runCommand;
  const env = deps.env ?? process.env;
  const trays = new TrayRegistry({ clock: deps.clock });
  const supervisor = new IdleSupervisor({
    listSessions: sessionLister(platform, run),
    makeSource: (session) => chooseIdleSource(sourceName, { platform, run, env, sessionId: session.id, user: session.user, now: deps.clock }),
    makeActions: (session) => sessionActionsFor({ platform, run, env, from: 'service', sessionId: session.id, uid: session.uid, logger }),
    settingsFor: (session) => serviceIdleSettings(config, deps.agent, session),
    trays,
    audit: deps.audit,
    scheduler: deps.scheduler ?? systemScheduler,
    clock: deps.clock,
    // The service reads the OS's coarse idle hints by starting a program (loginctl, quser): once
    // in 5 s is enough to see input; the runner still wakes at each deadline, so locks stay on time.
    sampleEveryMs: SERVICE_SAMPLE_EVERY_MS,
    logger,
  });
  return { supervisor, trays };
}
