import { csvField, safeCell, toCsv } from './csv';

describe('CSV', () => {
  it('quotes only what needs it, doubling quotes, and ends every record with CRLF after a byte order mark', () => {
    expect(toCsv(['a', 'b'], [['plain', 'with, comma'], ['say "hi"', 'two\nlines'], [3, null]])).toBe('\uFEFFa,b\r\nplain,"with, comma"\r\n"say ""hi""","two\nlines"\r\n3,\r\n');
  });

  it('makes a cell that would start a formula start with an apostrophe instead', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(safeCell(text)).toBe(`'${text}`);
    expect(safeCell('a=1')).toBe('a=1');
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe('"\'=HYPERLINK(""http://evil.example"",""x"")"');
  });
});
