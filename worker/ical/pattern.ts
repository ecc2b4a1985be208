/**
 * RRULE → MAPI RecurrencePattern ([MS-OXOCAL] 2.2.1.44.1) and an instance generator over the
 * MAPI pattern. MAPI can express far less than RFC 5545, so the mapping either yields a pattern
 * Outlook understands or a reason it cannot (the gromox rejection list, §3.5 of the reference).
 * Instances are generated from the *MAPI* pattern, not the RRULE, so OccurrenceCount/EndDate
 * always agree with what Outlook will compute from the blob. All values are local minutes.
 */
import { daysFromCivil, civilFromDays, daysInMonth, weekdayOfDays } from '../tz/time.ts';
import type { RRule } from './values.ts';
import { EndType, NO_END_DATE, PatternType, RecurFrequency, type RecurrencePattern } from './recur.ts';

export interface MappedPattern {
  pattern: RecurrencePattern;
  /** PidLidRecurrenceType: 1 daily, 2 weekly, 3 monthly, 4 yearly. */
  recurrenceType: number;
  /** Local midnight minute of the last instance (or NO_END_DATE). */
  lastDay: number;
}

const YEAR_4500 = daysFromCivil(4500, 12, 31);
const MAX_ITER = 200_000;

function monthIndex(days: number): number {
  const c = civilFromDays(days);
  return (c.y - 1601) * 12 + c.m - 1;
}

/** Start of day (days since 1601) of the first day of month index `mi`. */
const monthStart = (mi: number) => daysFromCivil(1601 + Math.floor(mi / 12), (mi % 12) + 1, 1);

/** Day within a month for MonthNth: n-th (5 = last) day whose weekday is in `mask`. */
function nthInMonth(y: number, m: number, mask: number, n: number): number | undefined {
  const first = daysFromCivil(y, m, 1);
  const dim = daysInMonth(y, m);
  const hits: number[] = [];
  for (let d = 0; d < dim; d++) if (mask & (1 << weekdayOfDays(first + d))) hits.push(first + d);
  if (!hits.length) return undefined;
  return n >= 5 ? hits[hits.length - 1] : hits[n - 1];
}

/** Instance days (days since 1601) of a pattern from `startDay` on; stops at `limit` instances or past `untilDay`. */
export function* patternDays(p: RecurrencePattern, startDay: number, untilDay = YEAR_4500): Generator<number> {
  let iter = 0;
  const startMi = monthIndex(startDay);
  switch (p.patternType) {
    case PatternType.Day: {
      const step = Math.max(1, Math.round(p.period / 1440));
      const off = ((((startDay * 1440 - p.firstDateTime) / 1440) % step) + step) % step;
      for (let d = startDay + (off ? step - off : 0); d <= untilDay && iter++ < MAX_ITER; d += step) yield d;
      return;
    }
    case PatternType.Week: {
      const mask = p.patternTypeSpecific[0]! & 0x7f;
      if (!mask) return;
      const weeks = Math.max(1, p.period);
      // week start (FirstDOW) on or before startDay
      const ws0 = startDay - ((weekdayOfDays(startDay) - p.firstDOW + 7) % 7);
      const baseWeek = Math.floor(p.firstDateTime / 1440);
      for (let ws = ws0; ws <= untilDay && iter++ < MAX_ITER; ws += 7) {
        const k = (((ws - baseWeek) / 7) % weeks + weeks) % weeks;
        if (k !== 0) continue;
        for (let i = 0; i < 7; i++) {
          const d = ws + i;
          if (d < startDay || d > untilDay) continue;
          if (mask & (1 << weekdayOfDays(d))) yield d;
        }
      }
      return;
    }
    case PatternType.Month:
    case PatternType.MonthEnd:
    case PatternType.MonthNth: {
      const period = Math.max(1, p.period);
      const base = monthIndex(Math.floor(p.firstDateTime / 1440));
      let mi = startMi + ((((base - startMi) % period) + period) % period);
      for (; iter++ < MAX_ITER; mi += period) {
        const ms = monthStart(mi);
        if (ms > untilDay) return;
        const c = civilFromDays(ms);
        let d: number | undefined;
        if (p.patternType === PatternType.MonthNth) d = nthInMonth(c.y, c.m, p.patternTypeSpecific[0]!, p.patternTypeSpecific[1]!);
        else if (p.patternType === PatternType.MonthEnd) d = ms + daysInMonth(c.y, c.m) - 1;
        else d = ms + Math.min(p.patternTypeSpecific[0]!, daysInMonth(c.y, c.m)) - 1;
        if (d === undefined || d < startDay) continue;
        if (d > untilDay) return;
        yield d;
      }
      return;
    }
  }
}

