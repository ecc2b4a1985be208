/**
 * Windows-style time-zone rules ([MS-OXOCAL] 2.2.1.41 TZRule, 2.2.1.39 PidLidTimeZoneStruct):
 * one bias plus a yearly standard/daylight transition given as a SYSTEMTIME (month, weekday,
 * n-th week with 5 = last, or an absolute date when wYear is set). This is the form Outlook stores
 * and the only form a VTIMEZONE can be reduced to for MAPI, so local/UTC conversion is done with
 * the same rules we write into the blobs — the stored blob and the stored times always agree.
 */
import { daysFromCivil, daysInMonth, weekdayOfDays } from './time.ts';

/** [MS-DTYP] SYSTEMTIME. */
export interface SystemTime {
  year: number;
  month: number;
  dayOfWeek: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  milliseconds: number;
}

export const ZERO_SYSTEMTIME: SystemTime = { year: 0, month: 0, dayOfWeek: 0, day: 0, hour: 0, minute: 0, second: 0, milliseconds: 0 };

/** One TZRule: the rules in effect from `year` on. Biases are minutes west (UTC = local + bias). */
export interface TzRule {
  year: number;
  bias: number;
  standardBias: number;
  daylightBias: number;
  standardDate: SystemTime;
  daylightDate: SystemTime;
}

export interface TimeZone {
  /** The key written into TZDEFINITION (the TZID, or a Windows zone name from the table). */
  keyName: string;
  /** Sorted by year, first entry applies to all earlier years too. */
  rules: TzRule[];
}

export const hasDst = (r: TzRule) => r.daylightDate.month !== 0 && r.standardDate.month !== 0;

/** Local minute (since 1601) of a transition in year `y` (in the time that is in force before it). */
export function transitionMinute(st: SystemTime, y: number): number {
  let day: number;
  if (st.year !== 0) {
    day = Math.min(st.day, daysInMonth(y, st.month));
  } else {
    const first = daysFromCivil(y, st.month, 1);
    const wd = weekdayOfDays(first);
    day = 1 + ((st.dayOfWeek - wd + 7) % 7) + (Math.max(1, st.day) - 1) * 7;
    const dim = daysInMonth(y, st.month);
    while (day > dim) day -= 7;
  }
  return daysFromCivil(y, st.month, day) * 1440 + st.hour * 60 + st.minute;
}

export function ruleForYear(tz: TimeZone, y: number): TzRule {
  let r = tz.rules[0]!;
  for (const x of tz.rules) if (x.year <= y) r = x;
  return r;
}

function yearOfMinute(min: number): number {
  // cheap: a year is at least 525600 minutes; refine with the civil conversion
  const days = Math.floor(min / 1440);
  let y = 1601 + Math.floor(days / 365.2425);
  while (daysFromCivil(y, 1, 1) > days) y--;
  while (daysFromCivil(y + 1, 1, 1) <= days) y++;
  return y;
}

/** Is the local wall-clock minute in daylight time? */
function isDaylightLocal(r: TzRule, local: number, y: number): boolean {
  if (!hasDst(r)) return false;
  const dstStart = transitionMinute(r.daylightDate, y);
  // the standard transition is given in daylight wall-clock time
  const stdStart = transitionMinute(r.standardDate, y);
  if (dstStart < stdStart) return local >= dstStart && local < stdStart;
  return local >= dstStart || local < stdStart;
}

/** Minutes to add to a local time to get UTC. */
export function offsetForLocal(tz: TimeZone, local: number): number {
  const y = yearOfMinute(local);
  const r = ruleForYear(tz, y);
  return r.bias + (isDaylightLocal(r, local, y) ? r.daylightBias : r.standardBias);
}

export const localToUtc = (tz: TimeZone, local: number): number => local + offsetForLocal(tz, local);

export function utcToLocal(tz: TimeZone, utc: number): number {
  const y = yearOfMinute(utc);
  const r = ruleForYear(tz, y);
  if (hasDst(r)) {
    const dl = utc - (r.bias + r.daylightBias);
    if (isDaylightLocal(r, dl, y)) return dl;
  }
  return utc - (r.bias + r.standardBias);
}

const enc16 = (dv: DataView, at: number, st: SystemTime) => {
  dv.setInt16(at, st.year, true);
  dv.setInt16(at + 2, st.month, true);
  dv.setInt16(at + 4, st.dayOfWeek, true);
  dv.setInt16(at + 6, st.day, true);
  dv.setInt16(at + 8, st.hour, true);
  dv.setInt16(at + 10, st.minute, true);
  dv.setInt16(at + 12, st.second, true);
  dv.setInt16(at + 14, st.milliseconds, true);
};

