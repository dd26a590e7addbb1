/** The hardware-encrypted USB stick models an "encrypted only" approval accepts, recognised by the maker and name a device reports. */

/**
 * A short list, kept by hand. Each line is a family of sticks that encrypt in hardware
 * (AES-256 in the device, a PIN or password before the drive appears), as described on
 * the makers' product pages (kingston.com "IronKey" and "DataTraveler Vault Privacy"; apricorn.com
 * "Aegis Secure Key"; istorage-uk.com "datAshur"). Add a family only from its maker's own
 * documentation, and keep the pattern to the product name the device reports.
 *
 * What this is not: proof. The maker and name are strings the device sends about itself,
 * and a device can send any strings. The check records that the approver asked for an
 * encrypted model and that the device claims to be one; the rule it produces also pins the
 * reported name, so the approval covers no other model.
 */
export interface EncryptedStorageModel {
  /** For people: "Kingston IronKey". */
  family: string;
  /** Tested against `"<manufacturer> <name>"` as the device reports them. */
  pattern: RegExp;
}

export const ENCRYPTED_STORAGE_MODELS: readonly EncryptedStorageModel[] = [
  /** Kingston IronKey (Keypad 200, Vault Privacy 50, S1000, D300; older IronKey Inc. and Imation sticks). */
  { family: 'Kingston IronKey', pattern: /\bironkey\b/i },
  /** Kingston DataTraveler Vault Privacy (DTVP 3.0, and the DataTraveler 2000 / 4000 keypad and FIPS sticks). */
  { family: 'Kingston DataTraveler Vault Privacy', pattern: /\bdatatraveler\s*(vault\s*privacy|2000|4000)|\bdtvp/i },
  /** Apricorn Aegis Secure Key (3NX, 3Z and earlier), keypad-unlocked. */
  { family: 'Apricorn Aegis Secure Key', pattern: /\bapricorn\b.*\b(aegis|secure\s*key)|\baegis\s*secure\s*key/i },
  /** iStorage datAshur (Personal2, PRO, PRO2, SD), keypad-unlocked. */
  { family: 'iStorage datAshur', pattern: /\bdatashur/i },
];

/** The encrypted family a device claims to belong to, or undefined if it claims none on the list. */
export function encryptedStorageModel(device: { manufacturer: string; name: string }): EncryptedStorageModel | undefined {
  const text = `${device.manufacturer} ${device.name}`;
  return ENCRYPTED_STORAGE_MODELS.find((model) => model.pattern.test(text));
}

/** "Kingston IronKey, Kingston DataTraveler Vault Privacy, ...": for messages that refuse a device. */
export function encryptedFamilies(): string {
  return ENCRYPTED_STORAGE_MODELS.map((model) => model.family).join(', ');
}
