import { interfaceWords, networkWarning, placeholderSerialWarning } from './interface-words';

const iface = (classCode: number, subclass: number, protocol: number) => ({ classCode, subclass, protocol });

describe('interfaceWords', () => {
  it('names common triples, then classes, and vendor-specific ones only for their vendor', () => {
    expect(interfaceWords('08:06:50')).toBe('USB storage');
    expect(interfaceWords('08:02:50')).toBe('storage');
    expect(interfaceWords('01:01:00')).toBe('audio');
    expect(interfaceWords('ff:fd:01', '05AC')).toBe('Apple USB tethering');
    expect(interfaceWords('ff:fd:01', '0781')).toBe('vendor-specific');
    expect(interfaceWords('42:00:00')).toBe('unknown class');
  });
});

describe('networkWarning', () => {
  it('warns about tethering interfaces on anything but a network adapter', () => {
    expect(networkWarning([iface(0xff, 0xff, 0), iface(0x02, 0x0d, 0)], '18d1', 'phone or camera')).toMatch(/^this phone or camera can also act as a network adapter/);
    expect(networkWarning([iface(0xef, 0x04, 0x01)], '0781', 'USB storage device')).toMatch(/^this USB storage device can also/);
    expect(networkWarning([iface(0x02, 0x06, 0)], '0bda', 'network adapter')).toBeUndefined();
    expect(networkWarning([iface(0x02, 0x02, 0x01)], '2341', 'serial adapter')).toBeUndefined();
    expect(networkWarning([iface(0xff, 0xfd, 0x01)], '0781', 'USB storage device')).toBeUndefined();
  });
});

describe('placeholderSerialWarning', () => {
  it.each(['000000000000', 'AAAAAAAA', '0123456789ABCDEF', '0123456789abcdef', '00000001', '12345678'])('warns about %s', (serial) => {
    expect(placeholderSerialWarning(serial)).toMatch(/looks like a placeholder many devices share/);
  });

  it('warns about a serial too short to tell devices apart, and says nothing about a real one or none', () => {
    expect(placeholderSerialWarning('1')).toMatch(/is too short to tell devices apart/);
    expect(placeholderSerialWarning('4C530001230317116462')).toBeUndefined();
    expect(placeholderSerialWarning('')).toBeUndefined();
  });
});
