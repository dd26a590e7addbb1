import { fixtureText, recordedRunner, type RecordedAnswer, type RecordedCall } from '../../test/support/recorded-command-runner';
import type { Device } from '../devices/device';
import { Win32PnpSource } from '../devices/win32-pnp-source';
import type { EnforcementPlan } from './enforcer';
import type { InstallAllowlist } from './win32-install-restrictions';
import { Win32PnpEnforcer, pnputilResult } from './win32-pnp-enforcer';

const ENUMERATION = fixtureText('win32', 'pnputil-enum-connected-ids.txt');
const STICK = 'USB\\VID_0951&PID_1666\\E0D55E000000000000000001';
const PHONE = 'USB\\VID_18D1&PID_4EE1\\0A1B2C3D4E5F6071';
const BADUSB = 'USB\\VID_1A2C&PID_0B2A\\5&3a4b5c6d&0&3';
const BADUSB_KEYBOARD = 'USB\\VID_1A2C&PID_0B2A&MI_01\\6&5d6e7f80&0&0001';
const KEYBOARD: EnforcementPlan['blockedInterfaces'][number] = { classCode: 3, subclass: 1, protocol: 1 };
const plan = (target: EnforcementPlan['target'], blockedInterfaces: EnforcementPlan['blockedInterfaces'] = []): EnforcementPlan => ({ target, blockedInterfaces });

async function devicesFrom(enumeration: string): Promise<Device[]> {
  return new Win32PnpSource({ run: recordedRunner(() => ({ stdout: enumeration })).run }).listUsbDevices();
}

async function device(instanceId: string, enumeration = ENUMERATION): Promise<Device> {
  const found = (await devicesFrom(enumeration)).find((d) => d.viaPort === instanceId);
  if (!found) throw new Error(`no ${instanceId} in the fixture`);
  return found;
}

/** An enforcer whose pnputil and reg.exe answer as `answers` say; enumeration answers with `enumeration`. */
function enforcer(answers: (call: RecordedCall) => RecordedAnswer | undefined, enumeration = ENUMERATION, allowlist: InstallAllowlist = { models: [], devices: [] }) {
  const recorded = recordedRunner((call) => (call.program === 'pnputil.exe' && call.args[0] === '/enum-devices' ? { stdout: enumeration } : answers(call)));
  const current = { allowlist };
  const win32 = new Win32PnpEnforcer({ run: recorded.run, source: new Win32PnpSource({ run: recorded.run }), allowlist: () => current.allowlist });
  return { win32, calls: recorded.calls, current };
}

const pnputilCalls = (calls: readonly RecordedCall[]) => calls.filter((c) => c.program === 'pnputil.exe').map((c) => c.args);
const succeed = (): RecordedAnswer => ({ stdout: '' });

