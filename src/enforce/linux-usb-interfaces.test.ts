import { byInterfaceNumber } from './linux-usb-interfaces';

describe('byInterfaceNumber', () => {
  it('orders interfaces by configuration, then number, counting rather than spelling', () => {
    const names = ['1-2:1.10', '1-2:2.0', '1-2:1.9', '1-2.3:1.1', '1-2:1.0'];
    expect([...names].sort(byInterfaceNumber)).toEqual(['1-2:1.0', '1-2.3:1.1', '1-2:1.9', '1-2:1.10', '1-2:2.0']);
  });
});
