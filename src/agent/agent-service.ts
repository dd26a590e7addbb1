/** The agent service: every USB device that arrives is decided, enforced and audited, in that order, and every present device follows policy changes. It holds no platform code: the watcher, enforcer, policy and audit log are given to it. */
import { randomUUID } from 'node:crypto';
import type { Device } from '../devices/device';
import type { Enforcer, EnforcementResult } from '../enforce/enforcer';
import type { ConditionEnvironment } from '../rules/conditions';
import { deviceIdentity, type AuditEvent } from '../audit/audit-event';
import { planEnforcement, lockoutSafeDecision } from '../policy/interface-plan';
import type { Logger } from '../util/logger';
import { Refusal } from '../util/refusal';
import { SerialQueue } from '../util/serial-queue';
import type { MachineContext } from '../policy/rule-scope';
import type { DecisionEngine } from '../policy/decision-engine';
import type { AgentPolicy, AgentPolicyState } from './agent-policy';
import type { AgentEvent, AgentEventListener, ApprovalRequest, DeviceState } from './agent-events';
import { changedFirst, enforcementChanges } from './reload-order';
import type { OfflineAllowance } from './offline-approvals';
import type { RequestQueue } from './request-queue';

/** What the agent needs from device detection. */
export interface DeviceWatcherPort {
  /** Starts watching; returns the devices present now. */
  start(onAdded: (device: Device) => void, onRemoved: (viaPort: string) => void): Promise<Device[]>;
  stop(): Promise<void> | void;
}

/** One-time codes from SLT for a PC with no network (offline-approvals.ts). */
export interface OfflineCodesPort {
  accept(device: Device, code: string, user: string, now: number): Promise<{ ok: true; value: OfflineAllowance } | { ok: false; error: string }>;
  allowanceFor(device: Device, now: number): OfflineAllowance | undefined;
}

/** A code that cannot be used: `status` 404 no such device, 409 this PC takes no codes, 400 the code itself. */
export class OfflineCodeRefused extends Refusal {
  override readonly name = 'OfflineCodeRefused';
}

export interface AuditPort {
  append(event: AuditEvent, user?: string): Promise<unknown>;
  /** Several records, durable together with one flush. */
  appendAll(events: readonly AuditEvent[], user?: string): Promise<unknown>;
}

export interface AgentServiceDeps {
  machine: string;
  version: string;
  policy: AgentPolicy;
  /** Chosen by mode: the platform's enforcer, or the audit-only one. */
  enforcerFor(mode: 'enforce' | 'audit'): Enforcer;
  watcher: DeviceWatcherPort;
  audit: AuditPort;
  requests: RequestQueue;
  clock: () => Date;
  random: () => number;
  /** The member of staff at the console, if anyone is logged on. */
  currentUser: () => string | undefined;
  /** Present when this PC is enrolled with a console server, which shares the codes' secret. */
  offlineCodes?: OfflineCodesPort;
  logger: Logger;
}

export interface AgentStatus {
  machine: string;
  version: string;
  mode: 'enforce' | 'audit';
  enforcer: string;
  policy: string;
  startedAt: string;
  devices: number;
  blocked: number;
  pendingRequests: number;
}

export class AgentService {
  private readonly present = new Map<string, DeviceState>();
  /** Devices a one-time code let in, by port: until when. */
  private readonly codeAllowedUntil = new Map<string, number>();
  private readonly listeners = new Set<AgentEventListener>();
  private state!: AgentPolicyState;
  private enforcer!: Enforcer;
  private startedAt = '';
  /** Device events are handled one at a time, in arrival order. */
  private readonly queue: SerialQueue;

  constructor(private readonly deps: AgentServiceDeps) {
    this.queue = new SerialQueue((error) => deps.logger.error('device event failed', { error: String(error) }));
  }

  subscribe(listener: AgentEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    this.startedAt = this.deps.clock().toISOString();
    await this.loadPolicy();
    this.enforcer = this.deps.enforcerFor(this.state.mode);
    await this.audit({ type: 'service-started', version: this.deps.version, mode: this.state.mode, policy: this.state.policy.description });
    await this.prepareEnforcer();
    const devices = await this.deps.watcher.start(
      (device) => void this.queue.run(() => this.arrived(device, false)),
      (viaPort) => void this.queue.run(() => this.removed(viaPort)),
    );
    await this.queue.run(async () => {
      for (const device of devices) await this.arrived(device, true);
    });
  }

  async stop(reason: string): Promise<void> {
    await this.deps.watcher.stop();
    await this.queue.run(() => this.audit({ type: 'service-stopped', reason }));
  }

  /** Resolves when every device event received so far has been handled. */
  async idle(): Promise<void> {
    await this.queue.idle();
  }

