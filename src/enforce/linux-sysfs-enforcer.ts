/** Linux enforcement through sysfs: new USB devices wait unauthorised for a decision; allowed ones are authorised (interface by interface when some must lose their driver), blocked ones de-authorised, rejected ones removed. */
import { posix as path } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { interfaceTypeText, type Device } from '../devices/device';
import { createLogger, type Logger } from '../util/logger';
import type { EnforcementPlan, EnforcementResult, Enforcer } from './enforcer';
import { describeDone, expectedFailure, readSysfsValue, writeSysfs, type SysfsWrite } from './linux-sysfs-io';
import {
  DEFAULT_ATTRIBUTES,
  DEFAULTS_STATE_FILE,
  forgetRememberedDefaults,
  listRootHubs,
  loadRememberedDefaults,
  rootHubFile,
  saveRememberedDefaults,
  valueToRemember,
  type RememberedDefaults,
} from './linux-usb-defaults';
import { deviceDirectory, deviceWrite, interfaceWrites, waitForInterfaces, type InterfaceWait } from './linux-usb-interfaces';

export interface LinuxSysfsEnforcerOptions {
  /** Where sysfs is mounted: `/sys` unless a test says otherwise. */
  sysfsRoot?: string;
  /** The agent's state directory, where the kernel's previous defaults are kept for `restoreDefaults`. */
  stateDir?: string;
  /** How long to wait for an authorised device's interfaces (2 s), and how often to look (every 50 ms). */
  interfaceTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Waits between looks; tests pass a simulated kernel's next step instead of a timer. */
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

const ok = (lines: readonly string[]): EnforcementResult => ({ ok: true, detail: lines.join('; ') });

function fail(problem: string, done: readonly string[]): EnforcementResult {
  return { ok: false, error: done.length === 0 ? problem : `${problem} (done before that: ${done.join('; ')})` };
}

export class LinuxSysfsEnforcer implements Enforcer {
  readonly name = 'linux-sysfs';
  private readonly sysfsRoot: string;
  private readonly stateFile: string;
  private readonly timeoutMs: number;
  private readonly wait: InterfaceWait;
  private readonly logger: Logger;

  constructor(options: LinuxSysfsEnforcerOptions = {}) {
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
    this.stateFile = path.join(options.stateDir ?? '/var/lib/portcullis', DEFAULTS_STATE_FILE);
    this.timeoutMs = options.interfaceTimeoutMs ?? 2000;
    const intervalMs = options.pollIntervalMs ?? 50;
    this.wait = { attempts: Math.ceil(this.timeoutMs / intervalMs) + 1, intervalMs, sleep: options.sleep ?? ((ms) => delay(ms)) };
    this.logger = options.logger ?? createLogger('linux-sysfs-enforcer');
  }

  /**
   * Writes 0 to every root hub's `authorized_default` (a new device gets no driver until it is
   * allowed) and `interface_authorized_default` (an allowed device's interfaces also wait, so a
   * stick's keyboard cannot bind before it is stopped). The values found are remembered first,
   * so `restoreDefaults` can put them back even after a crash. Safe to call again, for example
   * when a new USB controller (a Thunderbolt dock) brings a new root hub.
   */
  async prepare(): Promise<EnforcementResult> {
    const done: string[] = [];
    try {
      const hubs = await listRootHubs(this.sysfsRoot);
      if (hubs.length === 0) return fail(`found no USB root hub in ${path.join(this.sysfsRoot, 'bus/usb/devices')}, so nothing holds new USB devices back`, done);
      const { current, notes } = await this.rememberDefaults(hubs);
      const errors: string[] = [];
      for (const hub of hubs) {
        for (const attribute of DEFAULT_ATTRIBUTES) {
          const file = rootHubFile(this.sysfsRoot, hub, attribute);
          const was = current[hub]?.[attribute];
          if (was === undefined && attribute === 'authorized_default') errors.push(`${file} is missing, so new devices on ${hub} are not held back`);
          else if (was === undefined) notes.push(this.noInterfaceAuthorization(hub, file));
          else await this.write(done, { file, value: '0', mode: 'replace', note: `was ${was}` }).catch((error: unknown) => errors.push(expectedFailure(error)));
        }
      }
      if (errors.length > 0) return fail([...errors, ...notes].join('; '), done);
      return ok([`new USB devices now wait for a decision: ${done.join('; ')}`, ...notes]);
    } catch (error) {
      return fail(expectedFailure(error), done);
    }
  }

  /**
   * Reads the values there now and saves what to remember, before anything is written. A
   * damaged or unwritable state file only affects restoring, so it is a note, not a failure.
   */
  private async rememberDefaults(hubs: readonly string[]): Promise<{ current: RememberedDefaults; notes: string[] }> {
    const { remembered, problem } = await loadRememberedDefaults(this.stateFile);
    const problems = problem === undefined ? [] : [`${problem}, so values an earlier run found are not known`];
    const current: RememberedDefaults = {};
    const next: RememberedDefaults = { ...remembered };
    for (const hub of hubs) {
      current[hub] = {};
      next[hub] = {};
      for (const attribute of DEFAULT_ATTRIBUTES) {
        const value = await readSysfsValue(rootHubFile(this.sysfsRoot, hub, attribute));
        current[hub][attribute] = value;
        const keep = valueToRemember(remembered[hub]?.[attribute], value, problem !== undefined);
        if (keep !== undefined) next[hub][attribute] = keep;
      }
    }
    const saveError = await saveRememberedDefaults(this.stateFile, next).then(() => undefined, (error: unknown) => String(error));
    if (saveError !== undefined) problems.push(`cannot save ${this.stateFile} (${saveError}), so restoring the defaults will write 1`);
    for (const text of problems) this.logger.warn('kernel defaults state file', { problem: text });
    return { current, notes: saveError === undefined ? [...problems, `previous values kept in ${this.stateFile}`] : problems };
  }