export const TZRULE_FLAG_RECUR_CURRENT = 0x0001;
export const TZRULE_FLAG_EFFECTIVE = 0x0002;

/**
 * [MS-OXOCAL] 2.2.1.41 TZDEFINITION (PidLidAppointmentTimeZoneDefinition*). Like gromox, the
 * rule flags go on every rule (0x2 for the display props, 0x3 for the recurrence prop).
 */
export function encodeTzDefinition(tz: TimeZone, ruleFlags: number): Uint8Array {
  const key = tz.keyName.slice(0, 260);
  const hdr = 2 + 2 + 2 + 2 + key.length * 2 + 2;
  const out = new Uint8Array(hdr + tz.rules.length * 66);
  const dv = new DataView(out.buffer);
  out[0] = 2;
  out[1] = 1;
  dv.setUint16(2, hdr - 4, true);
  dv.setUint16(4, 0x0002, true); // TZDEFINITION_FLAG_VALID_KEYNAME
  dv.setUint16(6, key.length, true);
  for (let i = 0; i < key.length; i++) dv.setUint16(8 + i * 2, key.charCodeAt(i), true);
  dv.setUint16(8 + key.length * 2, tz.rules.length, true);
  let p = hdr;
  tz.rules.forEach((r, i) => {
    out[p] = 2;
    out[p + 1] = 1;
    dv.setUint16(p + 2, 0x003e, true);
    dv.setUint16(p + 4, ruleFlags, true);
    dv.setUint16(p + 6, r.year, true);
    if (i === 0) {
      // gromox fills the first rule's reserved X field like a SYSTEMTIME of 1601-01-01 (month 1, day 1)
      dv.setUint16(p + 8, 1, true);
      dv.setUint16(p + 12, 1, true);
    }
    dv.setInt32(p + 22, r.bias, true);
    dv.setInt32(p + 26, r.standardBias, true);
    dv.setInt32(p + 30, r.daylightBias, true);
    enc16(dv, p + 34, r.standardDate);
    enc16(dv, p + 50, r.daylightDate);
    p += 66;
  });
  return out;
}

/** [MS-OXOCAL] 2.2.1.39 TZSTRUCT (PidLidTimeZoneStruct), from the last rule. */
export function encodeTzStruct(r: TzRule): Uint8Array {
  const out = new Uint8Array(48);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, r.bias, true);
  dv.setInt32(4, r.standardBias, true);
  dv.setInt32(8, r.daylightBias, true);
  dv.setInt16(12, r.standardDate.year, true);
  enc16(dv, 14, { ...r.standardDate, year: 0 });
  dv.setInt16(30, r.daylightDate.year, true);
  enc16(dv, 32, { ...r.daylightDate, year: 0 });
  return out;
}

const dec16 = (dv: DataView, at: number): SystemTime => ({
  year: dv.getInt16(at, true),
  month: dv.getInt16(at + 2, true),
  dayOfWeek: dv.getInt16(at + 4, true),
  day: dv.getInt16(at + 6, true),
  hour: dv.getInt16(at + 8, true),
  minute: dv.getInt16(at + 10, true),
  second: dv.getInt16(at + 12, true),
  milliseconds: dv.getInt16(at + 14, true),
});

/** Decode a TZDEFINITION (tests and the inspector); throws on a short blob. */
export function decodeTzDefinition(b: Uint8Array): TimeZone & { flags: number[] } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 8 || b[0] !== 2) throw new RangeError('TZDEFINITION: bad major version');
  const hdr = dv.getUint16(2, true) + 4;
  const klen = dv.getUint16(6, true);
  let key = '';
  for (let i = 0; i < klen; i++) key += String.fromCharCode(dv.getUint16(8 + i * 2, true));
  const n = dv.getUint16(8 + klen * 2, true);
  if (hdr + n * 66 > b.length) throw new RangeError('TZDEFINITION: rules exceed the blob');
  const rules: TzRule[] = [];
  const flags: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = hdr + i * 66;
    flags.push(dv.getUint16(p + 4, true));
    rules.push({
      year: dv.getUint16(p + 6, true),
      bias: dv.getInt32(p + 22, true),
      standardBias: dv.getInt32(p + 26, true),
      daylightBias: dv.getInt32(p + 30, true),
      standardDate: dec16(dv, p + 34),
      daylightDate: dec16(dv, p + 50),
    });
  }
  return { keyName: key, rules, flags };
}
