/** Audit-only mode, where schools start: every device is decided and recorded as in enforce mode, nothing is changed, and each result says what enforce mode would have done. */
import type { Device } from '../devices/device';
import type { EnforcementPlan, EnforcementResult, Enforcer } from './enforcer';

/** What a platform's enforcer would do, said without doing it: "would write authorized=0 to ...". Reads only. */
export interface EnforcementPreview {
  prepare(): Promise<string>;
  apply(device: Device, plan: EnforcementPlan): Promise<string>;
}

export class AuditOnlyEnforcer implements Enforcer {
  readonly name = 'audit-only';

  constructor(private readonly options: { preview: EnforcementPreview }) {}

  async prepare(): Promise<EnforcementResult> {
    return { ok: true, detail: `audit-only: ${await this.options.preview.prepare()}` };
  }

  async apply(device: Device, plan: EnforcementPlan): Promise<EnforcementResult> {
    return { ok: true, detail: `audit-only: ${await this.options.preview.apply(device, plan)}` };
  }

  async restoreDefaults(): Promise<EnforcementResult> {
    return { ok: true, detail: 'audit-only: nothing was changed, so there is nothing to restore' };
  }
}
