/**
 * iCalendar value types the mapper needs (RFC 5545 3.3): DATE, DATE-TIME (UTC, floating or with
 * a TZID), DURATION, UTC-OFFSET, and RRULE (3.3.10) as a plain record. Parsers return undefined
 * on malformed input; the caller turns that into a finding.
 */
import type { DateTimeParts } from '../tz/time.ts';

export interface ICalTime {
  parts: DateTimeParts;
  /** VALUE=DATE (no time part). */
  date: boolean;
  /** Ends in Z. */
  utc: boolean;
  tzid?: string;
}

export function parseDateTime(value: string, tzid?: string): ICalTime | undefined {
  const m = /^\s*(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2})?(?:\.\d+)?(Z)?)?\s*$/i.exec(value);
  if (!m) return undefined;
  const parts = { y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: m[4] ? +m[4] : 0, mi: m[5] ? +m[5] : 0, s: m[6] ? +m[6] : 0 };
  if (parts.mo < 1 || parts.mo > 12 || parts.d < 1 || parts.d > 31 || parts.h > 24 || parts.mi > 59 || parts.s > 60) return undefined;
  if (parts.y < 1601 || parts.y > 30827) return undefined;
  const date = m[4] === undefined;
  const utc = !!m[7];
  return { parts, date, utc, tzid: utc || date ? (date ? tzid : undefined) : tzid };
}

/** RFC 5545 3.3.6 DURATION in seconds (signed); undefined if malformed. */
export function parseDuration(value: string): number | undefined {
  const m = /^\s*([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?\s*$/i.exec(value);
  if (!m || !/\d/.test(value)) return undefined;
  const s = (+(m[2] ?? 0) * 7 + +(m[3] ?? 0)) * 86400 + +(m[4] ?? 0) * 3600 + +(m[5] ?? 0) * 60 + +(m[6] ?? 0);
  return m[1] === '-' ? -s : s;
}

/** RFC 5545 3.3.14 UTC-OFFSET in minutes east. */
export function parseUtcOffset(value: string): number | undefined {
  const m = /^\s*([+-])(\d{2})(\d{2})(\d{2})?\s*$/.exec(value);
  if (!m) return undefined;
  const v = +m[2]! * 60 + +m[3]!;
  return m[1] === '-' ? -v : v;
}

export const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

export interface ByDay {
  n: number;
  wd: number;
}

export interface RRule {
  freq: string;
  interval: number;
  count?: number;
  until?: ICalTime;
  byday: ByDay[];
  bymonthday: number[];
  bymonth: number[];
  bysetpos: number[];
  wkst?: number;
  /** Other BYxxx parts present (BYYEARDAY, BYWEEKNO, BYHOUR, …) with their raw values. */
  other: Record<string, string>;
}

const intList = (s: string) => s.split(',').map((x) => parseInt(x, 10)).filter((x) => Number.isFinite(x));

export function parseRRule(value: string): RRule | undefined {
  const r: RRule = { freq: '', interval: 1, byday: [], bymonthday: [], bymonth: [], bysetpos: [], other: {} };
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim().toUpperCase();
    const v = part.slice(eq + 1).trim();
    switch (k) {
      case 'FREQ':
        r.freq = v.toUpperCase();
        break;
      case 'INTERVAL':
        r.interval = Math.max(1, parseInt(v, 10) || 1);
        break;
      case 'COUNT':
        r.count = parseInt(v, 10);
        if (!(r.count! >= 0)) return undefined;
        break;
      case 'UNTIL':
        r.until = parseDateTime(v);
        if (!r.until) return undefined;
        break;
      case 'BYDAY':
        for (const d of v.toUpperCase().split(',')) {
          const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(d.trim());
          if (!m) return undefined;
          r.byday.push({ n: m[1] ? parseInt(m[1], 10) : 0, wd: WEEKDAYS.indexOf(m[2]!) });
        }
        break;
      case 'BYMONTHDAY':
        r.bymonthday = intList(v);
        break;
      case 'BYMONTH':
        r.bymonth = intList(v);
        break;
      case 'BYSETPOS':
        r.bysetpos = intList(v);
        break;
      case 'WKST': {
        const i = WEEKDAYS.indexOf(v.toUpperCase());
        if (i >= 0) r.wkst = i;
        break;
      }
      default:
        r.other[k] = v;
    }
  }
  return r.freq ? r : undefined;
}
