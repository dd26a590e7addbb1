/** What USBGuard refuses in the parameters of localtime(...), random(...) and rule-applied/rule-evaluated(...). */
import { stodAccepts } from './c-number';
import { strptime, type TimeOfDay } from './c-time';
import type { ConditionKind } from './rule';
import { assertNever } from '../util/assert-never';

const TIME_INTERVAL = 'expected a time interval such as 10:00-12:00';

/** LocaltimeCondition::stringToDaytime: seconds since midnight, or undefined when strptime refuses. */
function daytime(text: string): number | undefined {
  const tm: TimeOfDay = { hour: 0, min: 0, sec: 0 };
  if (!strptime(text, '%H:%M:%s', tm) && !strptime(text, '%H:%M', tm)) return undefined;
  return tm.sec + 60 * tm.min + 3600 * tm.hour;
}

/** localtime(BEGIN[-END]) in seconds since midnight, or undefined when USBGuard refuses either time. */
export function localtimeRange(range: string): { begin: number; end: number } | undefined {
  const dash = range.indexOf('-');
  const begin = daytime(dash < 0 ? range : range.slice(0, dash));
  const endText = dash < 0 ? '' : range.slice(dash + 1);
  const end = endText === '' ? begin : daytime(endText);
  return begin === undefined || end === undefined ? undefined : { begin, end };
}

/** localtime(BEGIN[-END]): the problem with `range`, or undefined when USBGuard accepts it. */
function localtimeProblem(range: string): string | undefined {
  const parsed = localtimeRange(range);
  if (parsed === undefined) return TIME_INTERVAL;
  if (parsed.begin > parsed.end) return `${TIME_INTERVAL}, whose start is not after its end`;
  return undefined;
}

/** rule-applied(...) and rule-evaluated(...) in seconds (0 for none): HH:MM, HH:MM:SS or seconds, as stringToSeconds reads them. */
export function elapsedSeconds(text: string): number | undefined {
  if (text === '') return 0;
  const tm: TimeOfDay = { hour: 0, min: 0, sec: 0 };
  if (strptime(text, '%H:%M:%s', tm) || strptime(text, '%H:%M', tm) || strptime(text, '%s', tm)) return tm.sec + 60 * tm.min + 3600 * tm.hour;
  return undefined;
}

function elapsedTimeProblem(text: string): string | undefined {
  return elapsedSeconds(text) === undefined ? 'expected a time such as 00:30 (HH:MM), 00:30:15 or a number of seconds such as 90' : undefined;
}

/** random(...): the probability must be a number std::stod accepts. */
function probabilityProblem(text: string): string | undefined {
  return stodAccepts(text) ? undefined : 'expected a probability such as 0.5';
}

/**
 * What USBGuard's condition classes refuse in `parameter` (undefined when there were no
 * parentheses), or undefined when they accept it. `checkQuery` vets an allowed-matches query
 * (it throws what it finds).
 */
export function conditionParameterProblem(kind: ConditionKind, parameter: string | undefined, checkQuery: (query: string) => void): string | undefined {
  switch (kind) {
    case 'true':
    case 'false':
      return undefined;
    case 'localtime':
      return parameter === undefined ? 'expected a time interval in parentheses, such as localtime(10:00-12:00)' : localtimeProblem(parameter);
    case 'rule-applied':
    case 'rule-evaluated':
      return elapsedTimeProblem(parameter ?? '');
    case 'random':
      return parameter === undefined ? undefined : probabilityProblem(parameter);
    case 'allowed-matches':
      if (parameter === undefined) return 'expected a device pattern in parentheses, such as allowed-matches(name "USB Disk")';
      checkQuery(parameter);
      return undefined;
    default:
      return assertNever(kind);
  }
}
