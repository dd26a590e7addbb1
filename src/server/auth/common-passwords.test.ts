import { join } from 'node:path';
import { isCommonPassword, loadCommonPasswords, lookupForms, parseCommonPasswords } from './common-passwords';
import { COMMON_PASSWORDS_TEXT } from './common-passwords-list';

const FIXTURE = join(__dirname, '../../../test/fixtures/passwords/small-list.txt');

describe('the bundled common-password list', () => {
  const list = loadCommonPasswords();

  it('is loaded once and shared', () => {
    expect(loadCommonPasswords()).toBe(list);
  });

  it('holds the usual suspects and the school words added here', () => {
    for (const entry of ['password', 'qwerty', 'letmein', 'welcome', 'football', 'iloveyou', 'admin', 'school', 'teacher', 'pupil', 'headteacher', 'september', 'summer', 'monday', 'abcdefgh', 'p@ssw0rd']) {
      expect(list.has(entry)).toBe(true);
    }
    expect(list.size).toBeGreaterThan(10_000);
  });

  it('is compact, lower case, without blanks or comments in the set', () => {
    expect(Buffer.byteLength(COMMON_PASSWORDS_TEXT)).toBeLessThan(128 * 1024);
    for (const entry of list) {
      expect(entry).toBe(entry.toLowerCase());
      expect(entry).not.toMatch(/^#|\s/);
    }
  });
});

describe('parseCommonPasswords and loadCommonPasswords', () => {
  it('skips comments and blank lines, trims and lower-cases', () => {
    expect([...loadCommonPasswords(FIXTURE)]).toEqual(['sunshine', 'dragon', 'portcullis']);
    expect([...parseCommonPasswords('A\r\nb\n\n#c\n')]).toEqual(['a', 'b']);
  });

  it('names a missing file', () => {
    expect(() => loadCommonPasswords('/nonexistent/list.txt')).toThrow(/cannot read the common-password list \/nonexistent\/list.txt/);
  });
});

describe('lookupForms', () => {
  it('removes capitals, years, digits and symbols at either end, and look-alikes', () => {
    expect(lookupForms('P@ssw0rd2026!')).toContain('password');
    expect(lookupForms('!!1999Summer')).toContain('summer');
    expect(lookupForms('L3tme1n!')).toContain('letmein');
    expect(lookupForms('Hell0')).toContain('hello');
    expect(lookupForms('$ch00l#1')).toContain('school');
    expect(lookupForms('#1$chool')).toContain('school');
    expect(lookupForms('12345678$chool!!!!!!!!')).toContain('school');
    expect(lookupForms('Hell0!!!!!!!!')).toContain('hello');
    expect(lookupForms('4dmin!')).toContain('admin');
    expect(lookupForms('1234')).not.toContain('');
  });

  it('stays small for the longest password', () => {
    expect(lookupForms(`${'1'.repeat(63)}ab${'!'.repeat(63)}`).size).toBeLessThanOrEqual(36 * 3);
  });

  it('finds decorated list entries and nothing else', () => {
    const list = parseCommonPasswords('password\nsummer');
    expect(isCommonPassword('Pa$$w0rd99!', list)).toBe(true);
    expect(isCommonPassword('SUMMER2030', list)).toBe(true);
    expect(isCommonPassword('Summerhouse7!', list)).toBe(false);
  });
});
