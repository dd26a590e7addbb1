import { createHash } from 'node:crypto';
import { descriptorlessHash } from './descriptorless-hash';

describe('descriptorlessHash', () => {
  test('is SHA-256 in base64 over a domain label, vendor, product and serial separated by NUL', () => {
    const expected = createHash('sha256').update('portcullis-descriptorless-v1\x000781\x005567\x004C530000000000000001').digest('base64');
    expect(descriptorlessHash({ vendor: '0781', product: '5567', serial: '4C530000000000000001' })).toBe(expected);
  });

  test('tells devices apart by serial, and cannot be confused by shifting characters between fields', () => {
    const a = descriptorlessHash({ vendor: '0781', product: '5567', serial: 'A1' });
    expect(descriptorlessHash({ vendor: '0781', product: '5567', serial: 'A2' })).not.toBe(a);
    expect(descriptorlessHash({ vendor: '0781', product: '5567A', serial: '1' })).not.toBe(a);
    expect(descriptorlessHash({ vendor: '0781', product: '5567', serial: 'A1' })).toBe(a);
  });
});
