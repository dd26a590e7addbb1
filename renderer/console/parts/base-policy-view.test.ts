/** The idle durations of a base policy's JSON in words. */
import { durationWords } from './base-policy-view';

describe('durationWords', () => {
  it('says a duration as people do, and leaves what it does not know as it is', () => {
    expect(durationWords('5m', 'the default')).toBe('5 minutes');
    expect(durationWords('1h30m', 'the default')).toBe('1 hour 30 minutes');
    expect(durationWords('1d', 'the default')).toBe('1 day');
    expect(durationWords('never', 'the default')).toBe('never');
    expect(durationWords(undefined, 'the default')).toBe('the default');
    expect(durationWords('5 mins', 'the default')).toBe('5 mins');
  });
});
