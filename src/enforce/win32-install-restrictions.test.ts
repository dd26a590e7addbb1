import { fixtureText, recordedRunner } from '../../test/support/recorded-command-runner';
import {
  ALWAYS_ALLOWED_IDS,
  RESTRICTIONS_KEY,
  compileInstallRestrictions,
  removeInstallRestrictions,
  restrictionsCommands,
  writeInstallRestrictions,
  type InstallAllowlist,
} from './win32-install-restrictions';

const KEY = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DeviceInstall\\Restrictions';
const ALLOWLIST: InstallAllowlist = {
  models: [{ vendor: '0781', product: '5567' }],
  devices: [{ vendor: '0951', product: '1666', serial: 'E0D55E000000000000000001' }],
};
const MISSING = { exitCode: 1, stderr: fixtureText('win32', 'reg-delete-missing.txt') };
const ADDED = { stdout: fixtureText('win32', 'reg-add-success.txt') };

const functions = (model: string) => Array.from({ length: 8 }, (_, n) => `${model}&MI_0${n}`);

describe('compileInstallRestrictions', () => {
  test('turns the allowlist into the documented value names under the Restrictions key', () => {
    const [main, deny, allowIds, allowInstances, ...rest] = compileInstallRestrictions(ALLOWLIST);
    expect(rest).toEqual([]);
    expect(RESTRICTIONS_KEY).toBe(KEY);
    expect(main).toEqual({
      key: KEY,
      values: [
        { name: 'AllowDenyLayered', type: 'REG_DWORD', data: 1 },
        { name: 'DenyDeviceClasses', type: 'REG_DWORD', data: 1 },
        { name: 'DenyDeviceClassesRetroactive', type: 'REG_DWORD', data: 0 },
        { name: 'AllowDeviceIDs', type: 'REG_DWORD', data: 1 },
        { name: 'AllowInstanceIDs', type: 'REG_DWORD', data: 1 },
      ],
    });
    expect(deny).toEqual({
      key: `${KEY}\\DenyDeviceClasses`,
      values: [
        { name: '1', type: 'REG_SZ', data: '{36fc9e60-c465-11cf-8056-444553540000}' },
        { name: '2', type: 'REG_SZ', data: '{88bae032-5a81-49f0-bc3d-a4ff138216d6}' },
        { name: '3', type: 'REG_SZ', data: '{eec5ad98-8080-425f-922a-dabf3de3f69a}' },
      ],
    });
    expect(allowIds?.key).toBe(`${KEY}\\AllowDeviceIDs`);
    expect(allowIds?.values.map((v) => v.data)).toEqual([
      ...ALWAYS_ALLOWED_IDS,
      'USB\\VID_0781&PID_5567',
      ...functions('USB\\VID_0781&PID_5567'),
      ...functions('USB\\VID_0951&PID_1666'),
    ]);
    expect(allowIds?.values.map((v) => v.name).slice(0, 3)).toEqual(['1', '2', '3']);
    expect(allowInstances).toEqual({ key: `${KEY}\\AllowInstanceIDs`, values: [{ name: '1', type: 'REG_SZ', data: 'USB\\VID_0951&PID_1666\\E0D55E000000000000000001' }] });
  });

  test('keeps host controllers, hubs and composite parents installable even with nothing approved', () => {
    const [main, , allowIds, allowInstances] = compileInstallRestrictions({ models: [], devices: [] });
    expect(allowIds?.values.map((v) => v.data)).toEqual(['PCI\\CC_0C03', 'PCI\\CC_0C0330', 'PNP0CA1', 'PNP0CA1&HOST', 'USB\\ROOT_HUB20', 'USB\\ROOT_HUB30', 'USB\\USB20_HUB', 'USB\\Class_09', 'USB\\COMPOSITE', 'WPDBUSENUM\\FS']);
    expect(allowInstances?.values).toEqual([]);
    expect(main?.values.find((v) => v.name === 'AllowInstanceIDs')?.data).toBe(0);
  });

  test('lists an id once however often it is approved; hex is upper-cased as Windows prints it', () => {
    const [, , allowIds] = compileInstallRestrictions({ models: [{ vendor: 'abcd', product: '00ef' }, { vendor: 'ABCD', product: '00EF' }], devices: [] });
    expect(allowIds?.values.filter((v) => v.data === 'USB\\VID_ABCD&PID_00EF')).toHaveLength(1);
  });

  test('refuses an id that is not four hex digits', () => {
    expect(() => compileInstallRestrictions({ models: [{ vendor: '781', product: '5567' }], devices: [] })).toThrow('vendor id "781" is not four hex digits');
  });
});