  /** Re-reads the policy and applies it to every present device (an approval arrived, or one was revoked). */
  async reloadPolicy(): Promise<void> {
    await this.queue.run(async () => {
      await this.loadPolicy();
      // Platforms that compile the allowlist ahead of devices (Windows' install restrictions) need it now.
      await this.prepareEnforcer();
      this.emit({ type: 'policy-changed', description: this.state.policy.description });
      // Devices whose enforcement changes (an approval, a revocation) first: the others are re-applied after them.
      const changed = (state: DeviceState): boolean => enforcementChanges(state.device, state.decision, this.decide(state.device, false).decision);
      for (const state of changedFirst([...this.present.values()], changed)) await this.decideAndEnforce(state.device, false, 'device-updated');
    });
  }

  /** Reloads when a rule or an offline code has expired, or the policy's file has changed since it was read. */
  async reloadPolicyIfStale(): Promise<void> {
    if (this.policyExpired() || this.offlineCodeEnded() || (await this.deps.policy.changedSinceLoad())) await this.reloadPolicy();
  }

  /**
   * A member of staff types the one-time code SLT read out for a device that is present (named
   * as for requestApproval): checked without the network, recorded either way, and the device
   * decided again, now allowed until the code's expiry. Throws OfflineCodeRefused.
   */
  async useOfflineCode(deviceRef: string, code: string, requester: { user: string }): Promise<OfflineAllowance> {
    const codes = this.deps.offlineCodes;
    if (!codes) throw new OfflineCodeRefused(409, 'this PC is not enrolled with a console server, so it cannot check one-time codes');
    return this.queue.run(async () => {
      const state = this.findDevice(deviceRef);
      if (!state) throw new OfflineCodeRefused(404, `no device '${deviceRef}' is attached (give its port such as 1-2, its id such as 0781:5567, or its hash)`);
      const device = deviceIdentity(state.device);
      const accepted = await codes.accept(state.device, code, requester.user, this.deps.clock().getTime());
      if (!accepted.ok) {
        await this.audit({ type: 'offline-code-refused', device, user: requester.user, reason: accepted.error }, requester.user);
        throw new OfflineCodeRefused(400, accepted.error);
      }
      await this.audit({ type: 'offline-code-accepted', device, user: requester.user, expires: new Date(accepted.value.expiresAt).toISOString() }, requester.user);
      await this.decideAndEnforce(state.device, false, 'device-updated');
      return accepted.value;
    });
  }

  status(): AgentStatus {
    const states = [...this.present.values()];
    return {
      machine: this.deps.machine,
      version: this.deps.version,
      mode: this.state.mode,
      enforcer: this.enforcer.name,
      policy: this.state.policy.description,
      startedAt: this.startedAt,
      devices: states.length,
      blocked: states.filter((s) => s.decision.target !== 'allow').length,
      pendingRequests: this.deps.requests.pending().filter((request) => request.server === undefined || request.server.status === 'pending').length,
    };
  }

  /** The policy in force, with the machine context it applies in: non-USB devices are decided by it too. */
  policyInForce(): { engine: DecisionEngine; document?: AgentPolicyState['document']; mode: 'enforce' | 'audit'; context: MachineContext } {
    return { engine: this.state.policy.engine, document: this.state.document, mode: this.state.mode, context: this.deps.policy.context() };
  }

  devices(): DeviceState[] {
    return [...this.present.values()];
  }

  pendingRequests(): readonly ApprovalRequest[] {
    return this.deps.requests.pending();
  }

  /** A member of staff asks SLT for a device that is present (named by its port, id or hash). */
  async requestApproval(deviceRef: string, justification: string, requester: { user: string; verified: boolean }, durationDays: number): Promise<ApprovalRequest> {
    const { user } = requester;
    const state = this.findDevice(deviceRef);
    if (!state) throw new Error(`no device '${deviceRef}' is attached (give its port such as 1-2, its id such as 0781:5567, or its hash)`);
    const { id, serial, name, manufacturer, hash, kind, interfaces, warnings } = state.device;
    const request = await this.deps.requests.add({
      id: randomUUID(),
      viaPort: state.device.viaPort,
      device: { id, serial, name, manufacturer, hash, kind, interfaces, warnings },
      user,
      userVerified: requester.verified,
      machine: this.deps.machine,
      justification,
      durationDays,
      requestedAt: this.deps.clock().toISOString(),
      status: 'pending',
    });
    await this.audit({ type: 'approval-requested', requestId: request.id, device: deviceIdentity(state.device), user, justification }, user);
    this.emit({ type: 'request-queued', request });
    return request;
  }

  private findDevice(ref: string): DeviceState | undefined {
    const states = [...this.present.values()];
    return this.present.get(ref) ?? states.find((s) => s.device.hash === ref) ?? states.find((s) => `${s.device.id.vendor}:${s.device.id.product}` === ref);
  }

