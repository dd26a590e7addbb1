import { staffEmailFrom } from './decision-mail';

describe('staffEmailFrom', () => {
  it('takes an address as it is, and makes one from a plain or domain user name only when the domain is known', () => {
    const withDomain = staffEmailFrom('school.sch.uk');
    expect(withDomain('K.Teacher@School.sch.uk')).toBe('k.teacher@school.sch.uk');
    expect(withDomain('kteacher')).toBe('kteacher@school.sch.uk');
    expect(withDomain('SCHOOL\\KTeacher')).toBe('kteacher@school.sch.uk');
    expect(withDomain('bad name, <x@evil.example>')).toBeUndefined();
    expect(staffEmailFrom(undefined)('kteacher')).toBeUndefined();
  });
});
