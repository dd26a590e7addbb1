/** Builds and starts the agent service from its config: the platform's parts, the policy, the audit log, the local API, the service's idle lock and the link to the console server. */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../audit/audit-log';
import { systemScheduler, type Scheduler } from '../devices/scheduler';
import { AuditOnlyEnforcer } from '../enforce/audit-only-enforcer';
import type { Logger } from '../util/logger';
import type { AgentConfig } from './agent-config';
import { AgentPolicy } from './agent-policy';
import { AgentService } from './agent-service';
import { DailyRetention } from './daily-retention';
import { LocalApi } from './local-api';
import { OfflineApprovals } from './offline-approvals';
import { platformParts } from './platform';
import { RequestQueue } from './request-queue';
import { serverLinkPaths } from './server-link/link-files';
import { ServerLink } from './server-link/server-link';
import type { Fetch } from './server-link/server-client';
import { parseServerUrl } from './server-link/server-url';
import { serviceIdle } from './service-idle';
import { activeSessionUser, SessionUserCache } from './session-user';

export interface RunningAgent {
  agent: AgentService;
  /** The link to the console server, when `server` is set and this PC is enrolled. */
  link?: ServerLink;
  /** Housekeeping every few seconds: audit retention, who is logged on, a changed or expired policy. */
  tick(): Promise<void>;
  stop(reason: string): Promise<void>;
}

export interface StartOptions {
  version: string;
  logger: Logger;
  clock?: () => Date;
  platform?: NodeJS.Platform;
  /** For the console server link (default: Node's global fetch and timers). */
  fetch?: Fetch;
  scheduler?: Scheduler;
}

/** The link to the console server, or undefined (logged) when none is set or it cannot start: enforcement never waits on it. */
async function openLink(config: AgentConfig, options: StartOptions, parts: { queue: RequestQueue; audit: AuditLog; clock: () => Date; reload: () => Promise<void> }): Promise<ServerLink | undefined> {
  if (config.server === undefined) return undefined;
  const server = parseServerUrl(config.server);
  if (!server.ok) throw new Error(server.error);
  const opened = await ServerLink.open({
    server: server.value,
    stateDir: config.stateDir,
    auditLog: config.auditLog,
    queue: parts.queue,
    fetch: options.fetch ?? fetch,
    clock: parts.clock,
    scheduler: options.scheduler ?? systemScheduler,
    logger: options.logger,
    onPolicy: parts.reload,
    audit: parts.audit,
    version: options.version,
  });
  if (opened.ok) return opened.value;
  options.logger.error('not linked to the console server; enforcing the policy held here', { error: opened.error });
  return undefined;
}

/** One-time codes for when the PC is off the network: only on a PC enrolled with a console server, which shares their secret. */
async function openOfflineCodes(stateDir: string, machine: string, logger: Logger): Promise<OfflineApprovals | undefined> {
  const opened = await OfflineApprovals.open({ secretFile: serverLinkPaths(stateDir).offlineSecret, stateFile: join(stateDir, 'offline-codes.json') }, machine);
  if (opened.ok) return opened.value;
  logger.error('one-time codes from SLT cannot be checked on this PC', { error: opened.error });
  return undefined;
}

export async function startAgent(config: AgentConfig, options: StartOptions): Promise<RunningAgent> {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());
  const machine = config.machine ?? hostname();
  const users = new SessionUserCache(() => activeSessionUser());
  await users.refresh();
  const audit = await AuditLog.open(config.auditLog, { machine, clock });
  const requests = await RequestQueue.open(config.stateDir);
  const built: { agent?: AgentService } = {};
  // The policy in force says how long records are kept (the DPO's setting), so the first run waits for it.
  const retention = new DailyRetention(audit, requests, clock, logger, () => built.agent?.policyInForce().document?.auditRetentionMonths);
  const link = await openLink(config, options, { queue: requests, audit, clock, reload: async () => built.agent?.reloadPolicy() });
  // Records reach the server soon after they are on disk.
  const auditPort = link?.watchAudit(audit) ?? audit;
  const platform = options.platform ?? process.platform;
  const parts = await platformParts(platform, {
    config,
    logger,
    agent: () => {
      if (!built.agent) throw new Error('the agent is not built yet');
      return built.agent;
    },
  });
  const offlineCodes = await openOfflineCodes(config.stateDir, machine, logger);
  const agent = new AgentService({
    machine,
    version: options.version,
    policy: new AgentPolicy(config, () => ({ machine, groups: config.groups, user: users.current() }), clock),
    enforcerFor: (mode) => (mode === 'enforce' ? parts.enforcing : new AuditOnlyEnforcer({ preview: parts.preview })),
    watcher: parts.watcher,
    audit: auditPort,
    requests,
    clock,
    random: Math.random,
    currentUser: () => users.current(),
    ...(offlineCodes === undefined ? {} : { offlineCodes }),
    logger,
  });
  built.agent = agent;
  await agent.start();
  await retention.run();
  if (agent.status().mode === 'audit') {
    // Audit mode blocks nothing: give back the defaults an earlier enforcing run set.
    const restored = await parts.enforcing.restoreDefaults();
    logger.info('audit mode: platform defaults restored', restored.ok ? { detail: restored.detail } : { error: restored.error });
  }
  const others = await parts.watchOthers({ agent, audit, clock, logger });
  // Sessions whose tray is not running (quit or killed) are locked and logged off by the service.
  const idle = serviceIdle({ platform, config, agent, audit: auditPort, clock: () => clock().getTime(), logger });
  const api = new LocalApi(agent, logger, undefined, idle);
  await api.listen(config.socket, config.socketGroup);
  idle?.supervisor.start();
  const stopPolicyWatch = agent.subscribe((event) => {
    if (event.type === 'policy-changed') void idle?.supervisor.policyChanged();
    link?.agentEvent(event);
  });
  link?.start();
  return {
    agent,
    ...(link === undefined ? {} : { link }),
    tick: async () => {
      await retention.run();
      await users.refresh();
      await agent.reloadPolicyIfStale();
    },
    stop: async (reason) => {
      stopPolicyWatch();
      await link?.stop();
      await api.close();
      await idle?.supervisor.stop();
      await others?.stop();
      await agent.stop(reason);
      await audit.close();
    },
  };
}