describe('restrictionsCommands', () => {
  test('clears the three lists, then adds every value with reg.exe add ... /f', () => {
    const commands = restrictionsCommands(compileInstallRestrictions(ALLOWLIST));
    expect(commands.slice(0, 4)).toEqual([
      ['delete', `${KEY}\\DenyDeviceClasses`, '/f'],
      ['delete', `${KEY}\\AllowDeviceIDs`, '/f'],
      ['delete', `${KEY}\\AllowInstanceIDs`, '/f'],
      ['add', KEY, '/v', 'AllowDenyLayered', '/t', 'REG_DWORD', '/d', '1', '/f'],
    ]);
    expect(commands).toContainEqual(['add', `${KEY}\\AllowInstanceIDs`, '/v', '1', '/t', 'REG_SZ', '/d', 'USB\\VID_0951&PID_1666\\E0D55E000000000000000001', '/f']);
    expect(commands).toHaveLength(3 + 5 + 3 + 27 + 1);
  });
});

describe('writeInstallRestrictions and removeInstallRestrictions', () => {
  test('run reg.exe; deleting lists that do not exist yet is fine', async () => {
    const { run, calls } = recordedRunner((call) => (call.args[0] === 'delete' ? MISSING : ADDED));
    const result = await writeInstallRestrictions(run, compileInstallRestrictions(ALLOWLIST));
    expect(result).toEqual({ ok: true, detail: `Device Installation Restrictions written to ${KEY}: 3 DenyDeviceClasses, 27 AllowDeviceIDs, 1 AllowInstanceIDs` });
    expect(calls.every((c) => c.program === 'reg.exe')).toBe(true);
    expect(calls).toHaveLength(39);
  });

  test('stop at the first refusal and say that the agent needs SYSTEM rights', async () => {
    const { run, calls } = recordedRunner((call) => (call.args[0] === 'delete' ? MISSING : { exitCode: 1, stderr: fixtureText('win32', 'reg-access-denied.txt') }));
    const result = await writeInstallRestrictions(run, compileInstallRestrictions(ALLOWLIST));
    expect(result).toEqual({ ok: false, error: `reg add ${KEY} failed (exit 1): ERROR: Access is denied. (the agent must run as SYSTEM or an administrator)` });
    expect(calls).toHaveLength(4);
  });

  test('removal deletes the lists and the switch values Portcullis wrote, and nothing else', async () => {
    const { run, calls } = recordedRunner((_call, i) => (i % 2 === 0 ? MISSING : ADDED));
    expect(await removeInstallRestrictions(run)).toEqual({ ok: true, detail: `Portcullis's Device Installation Restrictions removed from ${KEY}` });
    expect(calls.map((c) => c.args)).toEqual([
      ['delete', `${KEY}\\DenyDeviceClasses`, '/f'],
      ['delete', `${KEY}\\AllowDeviceIDs`, '/f'],
      ['delete', `${KEY}\\AllowInstanceIDs`, '/f'],
      ['delete', KEY, '/v', 'AllowDenyLayered', '/f'],
      ['delete', KEY, '/v', 'DenyDeviceClasses', '/f'],
      ['delete', KEY, '/v', 'DenyDeviceClassesRetroactive', '/f'],
      ['delete', KEY, '/v', 'AllowDeviceIDs', '/f'],
      ['delete', KEY, '/v', 'AllowInstanceIDs', '/f'],
    ]);
  });

  test('a delete that fails for another reason than absence is a failure', async () => {
    const { run } = recordedRunner(() => ({ exitCode: 1, stderr: fixtureText('win32', 'reg-access-denied.txt') }));
    expect(await removeInstallRestrictions(run)).toEqual({ ok: false, error: `reg delete ${KEY}\\DenyDeviceClasses failed (exit 1): ERROR: Access is denied. (the agent must run as SYSTEM or an administrator)` });
  });
});
