import { currentOrNextTerm, endOfCurrentTerm, localDate, parseTermDates } from './term-dates';
import { termDates2026To27 } from '../../../test/fixtures/approvals/sample-requests';

const terms = termDates2026To27();

describe('parseTermDates', () => {
  it('reads the 2026/27 fixture, in date order', () => {
    expect(terms.map((t) => t.name)).toEqual(['Autumn term 2026', 'Spring term 2027', 'Summer term 2027']);
  });

  it('sorts terms given out of order', () => {
    const parsed = parseTermDates([...terms].reverse(), 'terms.json');
    expect(parsed.ok && parsed.value.map((t) => t.start)).toEqual(['2026-09-02', '2027-01-05', '2027-04-12']);
  });

  it('accepts no terms at all', () => {
    expect(parseTermDates([], 'terms.json')).toEqual({ ok: true, value: [] });
  });

  it('names the index and field of a term that ends before it starts', () => {
    const parsed = parseTermDates([{ name: 'Autumn', start: '2026-12-18', end: '2026-09-02' }], 'terms.json');
    expect(parsed).toEqual({ ok: false, error: 'terms.json: terms[0].end: 2026-09-02 is before the term starts (2026-12-18)' });
  });

  it('names the later of two overlapping terms and the term it overlaps', () => {
    const parsed = parseTermDates(
      [
        { name: 'Spring', start: '2027-01-05', end: '2027-03-26' },
        { name: 'Autumn', start: '2026-09-02', end: '2027-01-05' },
      ],
      'terms.json',
    );
    expect(parsed).toEqual({ ok: false, error: 'terms.json: terms[0].start: 2027-01-05 overlaps terms[1] "Autumn" (2026-09-02 to 2027-01-05)' });
  });

  it('finds an overlap with a long term that is not the one just before', () => {
    const parsed = parseTermDates(
      [
        { name: 'Whole year', start: '2026-09-01', end: '2027-07-31' },
        { name: 'Autumn', start: '2026-09-02', end: '2026-12-18' },
        { name: 'Spring', start: '2027-01-05', end: '2027-03-26' },
      ],
      'terms.json',
    );
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.split('\n')).toEqual([
      'terms.json: terms[1].start: 2026-09-02 overlaps terms[0] "Whole year" (2026-09-01 to 2027-07-31)',
      'terms.json: terms[2].start: 2027-01-05 overlaps terms[0] "Whole year" (2026-09-01 to 2027-07-31)',
    ]);
  });

  it('names missing, malformed and unknown fields, one line each', () => {
    const parsed = parseTermDates([{ name: '', start: '2026-02-30', colour: 'red' }], 'terms.json');
    expect(!parsed.ok && parsed.error.split('\n').sort()).toEqual([
      'terms.json: terms[0].end: required, but missing',
      'terms.json: terms[0].name: expected the term name (e.g. "Autumn term 2026")',
      'terms.json: terms[0].start: expected an ISO 8601 date (2026-09-02)',
      'terms.json: terms[0]: unknown field "colour"',
    ]);
  });

  it('refuses something that is not a list', () => {
    expect(parseTermDates({ autumn: {} }, 'terms.json')).toEqual({ ok: false, error: 'terms.json: terms: expected an array, got an object' });
  });
});

describe('endOfCurrentTerm', () => {
  it.each([
    ['during the autumn term', '2026-11-02T10:00:00Z', '2026-12-18'],
    ['on the first day of term', '2026-09-02T07:00:00Z', '2026-12-18'],
    ['on the last day of term', '2026-12-18T15:00:00Z', '2026-12-18'],
    ['late on the last day of term, in GMT', '2026-12-18T23:30:00Z', '2026-12-18'],
    ['in the Christmas holidays', '2026-12-25T12:00:00Z', '2027-03-26'],
    ['in the Easter holidays', '2027-04-02T12:00:00Z', '2027-07-21'],
    ['during the summer term', '2027-06-01T12:00:00Z', '2027-07-21'],
    ['in the summer holidays before the year starts', '2026-08-10T12:00:00Z', '2026-12-18'],
  ])('%s', (_what, now, end) => {
    expect(endOfCurrentTerm(new Date(now), terms)).toBe(end);
  });

  it('reads the day in UK time: 23:30 UTC on the last day of summer term is already the next day (BST)', () => {
    expect(localDate(new Date('2027-07-21T23:30:00Z'))).toBe('2027-07-22');
    expect(endOfCurrentTerm(new Date('2027-07-21T23:30:00Z'), terms)).toBeUndefined();
    expect(endOfCurrentTerm(new Date('2027-07-21T23:30:00Z'), terms, 'UTC')).toBe('2027-07-21');
  });

  it('is undefined after the last known term, and with no terms', () => {
    expect(endOfCurrentTerm(new Date('2027-08-01T12:00:00Z'), terms)).toBeUndefined();
    expect(endOfCurrentTerm(new Date('2026-11-02T12:00:00Z'), [])).toBeUndefined();
  });

  it('gives the whole term to those who want its name', () => {
    expect(currentOrNextTerm(new Date('2027-02-01T12:00:00Z'), terms)).toEqual({ name: 'Spring term 2027', start: '2027-01-05', end: '2027-03-26' });
  });
});
