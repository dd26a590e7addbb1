import { valueToRemember } from './linux-usb-defaults';

describe('valueToRemember', () => {
  it.each([
    ['the first start remembers what the kernel has', undefined, '1', false, '1'],
    ['a restart keeps what was remembered over its own earlier 0', '1', '0', false, '1'],
    ['after a reboot the kernel’s fresh value replaces the remembered one', '1', '2', false, '2'],
    ['a 0 nobody remembered writing is the system’s own (usbcore.authorized_default=0)', undefined, '0', false, '0'],
    ['with the state file lost, a 0 may be an earlier run’s, so nothing is remembered', undefined, '0', true, undefined],
    ['an attribute this kernel lacks keeps what was remembered', '1', undefined, false, '1'],
  ])('%s', (_case, remembered, current, stateLost, expected) => {
    expect(valueToRemember(remembered, current, stateLost)).toBe(expected);
  });
});
