/**
 * Built-in zones for TZIDs that come without a VTIMEZONE ("TZID=Europe/Berlin" alone, or a
 * Windows name such as "W. Europe Standard Time"). Kept compact on purpose: a handful of rule
 * families (EU, North America, south-east Australia, New Zealand) plus fixed-offset zones, written
 * in the Windows TZRule form the blobs need. Transitions are computed from these rules, never from
 * the host's Intl data, so the browser and Node always agree. The key written to TZDEFINITION is
 * the Windows zone name (what Outlook and gromox use), not the IANA name.
 */
import type { SystemTime, TimeZone, TzRule } from './rules.ts';
import { ZERO_SYSTEMTIME } from './rules.ts';

const st = (month: number, week: number, hour: number, dayOfWeek = 0): SystemTime => ({
  ...ZERO_SYSTEMTIME,
  month,
  dayOfWeek,
  day: week,
  hour,
});

type Family = 'EU' | 'US' | 'AUS' | 'NZ' | 'NONE';

/** Rules of a family for a zone whose standard offset is `east` minutes east of UTC. */
function familyRules(f: Family, east: number): TzRule[] {
  const base = { bias: -east, standardBias: 0 };
  switch (f) {
    case 'NONE':
      return [{ year: 1601, ...base, daylightBias: 0, standardDate: ZERO_SYSTEMTIME, daylightDate: ZERO_SYSTEMTIME }];
    case 'EU': {
      // EU: last Sunday of March and October at 01:00 UTC (Directive 2000/84/EC).
      const h = 1 + east / 60;
      return [{ year: 1601, ...base, daylightBias: -60, standardDate: st(10, 5, h + 1), daylightDate: st(3, 5, h) }];
    }
    case 'US':
      // US/Canada: first Sunday of April .. last Sunday of October until 2006, then the
      // Energy Policy Act 2005 rule (second Sunday of March .. first Sunday of November).
      return [
        { year: 1601, ...base, daylightBias: -60, standardDate: st(10, 5, 2), daylightDate: st(4, 1, 2) },
        { year: 2007, ...base, daylightBias: -60, standardDate: st(11, 1, 2), daylightDate: st(3, 2, 2) },
      ];
    case 'AUS':
      return [{ year: 1601, ...base, daylightBias: -60, standardDate: st(4, 1, 3), daylightDate: st(10, 1, 2) }];
    case 'NZ':
      return [{ year: 1601, ...base, daylightBias: -60, standardDate: st(4, 1, 3), daylightDate: st(9, 5, 2) }];
  }
}