/**
 * Map an RRULE starting at local minute `start` to a MAPI pattern. `untilLocal` is the UNTIL
 * converted to local minutes by the caller (undefined if none). Returns a reason string when MAPI
 * cannot express the rule.
 */
export function mapRRule(r: RRule, start: number, untilLocal: number | undefined, firstDOWDefault = 0): MappedPattern | string {
  const startDay = Math.floor(start / 1440);
  const sc = civilFromDays(startDay);
  for (const k of Object.keys(r.other)) {
    if (k === 'BYYEARDAY' || k === 'BYWEEKNO') return `${k} cannot be expressed in MAPI`;
    if (k === 'BYSECOND' && +r.other[k]! !== 0) return 'BYSECOND cannot be expressed in MAPI';
    if (k === 'BYHOUR' || k === 'BYMINUTE') {
      const v = r.other[k]!.split(',');
      const want = k === 'BYHOUR' ? Math.floor((start % 1440) / 60) : start % 60;
      if (v.length !== 1 || +v[0]! !== want) return `${k} cannot be expressed in MAPI`;
    }
  }
  if (r.bymonthday.length > 1) return 'more than one BYMONTHDAY';
  if (r.bysetpos.length > 1) return 'more than one BYSETPOS';
  if (r.bysetpos.length && !r.byday.length) return 'BYSETPOS without BYDAY';
  // Without WKST gromox (and Outlook) write Sunday; RFC 5545's default Monday only changes the
  // instances of multi-week rules that include Sunday, so keep Monday for exactly those.
  const firstDOW = r.wkst ?? (r.freq === 'WEEKLY' && r.interval > 1 && r.byday.some((b) => b.wd === 0) ? 1 : firstDOWDefault);
  let freq: number, ptype: number, period: number, specific: number[], firstDateTime: number, rtype: number;
  const mask = (days: { wd: number }[]) => days.reduce((m, b) => m | (1 << b.wd), 0);
  const nthForm = (): [number, number] | string => {
    let n: number;
    if (r.bysetpos.length) {
      n = r.bysetpos[0]!;
      if (r.byday.some((b) => b.n !== 0)) return 'BYSETPOS with numbered BYDAY';
    } else {
      if (r.byday.length !== 1) return 'several BYDAY without BYSETPOS';
      n = r.byday[0]!.n;
    }
    if (n === -1) n = 5;
    if (n < 1 || n > 5) return `week number ${n} outside -1…4`;
    return [mask(r.byday), n];
  };
  switch (r.freq) {
    case 'DAILY':
      if (r.bymonth.length || r.bysetpos.length || r.bymonthday.length) return 'DAILY with BYMONTH/BYSETPOS/BYMONTHDAY';
      if (r.byday.length) {
        // "every weekday" written as DAILY;BYDAY=…: Outlook's form is a weekly pattern
        if (r.interval !== 1 || r.byday.some((b) => b.n !== 0)) return 'DAILY with BYDAY';
        freq = RecurFrequency.Weekly;
        ptype = PatternType.Week;
        period = 1;
        specific = [mask(r.byday)];
        const ws = startDay - ((weekdayOfDays(startDay) - firstDOW + 7) % 7);
        firstDateTime = (ws * 1440) % 10080;
        rtype = 2;
        break;
      }
      if (r.interval > 999) return 'daily interval above 999';
      freq = RecurFrequency.Daily;
      ptype = PatternType.Day;
      period = r.interval * 1440;
      specific = [];
      firstDateTime = (startDay * 1440) % period;
      rtype = 1;
      break;
    case 'WEEKLY': {
      if (r.bymonth.length || r.bysetpos.length || r.bymonthday.length) return 'WEEKLY with BYMONTH/BYSETPOS/BYMONTHDAY';
      if (r.interval > 99) return 'weekly interval above 99';
      freq = RecurFrequency.Weekly;
      ptype = PatternType.Week;
      period = r.interval;
      specific = [r.byday.length ? mask(r.byday) : 1 << weekdayOfDays(startDay)];
      const ws = startDay - ((weekdayOfDays(startDay) - firstDOW + 7) % 7);
      firstDateTime = (ws * 1440) % (10080 * period);
      rtype = 2;
      break;
    }
    case 'MONTHLY':
    case 'YEARLY': {
      const yearly = r.freq === 'YEARLY';
      if (!yearly && r.bymonth.length) return 'MONTHLY with BYMONTH';
      if (yearly && r.bymonth.length > 1) return 'YEARLY with several BYMONTH';
      if (!yearly && r.interval > 99) return 'monthly interval above 99';
      if (yearly && r.interval > 8) return 'yearly interval above 8';
      freq = yearly ? RecurFrequency.Yearly : RecurFrequency.Monthly;
      period = yearly ? 12 * r.interval : r.interval;
      rtype = yearly ? 4 : 3;
      if (r.byday.length) {
        if (r.bymonthday.length) return 'BYDAY together with BYMONTHDAY';
        const nf = nthForm();
        if (typeof nf === 'string') return nf;
        ptype = PatternType.MonthNth;
        specific = nf;
      } else {
        ptype = PatternType.Month;
        let d = r.bymonthday.length ? r.bymonthday[0]! : sc.d;
        if (d === -1) d = 31;
        if (d < 1 || d > 31) return `BYMONTHDAY ${d} cannot be expressed in MAPI`;
        specific = [d];
      }
      // the month of the first instance: BYMONTH for yearly rules, else the start month
      let firstMi = (sc.y - 1601) * 12 + sc.m - 1;
      if (yearly && r.bymonth.length) {
        const bm = r.bymonth[0]!;
        if (bm < 1 || bm > 12) return `BYMONTH ${bm}`;
        firstMi = (sc.y - 1601) * 12 + bm - 1;
        if (bm < sc.m) firstMi += 12;
      }
      firstDateTime = monthStart(firstMi % period) * 1440;
      break;
    }
    default:
      return `FREQ=${r.freq} cannot be expressed in MAPI`;
  }
  const pattern: RecurrencePattern = {
    readerVersion: 0x3004,
    writerVersion: 0x3004,
    recurFrequency: freq,
    patternType: ptype,
    calendarType: 0,
    firstDateTime,
    period,
    slidingFlag: 0,
    patternTypeSpecific: specific,
    endType: EndType.NoEnd,
    occurrenceCount: 10,
    firstDOW,
    deletedInstanceDates: [],
    modifiedInstanceDates: [],
    startDate: 0,
    endDate: NO_END_DATE,
  };
  // first instance on or after the start day (the RFC counts DTSTART itself even if it does not match)
  const gen = patternDays(pattern, startDay);
  const first = gen.next();
  if (first.done) return 'the rule has no instance';
  const firstDay = first.value;
  const dtstartIsInstance = firstDay === startDay;
  pattern.startDate = firstDay * 1440;
  let lastDay = NO_END_DATE;
  if (r.count !== undefined) {
    const n = Math.max(1, r.count - (dtstartIsInstance ? 0 : 1));
    let last = firstDay;
    let i = 1;
    for (const d of patternDays(pattern, firstDay + 1)) {
      if (i >= n) break;
      last = d;
      i++;
    }
    if (last >= YEAR_4500) {
      pattern.endType = EndType.NoEnd;
    } else {
      pattern.endType = EndType.AfterN;
      pattern.occurrenceCount = i;
      pattern.endDate = last * 1440;
      lastDay = pattern.endDate;
    }
  } else if (untilLocal !== undefined) {
    const untilDay = Math.floor(untilLocal / 1440);
    const startOff = start - startDay * 1440;
    let i = 0;
    let last = firstDay;
    for (const d of patternDays(pattern, firstDay)) {
      if (d * 1440 + startOff > untilLocal) break;
      if (d > untilDay) break;
      last = d;
      i++;
    }
    pattern.endType = EndType.EndDate;
    pattern.occurrenceCount = Math.max(i, 1);
    // EndDate: midnight of UNTIL (as gromox writes it; Outlook accepts any date after the last instance)
    void last;
    pattern.endDate = untilDay * 1440;
    lastDay = pattern.endDate;
  }
  return { pattern, recurrenceType: rtype, lastDay };
}
