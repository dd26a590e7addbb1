/**
 * The agent's handling of devices that are not USB devices (SD cards, Bluetooth devices,
 * printers, network interfaces): each that appears is decided by the policy's `otherDevices`
 * part, audited, and enforced where the platform can (otherwise only recorded).
 */
import { otherDeviceIdentity } from '../audit/audit-event';
import type { OtherDevice } from '../devices/other-devices/other-device';
import type { OtherDeviceWatcher } from '../devices/other-devices/other-device-watcher';
import type { OtherDeviceEnforcer } from '../enforce/other-device-enforcer';
import { decideOtherDevice, type OtherDeviceDecision, type OtherDevicePolicy } from '../policy/other-device-policy';
import type { MachineContext } from '../policy/rule-scope';
import type { Logger } from '../util/logger';
import { SerialQueue } from '../util/serial-queue';
import type { AuditPort } from './agent-service';

export interface OtherDevicesAgentDeps {
  watcher: Pick<OtherDeviceWatcher, 'onAdded' | 'onRemoved' | 'onInventory' | 'start' | 'stop'>;
  /** The platform's enforcer, used only in enforce mode. */
  enforcer: OtherDeviceEnforcer;
  /** The current policy's part for these devices, its mode and the context it applies in. */
  policy: () => { document?: OtherDevicePolicy; mode: 'enforce' | 'audit'; context: MachineContext };
  audit: AuditPort;
  clock: () => Date;
  logger: Logger;
}

export class OtherDevicesAgent {
  private readonly decisions = new Map<string, OtherDeviceDecision>();
  private readonly queue: SerialQueue;

  constructor(private readonly deps: OtherDevicesAgentDeps) {
    this.queue = new SerialQueue((error) => deps.logger.error('device event failed', { error: String(error) }));
  }

  /** Decides about what is present now, then about each device that appears. */
  async start(): Promise<void> {
    const { watcher } = this.deps;
    watcher.onAdded((device) => void this.queue.run(() => this.arrived(device)));
    watcher.onRemoved((device) => void this.queue.run(() => this.removed(device)));
    watcher.onInventory((devices) => void this.queue.run(() => this.recheck(devices)));
    const present = await watcher.start();
    await this.queue.run(async () => {
      for (const device of present) await this.arrived(device);
    });
  }

  async stop(): Promise<void> {
    await this.deps.watcher.stop();
    await this.queue.idle();
  }

  decisionFor(device: OtherDevice): OtherDeviceDecision | undefined {
    return this.decisions.get(`${device.bus}:${device.key}`);
  }

  private async arrived(device: OtherDevice): Promise<void> {
    const { document, mode, context } = this.deps.policy();
    const identity = otherDeviceIdentity(device);
    await this.deps.audit.append({ type: 'device-arrived', device: identity });
    const decision = decideOtherDevice(device, document, context, this.deps.clock());
    this.decisions.set(`${device.bus}:${device.key}`, decision);
    await this.deps.audit.append({ type: 'device-decided', device: identity, target: decision.target, implicit: decision.implicit, origin: decision.origin, reason: decision.reason });
    const result =
      mode === 'enforce'
        ? await this.deps.enforcer.apply(device, decision.target)
        : { ok: true as const, detail: `audit-only: would ${decision.target} ${identity.viaPort}` };
    await this.deps.audit.append({ type: 'device-enforced', device: identity, enforcer: mode === 'enforce' ? this.deps.enforcer.name : 'audit-only', ...result });
    this.deps.logger.info('device decided', { bus: device.bus, key: device.key, target: decision.target, reason: decision.reason, enforced: result.ok });
  }

  private async removed(device: OtherDevice): Promise<void> {
    this.decisions.delete(`${device.bus}:${device.key}`);
    await this.deps.audit.append({ type: 'device-removed', device: otherDeviceIdentity(device) });
  }

  /** Re-applies blocks that can wear off (a blocked card mounted again). */
  private async recheck(devices: OtherDevice[]): Promise<void> {
    if (this.deps.policy().mode !== 'enforce') return;
    for (const result of await this.deps.enforcer.recheck(devices)) {
      if (!result.ok) this.deps.logger.warn('could not keep a blocked device blocked', { error: result.error });
    }
  }
}
