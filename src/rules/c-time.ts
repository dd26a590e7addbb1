/** The slice of glibc's strptime (%H, %M, %s) and localtime_r that USBGuard's time conditions go through. */

/** The struct tm fields these formats touch. */
export interface TimeOfDay {
  hour: number;
  min: number;
  sec: number;
}

export type TimeFormat = '%H:%M:%s' | '%H:%M' | '%s';

const C_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);
const SECONDS_PER_DAY = 86_400n;
/** The largest |seconds| a JavaScript Date can hold. */
const DATE_LIMIT_SECONDS = 8_640_000_000_000n;
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/** Proleptic Gregorian year of a day counted from 1970-01-01 (H. Hinnant's civil_from_days). */
function civilYear(days: bigint): bigint {
  const z = days + 719_468n;
  const era = (z >= 0n ? z : z - 146_096n) / 146_097n;
  const dayOfEra = z - era * 146_097n;
  const yearOfEra = (dayOfEra - dayOfEra / 1_460n + dayOfEra / 36_524n - dayOfEra / 146_096n) / 365n;
  const dayOfYear = dayOfEra - (365n * yearOfEra + yearOfEra / 4n - yearOfEra / 100n);
  const month = (5n * dayOfYear + 2n) / 153n;
  return yearOfEra + era * 400n + (month >= 10n ? 1n : 0n);
}

/**
 * localtime_r: true with `tm` set to the local time of day, or false when the year does not fit
 * an int. Like glibc, a failure still leaves hour, minute and second written. Beyond what a
 * Date can hold the time is taken as UTC.
 */
function localtime(seconds: bigint, tm: TimeOfDay): boolean {
  if (seconds >= -DATE_LIMIT_SECONDS && seconds <= DATE_LIMIT_SECONDS) {
    const date = new Date(Number(seconds) * 1000);
    Object.assign(tm, { hour: date.getHours(), min: date.getMinutes(), sec: date.getSeconds() });
    return true;
  }
  const rest = ((seconds % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
  Object.assign(tm, { hour: Number(rest / 3600n), min: Number((rest % 3600n) / 60n), sec: Number(rest % 60n) });
  const tmYear = civilYear((seconds - rest) / SECONDS_PER_DAY) - 1900n;
  return tmYear >= INT_MIN && tmYear <= INT_MAX;
}

/** strptime's get_number: optional C white space, then up to two digits while the value can still grow within `max`. */
function readNumber(text: string, at: number, max: number): { value: number; end: number } | undefined {
  let i = at;
  while (C_SPACE.has(text[i] ?? '')) i++;
  if (!isDigit(text[i])) return undefined;
  let value = 0;
  let digits = 2;
  do {
    value = value * 10 + Number(text[i]);
    i++;
  } while (--digits > 0 && value * 10 <= max && isDigit(text[i]));
  return value <= max ? { value, end: i } : undefined;
}

/** %s: digits (no leading space) read into a wrapping 64-bit time_t, then localtime_r. */
function readEpochSeconds(text: string, at: number, tm: TimeOfDay): number | undefined {
  let i = at;
  while (isDigit(text[i])) i++;
  if (i === at) return undefined;
  const seconds = BigInt.asIntN(64, BigInt(text.slice(at, i)));
  return localtime(seconds, tm) ? i : undefined;
}

/** strptime(text, format, tm) != NULL. Text after the match is ignored, as strptime does. */
export function strptime(text: string, format: TimeFormat, tm: TimeOfDay): boolean {
  let at = 0;
  for (const directive of format.split(/(?=[%:])/)) {
    if (directive === ':') {
      if (text[at] !== ':') return false;
      at++;
      continue;
    }
    if (directive === '%s') {
      const end = readEpochSeconds(text, at, tm);
      if (end === undefined) return false;
      at = end;
      continue;
    }
    const number = readNumber(text, at, directive === '%H' ? 23 : 59);
    if (!number) return false;
    if (directive === '%H') tm.hour = number.value;
    else tm.min = number.value;
    at = number.end;
  }
  return true;
}
