import { encryptedStorageModel } from './encrypted-storage-models';

describe('encryptedStorageModel', () => {
  it.each([
    ['Kingston', 'IronKey Keypad 200', 'Kingston IronKey'],
    ['IronKey', 'Secure Drive', 'Kingston IronKey'],
    ['Kingston', 'DataTraveler Vault Privacy 3.0', 'Kingston DataTraveler Vault Privacy'],
    ['Kingston', 'DT4000G2', undefined],
    ['Kingston', 'DataTraveler 2000', 'Kingston DataTraveler Vault Privacy'],
    ['Apricorn', 'Aegis Secure Key 3NX', 'Apricorn Aegis Secure Key'],
    ['Apricorn', 'Secure Key 3.0', 'Apricorn Aegis Secure Key'],
    ['iStorage', 'datAshur PRO2', 'iStorage datAshur'],
    ['SanDisk', 'Cruzer Blade', undefined],
    ['Kingston', 'DataTraveler 3.0', undefined],
    ['', 'Secure Key', undefined],
  ])('%s %s → %s', (manufacturer, name, family) => {
    expect(encryptedStorageModel({ manufacturer, name })?.family).toBe(family);
  });
});
