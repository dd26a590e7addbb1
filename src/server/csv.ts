/** CSV as RFC 4180 writes it (CRLF line ends, quoted fields), safe to open in a spreadsheet: no cell can start a formula. */

/** A leading character that makes Excel, LibreOffice or Sheets read a cell as a formula (OWASP's list: = + - @, tab, carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as text a spreadsheet shows as it is: a would-be formula gets a leading apostrophe. */
export function safeCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One field: quoted when it holds a comma, a quote, CR or LF (quotes doubled), after safeCell. */
export function csvField(value: string | number | null | undefined): string {
  const text = safeCell(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The document: a header line, then one line per row, each ended with CRLF. It starts with a
 * UTF-8 byte order mark, without which Excel reads the file as the PC's legacy code page and
 * garbles names with accents.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return `\uFEFF${[header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('')}`;
}
