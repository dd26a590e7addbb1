/** What the agent tells its local API clients (the tray, `portcullis status`) as things happen. */
import type { Device } from '../devices/device';
import type { Decision } from '../policy/decision-engine';
import type { EnforcementResult } from '../enforce/enforcer';

/** A present device as the agent sees it: the device, the decision, and what enforcement did. */
export interface DeviceState {
  device: Device;
  decision: Decision;
  enforcement: EnforcementResult;
  /** Why the start-up safety rule kept a device the policy would block, if it did. */
  keptAtStart?: string;
  since: string;
}

export interface ApprovalRequest {
  id: string;
  /** The device's sysfs name when it was asked for (its port). */
  viaPort: string;
  device: Pick<Device, 'id' | 'serial' | 'name' | 'manufacturer' | 'hash' | 'kind' | 'interfaces' | 'warnings'>;
  user: string;
  /** Whether the agent checked `user` against the connecting process (false: the client's word only). */
  userVerified: boolean;
  machine: string;
  justification: string;
  /** How long the member of staff asks to use it for, in days. */
  durationDays: number;
  requestedAt: string;
  status: 'pending';
}

export type AgentEvent =
  | { type: 'device-added'; state: DeviceState }
  | { type: 'device-updated'; state: DeviceState }
  | { type: 'device-removed'; viaPort: string }
  | { type: 'policy-changed'; description: string }
  | { type: 'request-queued'; request: ApprovalRequest };

export type AgentEventListener = (event: AgentEvent) => void;