  private async loadPolicy(): Promise<void> {
    this.state = await this.deps.policy.load();
    for (const note of this.state.notes) {
      if (note.kind === 'loaded') await this.audit({ type: 'policy-loaded', source: note.source, version: note.version, ruleCount: note.ruleCount });
      else await this.audit({ type: 'policy-refused', source: note.source, reason: note.reason });
    }
  }

  private async prepareEnforcer(): Promise<void> {
    const prepared = await this.enforcer.prepare();
    if (!prepared.ok) this.deps.logger.error('could not make new devices wait for a decision', { error: prepared.error });
  }

  private async arrived(device: Device, atStart: boolean): Promise<void> {
    if (this.policyExpired()) await this.loadPolicy();
    // A controller that appears later (a dock's own) starts with the kernel's defaults: make its devices wait too.
    if (!atStart && device.viaPort.startsWith('usb')) await this.prepareEnforcer();
    await this.decideAndEnforce(device, atStart, 'device-added');
  }

  /** Decides, records (with the arrival, for a new device) durably, then enforces and records what happened. */
  private async decideAndEnforce(device: Device, atStart: boolean, eventType: 'device-added' | 'device-updated'): Promise<void> {
    const began = performance.now();
    const { decision, keptAtStart } = this.decide(device, atStart);
    const identity = deviceIdentity(device);
    const { target, implicit, rule } = decision;
    const decided: AuditEvent = { type: 'device-decided', device: identity, target, implicit, rule, origin: decision.origin?.where, reason: keptAtStart ?? decision.reason };
    const decidedAt = performance.now();
    await this.deps.audit.appendAll(eventType === 'device-added' ? [{ type: 'device-arrived', device: identity }, decided] : [decided], this.deps.currentUser());
    const recordedAt = performance.now();
    const enforcement = await this.enforce(device, decision);
    const ms = (from: number, to: number): number => Math.round((to - from) * 100) / 100;
    this.deps.logger.debug('device hot path', { viaPort: device.viaPort, decideMs: ms(began, decidedAt), auditMs: ms(decidedAt, recordedAt), enforceMs: ms(recordedAt, performance.now()) });
    await this.audit({ type: 'device-enforced', device: identity, enforcer: this.enforcer.name, ...enforcement });
    const state: DeviceState = { device, decision, enforcement, keptAtStart, since: this.deps.clock().toISOString() };
    this.present.set(device.viaPort, state);
    this.deps.logger.info('device decided', { viaPort: device.viaPort, id: `${device.id.vendor}:${device.id.product}`, target: decision.target, reason: keptAtStart ?? decision.reason, enforced: enforcement.ok });
    this.emit({ type: eventType, state });
  }

  private decide(device: Device, atStart: boolean): { decision: DeviceState['decision']; keptAtStart?: string } {
    const env: ConditionEnvironment = { now: this.deps.clock, random: this.deps.random, allowedDevices: () => this.allowedDevices() };
    const decided = lockoutSafeDecision(device, this.state.policy.engine.decide(device, env), { atStart });
    const code = decided.decision.target === 'allow' ? undefined : this.deps.offlineCodes?.allowanceFor(device, this.deps.clock().getTime());
    if (code === undefined) {
      // Allowed by the policy now (an approval arrived), or blocked: no code's expiry concerns this device any more.
      this.codeAllowedUntil.delete(device.viaPort);
      return decided;
    }
    this.codeAllowedUntil.set(device.viaPort, code.expiresAt);
    return { decision: { target: 'allow', implicit: false, reason: `allowed until ${new Date(code.expiresAt).toISOString()} by a one-time code from SLT, typed by ${code.user}` } };
  }

  /** Whether a device a code let in is present past the code's expiry. */
  private offlineCodeEnded(): boolean {
    const now = this.deps.clock().getTime();
    return [...this.codeAllowedUntil].some(([viaPort, until]) => until <= now && this.present.get(viaPort)?.decision.target === 'allow');
  }

  private enforce(device: Device, decision: DeviceState['decision']): Promise<EnforcementResult> {
    return this.enforcer.apply(device, planEnforcement(device, decision)).catch((error: unknown) => ({ ok: false as const, error: String(error) }));
  }

  private async removed(viaPort: string): Promise<void> {
    const state = this.present.get(viaPort);
    if (!state) return;
    this.present.delete(viaPort);
    this.codeAllowedUntil.delete(viaPort);
    await this.audit({ type: 'device-removed', device: deviceIdentity(state.device) });
    this.emit({ type: 'device-removed', viaPort });
  }

  private allowedDevices(): Device[] {
    return [...this.present.values()].filter((s) => s.decision.target === 'allow').map((s) => s.device);
  }

  private policyExpired(): boolean {
    return this.state.validUntil !== undefined && this.deps.clock().getTime() >= this.state.validUntil.getTime();
  }

  private audit(event: AuditEvent, user = this.deps.currentUser()): Promise<unknown> {
    return this.deps.audit.append(event, user);
  }

  private emit(event: AgentEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
