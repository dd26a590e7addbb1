/** How integers come back from either engine: a `number` while exact, a `bigint` beyond Number.MAX_SAFE_INTEGER, never a rounded number. */

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

/** `value` as a number when that is exact, else as it is. */
export function exactInteger(value: bigint): number | bigint {
  return value >= MIN && value <= MAX ? Number(value) : value;
}

/** An integer's decimal text (PostgreSQL's BIGINT, or an integral NUMERIC) as a number when exact, else a bigint. */
export function integerFromText(text: string): number | bigint {
  return exactInteger(BigInt(text));
}

/** A NUMERIC's text: integral ones as `integerFromText`; fractional ones as a number, as SQLite gives a REAL. */
export function numericFromText(text: string): number | bigint {
  return /^-?[0-9]+$/.test(text) ? integerFromText(text) : Number(text);
}

/** A row read with SQLite's safe integers (every integer a bigint), its integers made exact numbers where they fit. */
export function withExactIntegers<Row extends object>(row: Row): Row {
  const record = row as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'bigint') record[key] = exactInteger(value);
  }
  return row;
}
