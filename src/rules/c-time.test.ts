/** Unit tests of the glibc strptime/localtime_r model behind localtime(...) and rule-applied(...). */
import { strptime, type TimeOfDay } from './c-time';

function parsed(text: string, format: '%H:%M:%s' | '%H:%M' | '%s'): TimeOfDay | undefined {
  const tm: TimeOfDay = { hour: 0, min: 0, sec: 0 };
  return strptime(text, format, tm) ? tm : undefined;
}

describe('strptime', () => {
  it('reads %H:%M with optional leading white space before each number and ignores what follows', () => {
    expect(parsed('10:30', '%H:%M')).toEqual({ hour: 10, min: 30, sec: 0 });
    expect(parsed(' 1:\t2', '%H:%M')).toEqual({ hour: 1, min: 2, sec: 0 });
    expect(parsed('10:00abc', '%H:%M')).toEqual({ hour: 10, min: 0, sec: 0 });
    expect(parsed('1 :2', '%H:%M')).toBeUndefined();
  });

  it('stops a number once another digit would pass the maximum, as get_number does', () => {
    expect(parsed('10:60', '%H:%M')).toEqual({ hour: 10, min: 6, sec: 0 });
    expect(parsed('24:00', '%H:%M')).toBeUndefined();
    expect(parsed('123:00', '%H:%M')).toBeUndefined();
  });

  it('reads %s as seconds since the epoch, in local time', () => {
    const local = new Date(3600 * 1000);
    expect(parsed('10:00:3600', '%H:%M:%s')).toEqual({ hour: local.getHours(), min: local.getMinutes(), sec: local.getSeconds() });
    expect(parsed(' 5', '%s')).toBeUndefined();
  });

  it('fails %s when the year does not fit an int, leaving the time of day written', () => {
    expect(parsed('67768036191676799', '%s')).toBeDefined();
    const tm: TimeOfDay = { hour: 0, min: 0, sec: 0 };
    expect(strptime('99999999999999999', '%s', tm)).toBe(false);
    expect(tm.sec).toBe(39);
  });
});
