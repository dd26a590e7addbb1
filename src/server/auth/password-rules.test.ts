import fc from 'fast-check';
import { checkPassword, MAX_PASSWORD_LENGTH, PASSWORD_PROBLEMS as P } from './password-rules';

const problemsOf = (password: string, context?: Parameters<typeof checkPassword>[1]): string[] => {
  const result = checkPassword(password, context);
  return result.ok ? [] : result.problems;
};

describe('checkPassword', () => {
  it('accepts passwords that meet the rule', () => {
    for (const password of ['Kestrel-Orbit-58', '7#vQm2LpZr', 'tidal;marrow;91', 'Ünïcödé-Ζεύς-42']) {
      expect(checkPassword(password)).toEqual({ ok: true });
    }
  });

  it('says what is missing, in sentences staff understand', () => {
    expect(problemsOf('a1!')).toEqual([P.tooShort]);
    expect(problemsOf('correcthorsebattery')).toEqual([P.noNumber, P.noSpecial]);
    expect(problemsOf('12345678!')).toEqual([P.noLetter]);
    expect(problemsOf('Kestrel58orbit')).toEqual([P.noSpecial]);
    expect(P.noSpecial).toBe('Add a special character such as ! or #.');
    expect(P.common).toBe('This password is too common: it appears in lists attackers try first.');
  });

  it('lists every problem at once', () => {
    expect(problemsOf('password')).toEqual([P.noNumber, P.noSpecial, P.common]);
    expect(problemsOf('')).toEqual([P.tooShort, P.noLetter, P.noNumber, P.noSpecial]);
  });

  it('counts characters, not bytes or UTF-16 units, after NFKC', () => {
    expect(problemsOf('🔒🔒🔒🔒🔒a1')).toEqual([P.tooShort]);
    expect(checkPassword('🔒🔒🔒🔒🔒🔒a1')).toEqual({ ok: true });
    expect(checkPassword('x'.repeat(MAX_PASSWORD_LENGTH - 2) + '1!')).toEqual({ ok: true });
    expect(problemsOf('x'.repeat(MAX_PASSWORD_LENGTH - 1) + '1!')).toEqual([P.tooLong]);
  });

  it('counts a space as a special character (passphrases)', () => {
    expect(checkPassword('tidal marrow 91')).toEqual({ ok: true });
  });

  it('refuses common passwords however they are decorated', () => {
    for (const password of ['P@ssw0rd2026!', 'Password1!', 'Summer2026!', 'Welcome1!', 'Letmein!23', '!!2026Football', 'Qwerty123!', 'School#2025', 'Teacher1!', 'September2025!', 'Abcdefgh1!', 'Il0veyou!!', 'Monkey#77']) {
      expect(problemsOf(password)).toEqual([P.common]);
    }
  });

  it("refuses the email's local part and the name, also in look-alike spelling", () => {
    const context = { email: 'j.smith@harlow.sch.uk', name: 'Jane Smith' };
    expect(problemsOf('Smith#2026x', context)).toEqual([P.personal]);
    expect(problemsOf('5m1th#2026x', context)).toEqual([P.personal]);
    expect(problemsOf('jane-Rocks-77', context)).toEqual([P.personal]);
    expect(problemsOf('xJSmith-41', { email: 'jsmith@harlow.sch.uk' })).toEqual([P.personal]);
    expect(checkPassword('Kestrel-Orbit-58', context)).toEqual({ ok: true });
  });

  it('ignores name parts too short to matter', () => {
    expect(checkPassword('Kestrel-Li-Orbit-58', { name: 'Jo Li' })).toEqual({ ok: true });
  });

  it("refuses the school's name when given", () => {
    expect(problemsOf('Harlow#Kestrel9', { extraWords: ['Harlow Fields Academy'] })).toEqual([P.guessable]);
    expect(problemsOf('kestrel_fields_9', { extraWords: ['Harlow Fields Academy'] })).toEqual([P.guessable]);
  });

  it('can check against another list', () => {
    expect(problemsOf('Kestrel-Orbit-58')).toEqual([]);
    const result = checkPassword('Kestrel-Orbit-58', {}, new Set(['kestrel-orbit']));
    expect(result).toEqual({ ok: false, problems: [P.common] });
  });

  it('property: a list base with the usual decorations is refused', () => {
    const bases = ['password', 'qwerty', 'letmein', 'welcome', 'football', 'iloveyou', 'admin', 'school', 'teacher', 'summer', 'winter', 'autumn', 'january', 'december', 'liverpool', 'monkey', 'dragon', 'sunshine'];
    const decorated = fc.record({
      base: fc.constantFrom(...bases),
      capital: fc.boolean(),
      leet: fc.subarray(['a@', 'o0', 's$', 'e3', 'i1'] as const),
      prefix: fc.constantFrom('', '!', '#1', '2024'),
      year: fc.option(fc.integer({ min: 1990, max: 2030 }).map(String), { nil: '' }),
      digits: fc.constantFrom('', '1', '12', '123', '01'),
      suffix: fc.constantFrom('', '!', '!!', '#', '?', '@'),
    });
    fc.assert(fc.property(decorated, ({ base, capital, leet, prefix, year, digits, suffix }) => {
      let word = base;
      for (const pair of leet) word = word.replaceAll(pair[0] as string, pair[1] as string);
      if (capital) word = word.charAt(0).toUpperCase() + word.slice(1);
      expect(problemsOf(`${prefix}${word}${year}${digits}${suffix}`)).toContain(P.common);
    }));
  });

  it('property: random 12 to 24 character passwords with each kind of character are accepted', () => {
    const symbol = fc.constantFrom(...'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*+-=?^_~'.split(''));
    const password = fc.tuple(fc.array(symbol, { minLength: 9, maxLength: 21 }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 })).map(([chars, places]) => {
      const out = [...chars];
      ['q', '7', '!'].forEach((required, index) => out.splice((places[index] ?? 0) % (out.length + 1), 0, required));
      return out.join('');
    });
    fc.assert(fc.property(password, (text) => {
      expect(checkPassword(text)).toEqual({ ok: true });
    }), { numRuns: 300 });
  });
});