describe('pnputilResult', () => {
  test('exit 0 is done', () => {
    expect(pnputilResult('disable', STICK, { exitCode: 0, stdout: fixtureText('win32', 'pnputil-disable-success.txt'), stderr: '' })).toEqual({ ok: true, detail: `pnputil /disable-device ${STICK}: disabled` });
  });

  test('exit 3010 is done once Windows restarts', () => {
    expect(pnputilResult('enable', STICK, { exitCode: 3010, stdout: fixtureText('win32', 'pnputil-enable-success.txt'), stderr: '' })).toEqual({
      ok: true,
      detail: `pnputil /enable-device ${STICK}: enabled, takes effect after Windows restarts (exit 3010)`,
    });
  });

  test("a failure carries pnputil's reason and a hint for access denied", () => {
    expect(pnputilResult('disable', STICK, { exitCode: 5, stdout: fixtureText('win32', 'pnputil-disable-access-denied.txt'), stderr: '' })).toEqual({
      ok: false,
      error: `pnputil /disable-device ${STICK} failed (exit 5): Access is denied. (access denied: the agent must run as SYSTEM or an administrator)`,
    });
  });

  test('a published failure: a critical device cannot be disabled', () => {
    const result = pnputilResult('disable', 'ACPI\\INTC1041\\IETM', { exitCode: 1, stdout: fixtureText('win32', 'pnputil-disable-critical.txt'), stderr: '' });
    expect(result).toEqual({ ok: false, error: 'pnputil /disable-device ACPI\\INTC1041\\IETM failed (exit 1): Cannot disable critical system device.' });
  });

  test('a device that is gone, and a pnputil that cannot start, are said so', () => {
    const gone = pnputilResult('remove', PHONE, { exitCode: 0xe000020b, stdout: fixtureText('win32', 'pnputil-remove-not-present.txt'), stderr: '' });
    expect(gone).toEqual({ ok: false, error: `pnputil /remove-device ${PHONE} failed (exit 3758096907): The device instance does not exist in the hardware tree. (the device is no longer present)` });
    const missing = pnputilResult('disable', STICK, { exitCode: 127, stdout: '', stderr: 'spawn pnputil.exe ENOENT' });
    expect(missing).toEqual({ ok: false, error: `pnputil /disable-device ${STICK} failed (exit 127): spawn pnputil.exe ENOENT (pnputil could not be started; /disable-device needs Windows 10 2004 or later)` });
  });
});

