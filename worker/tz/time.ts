/**
 * Calendar arithmetic without the host clock or Intl: proleptic Gregorian civil dates to day
 * numbers and back, with 1601-01-01 (the FILETIME epoch) as day 0. Everything in the iCal
 * mapper works in "minutes since 1601" ([MS-OXOCAL] 2.2.1.44 dates) and converts to FILETIME
 * only at the edge, so results never depend on the machine running the conversion.
 */

/** Days from 1601-01-01 to y-m-d (month 1..12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  // days since 0000-03-01 minus days from 0000-03-01 to 1601-01-01 (584694)
  return era * 146097 + doe - 584694;
}

export interface Civil {
  y: number;
  m: number;
  d: number;
}

export function civilFromDays(days: number): Civil {
  const z = days + 584694;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: m <= 2 ? y + 1 : y, m, d };
}

/** 0 = Sunday … 6 = Saturday. 1601-01-01 was a Monday. */
export const weekdayOfDays = (days: number): number => (((days + 1) % 7) + 7) % 7;

export const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const daysInMonth = (y: number, m: number) =>
  m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

/** A wall-clock or UTC time as minutes since 1601-01-01 plus seconds within the minute. */
export interface DateTimeParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

export const minutesFromParts = (p: DateTimeParts): number => daysFromCivil(p.y, p.mo, p.d) * 1440 + p.h * 60 + p.mi;

export function partsFromMinutes(min: number): DateTimeParts {
  const days = Math.floor(min / 1440);
  const r = min - days * 1440;
  const c = civilFromDays(days);
  return { y: c.y, mo: c.m, d: c.d, h: Math.floor(r / 60), mi: r % 60, s: 0 };
}

/** FILETIME (100 ns since 1601, UTC) from minutes since 1601 plus extra seconds. */
export const filetimeFromMinutes = (min: number, sec = 0): bigint => (BigInt(min) * 60n + BigInt(sec)) * 10_000_000n;
export const minutesFromFiletime = (ft: bigint): number => Number(ft / 600_000_000n);