  private noInterfaceAuthorization(hub: string, file: string): string {
    const note =
      `${file} is missing (Linux before 4.4): interfaces of a device authorised on ${hub} bind at once, so per-interface protection ` +
      'relies on de-authorising blocked interfaces after the fact, and a device whose interfaces cannot be de-authorised is blocked whole';
    this.logger.warn('no interface authorisation default; falling back', { hub, file });
    return note;
  }

  async apply(device: Device, plan: EnforcementPlan): Promise<EnforcementResult> {
    const done: string[] = [];
    try {
      const dir = deviceDirectory(this.sysfsRoot, device);
      await this.write(done, deviceWrite(dir, plan.target));
      return plan.target === 'allow' && device.interfaces.length > 0 ? await this.enforceInterfaces(dir, plan, done) : ok(done);
    } catch (error) {
      return fail(expectedFailure(error), done);
    }
  }

  /** After the device is authorised: each interface as the plan wants it, or the whole device blocked again if that cannot be done. */
  private async enforceInterfaces(dir: string, plan: EnforcementPlan, done: string[]): Promise<EnforcementResult> {
    try {
      const interfaces = await waitForInterfaces(dir, this.wait);
      if (interfaces.length === 0) return await this.failClosed(dir, plan, done, `no interface of ${path.basename(dir)} appeared within ${this.timeoutMs} ms of authorising it`);
      const { writes, unenforceable, leftBlocked } = interfaceWrites(interfaces, plan.blockedInterfaces, path.join(this.sysfsRoot, 'bus/usb/drivers_probe'));
      const [first] = unenforceable;
      if (first) {
        const which = unenforceable.map((i) => `${i.name} (${interfaceTypeText(i.type)})`).join(', ');
        return await this.failClosed(dir, plan, done, `${which} must not get a driver, but this kernel has no ${path.join(first.dir, 'authorized')} (Linux before 4.4 cannot authorise interfaces one by one)`);
      }
      for (const write of writes) await this.write(done, write);
      return ok([...done, ...leftBlocked.map((i) => `${i.name} (${interfaceTypeText(i.type)}) left unauthorised, so it gets no driver`)]);
    } catch (error) {
      return this.failClosed(dir, plan, done, expectedFailure(error));
    }
  }

  /** A device with interfaces that must not get a driver is not left authorised when they could not be stopped. */
  private async failClosed(dir: string, plan: EnforcementPlan, done: string[], problem: string): Promise<EnforcementResult> {
    if (plan.blockedInterfaces.length === 0) return fail(problem, done);
    this.logger.warn('blocking a whole device whose interfaces could not be enforced', { device: dir, problem });
    try {
      await this.write(done, { ...deviceWrite(dir, 'block'), note: 'the whole device blocked again' });
      return fail(`${problem}, so the whole device was blocked again`, done);
    } catch (error) {
      return fail(`${problem}, and blocking the whole device failed too: ${expectedFailure(error)}`, done);
    }
  }

  /**
   * Writes back the values `prepare` found (1, the kernel's usual default, where none is
   * known) on every root hub, and forgets them. Devices and interfaces blocked now stay
   * blocked until they are unplugged and plugged in again: uninstalling does not hand a driver
   * to a device SLT refused.
   */
  async restoreDefaults(): Promise<EnforcementResult> {
    const done: string[] = [];
    try {
      const hubs = await listRootHubs(this.sysfsRoot);
      const { remembered, problem } = await loadRememberedDefaults(this.stateFile);
      const errors: string[] = [];
      for (const hub of hubs) {
        for (const attribute of DEFAULT_ATTRIBUTES) {
          const file = rootHubFile(this.sysfsRoot, hub, attribute);
          if ((await readSysfsValue(file)) === undefined) {
            if (attribute === 'authorized_default') errors.push(`${file} is missing`);
            continue;
          }
          const value = remembered[hub]?.[attribute];
          const note = value === undefined ? "not remembered: the kernel's usual value" : 'as before Portcullis';
          await this.write(done, { file, value: value ?? '1', mode: 'replace', note }).catch((error: unknown) => errors.push(expectedFailure(error)));
        }
      }
      if (errors.length > 0) return fail(errors.join('; '), done);
      const notes = problem === undefined ? [] : [`${problem}, so it was not used`];
      await forgetRememberedDefaults(this.stateFile).catch((error: unknown) => notes.push(`${this.stateFile} could not be removed (${String(error)})`));
      const restored = done.length === 0 ? 'no USB root hub present, so no kernel default to restore' : `kernel defaults restored: ${done.join('; ')}`;
      return ok([restored, 'devices and interfaces blocked now stay blocked until they are unplugged and plugged in again', ...notes]);
    } catch (error) {
      return fail(expectedFailure(error), done);
    }
  }

  private async write(done: string[], write: SysfsWrite): Promise<void> {
    await writeSysfs(write);
    done.push(describeDone(write));
  }
}
