/** The platform parts of the agent, chosen in one place: how devices are detected and how decisions are enforced. */
import type { AuditLog } from '../audit/audit-log';
import type { EnforcementPreview } from '../enforce/audit-only-enforcer';
import type { Enforcer } from '../enforce/enforcer';
import type { Logger } from '../util/logger';
import type { AgentConfig } from './agent-config';
import type { AgentService, DeviceWatcherPort } from './agent-service';
import { darwinParts } from './platform-darwin';
import { linuxParts } from './platform-linux';
import { win32Parts } from './platform-win32';

export interface PlatformDeps {
  config: AgentConfig;
  logger: Logger;
  /** The agent, once built (the Windows install policy follows its rules). */
  agent: () => AgentService;
}

/** Something the platform watches beside USB (Linux: SD cards, Bluetooth, printers, network). */
export interface ExtraWatch {
  stop(): Promise<void>;
}

export interface PlatformParts {
  name: string;
  watcher: DeviceWatcherPort;
  /** The enforcer for enforce mode. */
  enforcing: Enforcer;
  /** What enforce mode would do, for audit mode's records. */
  preview: EnforcementPreview;
  /** Starts watching other kinds of device once the agent runs. */
  watchOthers(deps: { agent: AgentService; audit: AuditLog; clock: () => Date; logger: Logger }): Promise<ExtraWatch | undefined>;
}

export function platformParts(platform: NodeJS.Platform, deps: PlatformDeps): Promise<PlatformParts> {
  switch (platform) {
    case 'linux':
      return linuxParts(deps);
    case 'win32':
      return win32Parts(deps);
    case 'darwin':
      return darwinParts(deps);
    default:
      throw new Error(`Portcullis's agent does not run on ${platform}: Linux, Windows and macOS only`);
  }
}

/** Describes a decision for platforms whose enforcer has no reading-only preview of its own. */
export function namedPreview(actions: { prepare: string; target: (target: string) => string }): EnforcementPreview {
  return {
    prepare: async () => `would ${actions.prepare}`,
    apply: async (device, plan) => `would ${actions.target(plan.target)} ${device.viaPort}`,
  };
}
