/**
 * VTIMEZONE (RFC 5545 3.6.5) → Windows TZRules ([MS-OXOCAL] 2.2.1.41), the reduction gromox
 * documents: every STANDARD/DAYLIGHT sub-component contributes to the rule of its DTSTART year;
 * the transition is the yearly RRULE's BYMONTH/BYDAY (n-th weekday, -1 → 5) or BYMONTHDAY, or
 * the DTSTART date itself; missing halves are inherited; the first rule reaches back to 1601.
 */
import type { Component } from './lexer.ts';
import type { SystemTime, TimeZone, TzRule } from '../tz/rules.ts';
import { ZERO_SYSTEMTIME } from '../tz/rules.ts';
import { daysFromCivil, weekdayOfDays } from '../tz/time.ts';
import { parseDateTime, parseRRule, parseUtcOffset } from './values.ts';
import { unescapeText } from './lexer.ts';

interface Half {
  bias: number;
  date: SystemTime;
  /** Last year the transition happens: RRULE without UNTIL → Infinity, UNTIL → its year, no RRULE → DTSTART/RDATE years. */
  until: number;
}

const prop = (c: Component, n: string) => c.props.find((p) => p.name === n)?.value;

function transition(sub: Component): { year: number; off: number; from: number; st: SystemTime; until: number } | string {
  const ds = prop(sub, 'DTSTART');
  const to = parseUtcOffset(prop(sub, 'TZOFFSETTO') ?? '');
  const from = parseUtcOffset(prop(sub, 'TZOFFSETFROM') ?? '') ?? to;
  if (!ds || to === undefined || from === undefined) return 'DTSTART or TZOFFSETTO missing';
  const t = parseDateTime(ds);
  if (!t || t.utc) return 'DTSTART is not a local date-time';
  const p = t.parts;
  const st: SystemTime = { ...ZERO_SYSTEMTIME, month: p.mo, hour: p.h, minute: p.mi, second: p.s };
  const rr = prop(sub, 'RRULE');
  const rule = rr ? parseRRule(rr) : undefined;
  if (rule && rule.freq === 'YEARLY' && (rule.byday.length || rule.bymonthday.length)) {
    if (rule.bymonth.length) st.month = rule.bymonth[0]!;
    if (rule.byday.length) {
      const b = rule.byday[0]!;
      st.dayOfWeek = b.wd;
      st.day = b.n < 0 || b.n > 4 ? 5 : b.n || 1;
      // BYMONTHDAY=8..14 with BYDAY=SU ("second Sunday", old-style) narrows the week
      if (rule.bymonthday.length && b.n === 0) st.day = Math.min(5, Math.floor((rule.bymonthday[0]! - 1) / 7) + 1);
    } else {
      st.year = 1;
      st.day = rule.bymonthday[0]!;
    }
  } else {
    const days = daysFromCivil(p.y, p.mo, p.d);
    st.dayOfWeek = weekdayOfDays(days);
    st.day = Math.min(5, Math.floor((p.d - 1) / 7) + 1);
  }
  let until: number;
  if (rule) until = rule.until ? rule.until.parts.y : rule.count !== undefined ? p.y + Math.max(0, rule.count - 1) : Infinity;
  else {
    until = p.y;
    for (const r of sub.props) if (r.name === 'RDATE') for (const v of r.value.split(',')) until = Math.max(until, parseDateTime(v.split('/')[0]!)?.parts.y ?? until);
  }
  return { year: p.y, off: to, from, st, until };
}

/** Build a TimeZone from a VTIMEZONE; returns an error text if nothing usable is in it. */
export function timeZoneFromVTimezone(vtz: Component, onQuirk?: (message: string) => void): TimeZone | string {
  const tzid = unescapeText(prop(vtz, 'TZID') ?? '').trim();
  const years = new Map<number, { std?: Half; dst?: Half }>();
  let lastErr = '';
  for (const sub of vtz.subs) {
    if (sub.name !== 'STANDARD' && sub.name !== 'DAYLIGHT') continue;
    const t = transition(sub);
    const ds = prop(sub, 'DTSTART');
    if (typeof t !== 'string' && ds && /^\s*\d{8}\s*$/.test(ds)) onQuirk?.(`VTIMEZONE ${tzid}: ${sub.name} DTSTART is a DATE, taken as midnight (gromox rejects this)`);
    if (typeof t === 'string') {
      lastErr = t;
      continue;
    }
    const e = years.get(t.year) ?? {};
    if (sub.name === 'STANDARD') e.std = { bias: -t.off, date: t.st, until: t.until };
    else e.dst = { bias: -(t.off - t.from), date: t.st, until: t.until };
    if (sub.name === 'DAYLIGHT') (e as { dstTo?: number }).dstTo = t.off;
    years.set(t.year, e);
  }
  if (!years.size) return `VTIMEZONE ${tzid} has no usable STANDARD/DAYLIGHT (${lastErr || 'none'})`;
  // Daylight time ends with its last transition year (a one-off DAYLIGHT, or an RRULE with UNTIL):
  // add a year where the next rule starts without it, so e.g. 1946's summer time stays in 1946.
  for (const [year, e0] of [...years.entries()]) {
    const d = e0.dst;
    if (!d || !Number.isFinite(d.until)) continue;
    const next = d.until + 1;
    const later = [...years.keys()].filter((y) => y > year);
    if (later.some((y) => y <= next && years.get(y)!.dst)) continue; // a newer DST rule takes over in time
    if (!years.has(next)) years.set(next, {});
  }
  const sorted = [...years.entries()].sort((a, b) => a[0] - b[0]);
  const rules: TzRule[] = [];
  let prev: { std?: Half; dst?: Half } = {};
  for (const [year, e0] of sorted) {
    const inherited = prev.dst && prev.dst.until >= year ? prev.dst : undefined;
    const e = { std: e0.std ?? prev.std, dst: e0.dst ?? inherited, dstTo: (e0 as { dstTo?: number }).dstTo };
    prev = e;
    let bias: number;
    if (e.std) bias = e.std.bias;
    else bias = -(e.dstTo ?? 0); // DAYLIGHT only: its TZOFFSETTO is the only offset (as gromox)
    const dstOk = !!(e.std && e.dst) && !sameDate(e.std.date, e.dst.date);
    rules.push({
      year,
      bias,
      standardBias: 0,
      daylightBias: dstOk ? e.dst!.bias : 0,
      standardDate: dstOk ? e.std!.date : ZERO_SYSTEMTIME,
      daylightDate: dstOk ? e.dst!.date : ZERO_SYSTEMTIME,
    });
  }
  // a leading half-empty rule is dropped when the next one is complete
  if (rules.length > 1 && (!sorted[0]![1].std || !sorted[0]![1].dst) && sorted[1]![1].std && sorted[1]![1].dst) rules.shift();
  rules[0]!.year = 1601;
  return { keyName: tzid, rules };
}

const sameDate = (a: SystemTime, b: SystemTime) =>
  a.month === b.month && a.day === b.day && a.dayOfWeek === b.dayOfWeek && a.hour === b.hour && a.minute === b.minute;