/** [Windows name, standard offset east in minutes, family, IANA and legacy aliases]. */
const ZONES: [string, number, Family, string[]][] = [
  ['UTC', 0, 'NONE', ['Etc/UTC', 'Etc/GMT', 'GMT', 'UTC', 'Z', 'Etc/Universal', 'Universal', 'Zulu']],
  ['GMT Standard Time', 0, 'EU', ['Europe/London', 'Europe/Dublin', 'Europe/Lisbon', 'Atlantic/Canary', 'GB', 'Eire']],
  ['Greenwich Standard Time', 0, 'NONE', ['Atlantic/Reykjavik', 'Africa/Abidjan', 'Africa/Accra']],
  ['W. Europe Standard Time', 60, 'EU', ['Europe/Berlin', 'Europe/Zurich', 'Europe/Amsterdam', 'Europe/Vienna', 'Europe/Rome', 'Europe/Stockholm', 'Europe/Oslo', 'Europe/Luxembourg', 'Europe/Monaco', 'Europe/Vaduz', 'Europe/Malta', 'Europe/San_Marino', 'Europe/Vatican', 'Europe/Andorra', 'Europe/Gibraltar']],
  ['Romance Standard Time', 60, 'EU', ['Europe/Paris', 'Europe/Brussels', 'Europe/Madrid', 'Europe/Copenhagen']],
  ['Central Europe Standard Time', 60, 'EU', ['Europe/Prague', 'Europe/Budapest', 'Europe/Bratislava', 'Europe/Ljubljana', 'Europe/Belgrade', 'Europe/Podgorica', 'Europe/Tirane']],
  ['Central European Standard Time', 60, 'EU', ['Europe/Warsaw', 'Europe/Zagreb', 'Europe/Sarajevo', 'Europe/Skopje']],
  ['W. Central Africa Standard Time', 60, 'NONE', ['Africa/Lagos', 'Africa/Algiers', 'Africa/Tunis']],
  ['GTB Standard Time', 120, 'EU', ['Europe/Athens', 'Europe/Bucharest', 'Asia/Nicosia']],
  ['FLE Standard Time', 120, 'EU', ['Europe/Helsinki', 'Europe/Kiev', 'Europe/Kyiv', 'Europe/Riga', 'Europe/Sofia', 'Europe/Tallinn', 'Europe/Vilnius']],
  ['South Africa Standard Time', 120, 'NONE', ['Africa/Johannesburg', 'Africa/Harare', 'Africa/Maputo']],
  ['Egypt Standard Time', 120, 'NONE', ['Africa/Cairo']],
  ['Russian Standard Time', 180, 'NONE', ['Europe/Moscow', 'Europe/Simferopol', 'Europe/Minsk']],
  ['Turkey Standard Time', 180, 'NONE', ['Europe/Istanbul', 'Asia/Istanbul']],
  ['Arab Standard Time', 180, 'NONE', ['Asia/Riyadh', 'Asia/Kuwait', 'Asia/Aden', 'Asia/Qatar', 'Asia/Bahrain']],
  ['Arabian Standard Time', 240, 'NONE', ['Asia/Dubai', 'Asia/Muscat']],
  ['Ekaterinburg Standard Time', 300, 'NONE', ['Asia/Yekaterinburg']],
  ['Pakistan Standard Time', 300, 'NONE', ['Asia/Karachi']],
  ['India Standard Time', 330, 'NONE', ['Asia/Kolkata', 'Asia/Calcutta']],
  ['SE Asia Standard Time', 420, 'NONE', ['Asia/Bangkok', 'Asia/Jakarta', 'Asia/Ho_Chi_Minh', 'Asia/Saigon']],
  ['China Standard Time', 480, 'NONE', ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Macau', 'PRC', 'Hongkong']],
  ['Singapore Standard Time', 480, 'NONE', ['Asia/Singapore', 'Asia/Kuala_Lumpur', 'Asia/Manila']],
  ['Taipei Standard Time', 480, 'NONE', ['Asia/Taipei']],
  ['W. Australia Standard Time', 480, 'NONE', ['Australia/Perth']],
  ['Tokyo Standard Time', 540, 'NONE', ['Asia/Tokyo', 'Japan']],
  ['Korea Standard Time', 540, 'NONE', ['Asia/Seoul']],
  ['AUS Central Standard Time', 570, 'NONE', ['Australia/Darwin']],
  ['E. Australia Standard Time', 600, 'NONE', ['Australia/Brisbane']],
  ['AUS Eastern Standard Time', 600, 'AUS', ['Australia/Sydney', 'Australia/Melbourne', 'Australia/Canberra', 'Australia/ACT', 'Australia/NSW', 'Australia/Victoria']],
  ['Tasmania Standard Time', 600, 'AUS', ['Australia/Hobart']],
  ['Cen. Australia Standard Time', 570, 'AUS', ['Australia/Adelaide']],
  ['New Zealand Standard Time', 720, 'NZ', ['Pacific/Auckland', 'NZ']],
  ['Hawaiian Standard Time', -600, 'NONE', ['Pacific/Honolulu', 'US/Hawaii']],
  ['Alaskan Standard Time', -540, 'US', ['America/Anchorage', 'US/Alaska']],
  ['Pacific Standard Time', -480, 'US', ['America/Los_Angeles', 'America/Vancouver', 'America/Tijuana', 'US/Pacific', 'Canada/Pacific', 'PST8PDT']],
  ['US Mountain Standard Time', -420, 'NONE', ['America/Phoenix', 'US/Arizona']],
  ['Mountain Standard Time', -420, 'US', ['America/Denver', 'America/Edmonton', 'America/Boise', 'US/Mountain', 'Canada/Mountain', 'MST7MDT']],
  ['Central Standard Time', -360, 'US', ['America/Chicago', 'America/Winnipeg', 'America/Indiana/Knox', 'US/Central', 'Canada/Central', 'CST6CDT']],
  ['Central Standard Time (Mexico)', -360, 'NONE', ['America/Mexico_City', 'America/Monterrey']],
  ['Canada Central Standard Time', -360, 'NONE', ['America/Regina']],
  ['Eastern Standard Time', -300, 'US', ['America/New_York', 'America/Toronto', 'America/Detroit', 'America/Indiana/Indianapolis', 'America/Indianapolis', 'America/Montreal', 'US/Eastern', 'Canada/Eastern', 'EST5EDT']],
  ['SA Pacific Standard Time', -300, 'NONE', ['America/Bogota', 'America/Lima', 'America/Panama']],
  ['Atlantic Standard Time', -240, 'US', ['America/Halifax', 'Atlantic/Bermuda', 'Canada/Atlantic']],
  ['E. South America Standard Time', -180, 'NONE', ['America/Sao_Paulo']],
  ['Argentina Standard Time', -180, 'NONE', ['America/Argentina/Buenos_Aires', 'America/Buenos_Aires']],
];

const byName = new Map<string, [string, number, Family]>();
for (const [win, east, fam, aliases] of ZONES) {
  const e: [string, number, Family] = [win, east, fam];
  byName.set(win.toLowerCase(), e);
  byName.set(win.replace(/ Standard Time/, ' Daylight Time').toLowerCase(), e);
  for (const a of aliases) byName.set(a.toLowerCase(), e);
}

/**
 * Find a zone by TZID: exact IANA/Windows/legacy name (case-insensitive), else the trailing
 * "Area/City" of a prefixed TZID ("/softwarestudio.org/Olson_20011030_5/America/Chicago"),
 * else a Windows name with its " Standard Time" spelled differently. Undefined if unknown.
 */
export function lookupZone(tzid: string): TimeZone | undefined {
  const id = tzid.trim().replace(/^"|"$/g, '');
  let e = byName.get(id.toLowerCase());
  if (!e) {
    const m = /([A-Za-z_]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?)$/.exec(id);
    if (m) {
      const parts = m[1]!.split('/');
      for (let i = 0; i < parts.length - 1 && !e; i++) e = byName.get(parts.slice(i).join('/').toLowerCase());
    }
  }
  if (!e && !/standard time$/i.test(id)) e = byName.get((id + ' Standard Time').toLowerCase());
  if (!e) return undefined;
  return { keyName: e[0], rules: familyRules(e[2], e[1]) };
}

/** Names the table knows (for --tz help and tests). */
export const knownZoneNames = (): string[] => [...byName.keys()];
