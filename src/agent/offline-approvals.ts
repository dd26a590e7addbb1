/** One-time codes SLT read out for a PC with no network: checked with the secret shared at enrolment, each used once, each letting one device into this PC until the code's expiry. */
import { z } from 'zod';
import type { Device } from '../devices/device';
import type { Result } from '../policy/policy-document';
import { readJsonIfExists, readTextIfExists } from '../policy/read-text';
import { UsedOfflineCodes, verifyOfflineCode } from '../server/auth/offline-codes';
import { writeFileAtomic } from '../util/atomic-write';

/** A device a code let in: until when, and who typed it. */
export interface OfflineAllowance {
  deviceHash: string;
  counter: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  user: string;
}

const allowancesSchema = z.array(z.strictObject({ deviceHash: z.string().min(1), counter: z.int().min(0), expiresAt: z.int(), user: z.string().min(1) }));

export interface OfflineApprovalsFiles {
  /** The secret the server gave at enrolment (base64). */
  secretFile: string;
  /** The codes accepted and not yet expired (mode 0600). */
  stateFile: string;
}

export class OfflineApprovals {
  private constructor(
    private readonly secret: Buffer,
    private readonly machine: string,
    private readonly stateFile: string,
    private allowances: OfflineAllowance[],
  ) {}

  /** Undefined when this PC has no secret (not enrolled with a console server); an error naming the file when a file is damaged. */
  static async open(files: OfflineApprovalsFiles, machine: string): Promise<Result<OfflineApprovals | undefined>> {
    const secretText = await readTextIfExists(files.secretFile);
    if (!secretText.ok) return secretText;
    if (secretText.value === undefined) return { ok: true, value: undefined };
    const secret = Buffer.from(secretText.value.trim(), 'base64url');
    if (secret.length < 16) return { ok: false, error: `${files.secretFile}: expected the offline-code secret from enrolment (base64, at least 16 bytes)` };
    const allowances = await readJsonIfExists(files.stateFile, allowancesSchema);
    if (!allowances.ok) return allowances;
    return { ok: true, value: new OfflineApprovals(secret, machine, files.stateFile, allowances.value ?? []) };
  }

  /**
   * Checks `code` for `device` on this PC at `now`; a code that passes is recorded as used (on
   * disk, before it counts) and lets the device in until its expiry. The error says why not, in
   * words for the member of staff.
   */
  async accept(device: Device, code: string, user: string, now: number): Promise<Result<OfflineAllowance>> {
    if (device.hash === '') return { ok: false, error: 'this device has no hash, so no code can name it: ask SLT to approve it when the PC is back on the network' };
    this.allowances = this.allowances.filter((allowance) => allowance.expiresAt > now);
    const used = new UsedOfflineCodes(this.allowances.map((allowance) => [allowance.counter, allowance.expiresAt] as const));
    const verified = verifyOfflineCode({ secret: this.secret, deviceHash: device.hash, machineName: this.machine, code, now, used });
    if (!verified.ok) return { ok: false, error: verified.message };
    const allowance: OfflineAllowance = { deviceHash: device.hash, counter: verified.counter, expiresAt: verified.expiresAt, user };
    const next = [...this.allowances, allowance];
    await writeFileAtomic(this.stateFile, `${JSON.stringify(next, null, 2)}\n`, 0o600);
    this.allowances = next;
    return { ok: true, value: allowance };
  }

  /** The code that lets `device` in at `now`, if any (the one lasting longest). */
  allowanceFor(device: Device, now: number): OfflineAllowance | undefined {
    return this.allowances.filter((allowance) => allowance.deviceHash === device.hash && allowance.expiresAt > now).sort((a, b) => b.expiresAt - a.expiresAt)[0];
  }
}