describe('Win32PnpEnforcer', () => {
  test('block disables the device node by its instance ID', async () => {
    const { win32, calls } = enforcer(() => ({ stdout: fixtureText('win32', 'pnputil-disable-success.txt') }));
    expect(await win32.apply(await device(STICK), plan('block'))).toEqual({ ok: true, detail: `pnputil /disable-device ${STICK}: disabled` });
    expect(calls).toEqual([{ program: 'pnputil.exe', args: ['/disable-device', STICK] }]);
  });

  test('reject removes the device node', async () => {
    const { win32, calls } = enforcer(() => ({ stdout: fixtureText('win32', 'pnputil-remove-success.txt') }));
    expect((await win32.apply(await device(PHONE), plan('reject'))).ok).toBe(true);
    expect(calls).toEqual([{ program: 'pnputil.exe', args: ['/remove-device', PHONE] }]);
  });

  test('allow writes the install policy once, then enables the device', async () => {
    const { win32, calls } = enforcer(succeed, ENUMERATION, { models: [{ vendor: '0951', product: '1666' }], devices: [] });
    const stick = await device(STICK);
    expect(await win32.apply(stick, plan('allow'))).toEqual({ ok: true, detail: `pnputil /enable-device ${STICK}: enabled` });
    expect(calls.filter((c) => c.program === 'reg.exe')).toHaveLength(3 + 5 + 3 + 10 + 9);
    expect(calls.at(-1)).toEqual({ program: 'pnputil.exe', args: ['/enable-device', STICK] });
    calls.length = 0;
    await win32.apply(stick, plan('allow'));
    expect(calls).toEqual([{ program: 'pnputil.exe', args: ['/enable-device', STICK] }]);
  });

  test('allow writes the policy again when an approval arrived since', async () => {
    const { win32, calls, current } = enforcer(succeed);
    await win32.prepare();
    calls.length = 0;
    current.allowlist = { models: [], devices: [{ vendor: '0951', product: '1666', serial: 'E0D55E000000000000000001' }] };
    await win32.apply(await device(STICK), plan('allow'));
    expect(calls).toContainEqual({ program: 'reg.exe', args: ['add', 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DeviceInstall\\Restrictions\\AllowInstanceIDs', '/v', '1', '/t', 'REG_SZ', '/d', STICK, '/f'] });
  });

  test("allow with a withheld keyboard disables the storage stick's keyboard function only", async () => {
    const { win32, calls } = enforcer(succeed);
    const result = await win32.apply(await device(BADUSB), plan('allow', [KEYBOARD]));
    expect(result).toEqual({ ok: true, detail: `pnputil /enable-device ${BADUSB}: enabled; pnputil /disable-device ${BADUSB_KEYBOARD}: disabled` });
    expect(pnputilCalls(calls)).toEqual([
      ['/enable-device', BADUSB],
      ['/enum-devices', '/connected', '/ids'],
      ['/disable-device', BADUSB_KEYBOARD],
    ]);
  });

  test('allow without withheld interfaces enables a function that was withheld before', async () => {
    const withheld = ENUMERATION.replace(/(Instance ID: +USB\\VID_1A2C&PID_0B2A&MI_01\\[^\r\n]*\r\n(?:[^\r\n]+\r\n)*?Status: +)Started/, '$1Disabled');
    expect(withheld).not.toBe(ENUMERATION);
    const { win32, calls } = enforcer(succeed, withheld);
    await win32.apply(await device(BADUSB, withheld), plan('allow'));
    expect(pnputilCalls(calls).at(-1)).toEqual(['/enable-device', BADUSB_KEYBOARD]);
  });

  test('allow leaves the functions of a composite device that are as planned alone', async () => {
    const receiver = 'USB\\VID_046D&PID_C52B\\5&1a2b3c4d&0&2';
    const { win32, calls } = enforcer(succeed);
    await win32.apply(await device(receiver), plan('allow'));
    expect(pnputilCalls(calls)).toEqual([
      ['/enable-device', receiver],
      ['/enum-devices', '/connected', '/ids'],
    ]);
  });

  test('a failed enable is the result; nothing more is tried', async () => {
    const { win32, calls } = enforcer((call) => (call.program === 'pnputil.exe' ? { exitCode: 5, stdout: fixtureText('win32', 'pnputil-disable-access-denied.txt').replace('disable', 'enable') } : {}));
    const result = await win32.apply(await device(BADUSB), plan('allow', [KEYBOARD]));
    expect(result.ok).toBe(false);
    expect(pnputilCalls(calls)).toEqual([['/enable-device', BADUSB]]);
  });

  test('allow still enables the device when the policy cannot be written, and reports the failure', async () => {
    const { win32 } = enforcer((call) => (call.program === 'reg.exe' ? { exitCode: 1, stderr: fixtureText('win32', 'reg-access-denied.txt') } : {}));
    const result = await win32.apply(await device(STICK), plan('allow'));
    expect(result).toEqual({
      ok: false,
      error: `pnputil /enable-device ${STICK}: enabled, but the install policy was not updated: reg delete HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DeviceInstall\\Restrictions\\DenyDeviceClasses failed (exit 1): ERROR: Access is denied. (the agent must run as SYSTEM or an administrator)`,
    });
  });

  test('a device that did not come from PnP is refused without running anything', async () => {
    const { win32, calls } = enforcer(succeed);
    const linux = { ...(await device(STICK)), viaPort: '1-2.3' };
    expect(await win32.apply(linux, plan('block'))).toEqual({ ok: false, error: '"1-2.3" is not the PnP instance ID of a USB device' });
    expect(calls).toEqual([]);
  });

  test('an allowlist that cannot be compiled is a failed prepare, not an exception', async () => {
    const { win32, calls } = enforcer(succeed, ENUMERATION, { models: [{ vendor: '781', product: '5567' }], devices: [] });
    expect(await win32.prepare()).toEqual({ ok: false, error: 'install policy not written: vendor id "781" is not four hex digits' });
    expect(calls).toEqual([]);
  });

  test('prepare writes the policy; restoreDefaults removes it', async () => {
    const { win32, calls } = enforcer(succeed);
    expect((await win32.prepare()).ok).toBe(true);
    expect(calls.every((c) => c.program === 'reg.exe')).toBe(true);
    calls.length = 0;
    expect(await win32.restoreDefaults()).toEqual({ ok: true, detail: "Portcullis's Device Installation Restrictions removed from HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DeviceInstall\\Restrictions" });
    expect(calls.map((c) => c.args[0])).toEqual(Array(8).fill('delete'));
  });
});
