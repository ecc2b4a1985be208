/**
 * ICS file → MAPI messages, item by item (the `ical2mt` converter). Pass 1 (scanICal) indexes
 * the file; pass 2 re-reads one UID group at a time, so memory is bounded by the largest group,
 * not the file. Each group is converted on its own: a problem becomes a Finding and the rest of
 * the file is still emitted. `strict` restores gromox's all-or-nothing behaviour for parity tests.
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { Finding, FindingSink } from '../findings.ts';
import type { MessageContent } from '../mapi/types.ts';
import { readComponent, type Component, type LexIssue } from '../ical/lexer.ts';
import { scanICal } from '../ical/scan.ts';
import { ItemError, mapEventGroup, mapJournal, mapTodo, type CalContext, type MapIssue } from '../ical/map.ts';
import { lookupZone } from '../tz/table.ts';
import { SlabCache } from '../io/slab-cache.ts';
import type { TimeZone } from '../tz/rules.ts';

export interface IcalOptions {
  /** IANA or Windows zone for floating times (default: UTC, as gromox). */
  tz?: string;
  /** Code page for text that is not UTF-8 (default 1252). */
  codepage?: number;
  /** gromox parity: any item-level error drops the whole file. */
  strict?: boolean;
}

/** Finding codes of the iCal converter, with their plain-language meaning. */
export const ICAL_CODES: Record<string, string> = {
  'ICAL-NOT-CALENDAR': 'the file holds no VCALENDAR or calendar component',
  'ICAL-NO-ITEMS': 'the calendar holds no VEVENT, VTODO or VJOURNAL',
  'ICAL-NO-UID': 'an item has no UID; converted without a global object ID',
  'ICAL-TRUNCATED': 'an item has no END line; converted from the lines that are there',
  'ICAL-ITEM-FAILED': 'an item could not be converted; skipped',
  'ICAL-DUPLICATE-MASTER': 'several items share a UID without RECURRENCE-ID; each converted separately',
  'ICAL-ITIP-MULTI-UID': 'an iTIP message (REQUEST/REPLY/…) holds several UIDs; each converted',
  'ICAL-IGNORED-COMPONENT': 'a component type without a MAPI mapping (VFREEBUSY, VAVAILABILITY, …) was ignored',
  'ICAL-STRICT-ABORT': '--strict: the file was dropped because an item failed or gromox would reject it',
  'ICAL-BARE-COMPONENT': 'calendar components outside any VCALENDAR were converted (gromox rejects the file)',
  'ICAL-BOM': 'a UTF-8 byte order mark was skipped (gromox rejects the file)',
  'ICAL-NO-UID-AT-ALL': 'no item in the file has a UID; converted without global object IDs (gromox rejects the file)',
  'ICAL-BAD-TZ-OPTION': '--tz names an unknown zone',
  'ICAL-NO-COLON': 'a line without a value (no colon) was skipped',
  'ICAL-LINE-TOO-LONG': 'a content line exceeded the size limit; its tail was dropped',
  'ICAL-CHARSET': 'text is not UTF-8 and was decoded with the fallback code page',
  'ICAL-STRAY-END': 'an END line without matching BEGIN was skipped',
  'ICAL-MISSING-END': 'an END line was missing; the component was closed at the outer END',
  'ICAL-NO-DTSTART': 'a VEVENT has no DTSTART; skipped',
  'ICAL-BAD-DTSTART': 'a VEVENT has an unreadable DTSTART; skipped',
  'ICAL-BAD-DATE': 'a date or date-time value is malformed; the property was ignored',
  'ICAL-BAD-DURATION': 'a DURATION value is malformed; the default end was used',
  'ICAL-BAD-TRIGGER': 'a VALARM TRIGGER is malformed; the default reminder was used',
  'ICAL-BAD-BASE64': 'an ATTACH with invalid base64 was skipped',
  'ICAL-NOT-MAILTO': 'an ORGANIZER/ATTENDEE is not a mailto: address; no recipient row',
  'ICAL-DTEND-TZID': 'DTEND has another TZID than DTSTART; each converted with its own zone',
  'ICAL-END-BEFORE-START': 'DTEND is before DTSTART; the end was set to the start',
  'ICAL-UNKNOWN-TZID': 'a TZID has no VTIMEZONE and is not in the built-in table; taken as floating',
  'ICAL-VTIMEZONE': 'a VTIMEZONE could not be used',
  'ICAL-VTIMEZONE-QUIRK': 'a VTIMEZONE has a tolerated irregularity (e.g. a DATE DTSTART)',
  'ICAL-RRULE-UNSUPPORTED': 'an RRULE cannot be expressed as an Outlook recurrence; converted as a single appointment',
  'ICAL-RRULE-MULTIPLE': 'several RRULE lines; only the first is used',
  'ICAL-RDATE-DROPPED': 'RDATEs without a matching EXDATE cannot be expressed in MAPI; dropped',
  'ICAL-ORPHAN-OVERRIDE': 'RECURRENCE-ID components without a recurring master; converted as single appointments',
  'ICAL-TOO-MANY-EXDATES': 'more than 1024 deleted instances; the rest dropped',
};

/**
 * Conditions on which gromox-ical2mt rejects the whole file (reference §0, §3); with `strict`
 * they drop the file as gromox does, otherwise they are only reported.
 */
const GROMOX_REJECTS = new Set([
  'ICAL-NOT-CALENDAR', 'ICAL-BARE-COMPONENT', 'ICAL-BOM', 'ICAL-STRAY-END', 'ICAL-MISSING-END', 'ICAL-TRUNCATED', 'ICAL-NO-UID-AT-ALL', 'ICAL-RRULE-UNSUPPORTED', 'ICAL-END-BEFORE-START',
  'ICAL-UNKNOWN-TZID', 'ICAL-VTIMEZONE', 'ICAL-VTIMEZONE-QUIRK', 'ICAL-ITIP-MULTI-UID', 'ICAL-RDATE-DROPPED', 'ICAL-ORPHAN-OVERRIDE', 'ICAL-DUPLICATE-MASTER', 'ICAL-DTEND-TZID',
]);

export function resolveTzOption(tz: string | undefined): TimeZone | undefined {
  if (!tz) return undefined;
  const z = lookupZone(tz);
  if (!z) throw new RangeError(`--tz: unknown time zone "${tz}"`);
  return z;
}

export async function* icalItems(source: ByteSource, options: IcalOptions, onFinding: FindingSink): AsyncIterable<{ content: MessageContent }> {
  const name = source.name ?? 'input';
  const floatingTz = resolveTzOption(options.tz);
  const strictHeld: { content: MessageContent }[] = [];
  let failed = false;
  const report = (f: Finding) => {
    if (f.severity === 'error' || (options.strict && GROMOX_REJECTS.has(f.code))) failed = true;
    onFinding(f);
  };
  const lexIssue = (item?: string) => (i: LexIssue) =>
    report({ code: i.code, severity: i.code === 'ICAL-BOM' ? 'info' : 'warning', message: i.message, offset: i.offset, item: item ?? name });
  const lexOpts = { codepage: options.codepage ?? 1252, onIssue: lexIssue() };
  const scan = await scanICal(source, lexOpts);
  for (const ig of scan.ignored)
    report({ code: 'ICAL-IGNORED-COMPONENT', severity: 'info', message: `${ig.name} ignored`, offset: ig.offset, item: name });
  if (!scan.calendars.length) {
    report({ code: 'ICAL-NOT-CALENDAR', severity: 'error', message: `no BEGIN:VCALENDAR or calendar component found`, item: name });
    return;
  }
  const bare = scan.calendars.find((c) => c.bare);
  if (bare) report({ code: 'ICAL-BARE-COMPONENT', severity: 'info', message: `components outside any VCALENDAR converted`, item: name });
  let withUid = 0;
  for (let i = 0; i < scan.items.length; i++) if (scan.items.uid(i) !== undefined) withUid++;
  if (scan.items.length && !withUid)
    report({ code: 'ICAL-NO-UID-AT-ALL', severity: 'info', message: `no item has a UID (gromox rejects the file)`, item: name });
  if (!scan.items.length) {
    report({ code: 'ICAL-NO-ITEMS', severity: 'warning', message: `no VEVENT, VTODO or VJOURNAL`, item: name });
  }
  // group by (calendar, kind, UID) in order of first appearance; UID-less items stand alone.
  // Values are item numbers (a number for the common single-item group) to keep the index small.
  const groups = new Map<string, number | number[]>();
  let anon = 0;
  const items = scan.items;
  for (let i = 0; i < items.length; i++) {
    if (options.strict && items.calendar(i) !== 0) continue; // gromox reads only the first VCALENDAR
    const uid = items.uid(i);
    const key = uid !== undefined ? `${items.calendar(i)}\u0000${items.kind(i)}\u0000${uid}` : `\u0001${anon++}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, i);
    else if (typeof g === 'number') groups.set(key, [g, i]);
    else g.push(i);
  }
  const ctxs = scan.calendars.map(
    (cal): CalContext => ({
      method: cal.method,
      timezones: cal.timezones,
      options: { floatingTz },
      issue: () => {},
    }),
  );
  // pass 2 re-reads items mostly in file order: serve those small reads from 1 MiB slabs
  const cached = new SlabCache(source, { slabBytes: 1 << 20, budgetBytes: 16 << 20 });
  const perCalUids = new Map<number, number>();
  for (const g of groups.values()) {
    const i = typeof g === 'number' ? g : g[0]!;
    if (items.kind(i) === 'VEVENT') perCalUids.set(items.calendar(i), (perCalUids.get(items.calendar(i)) ?? 0) + 1);
  }
  for (const [ci, n] of perCalUids) {
    const m = scan.calendars[ci]!.method;
    if (n > 1 && m && m !== 'PUBLISH')
      report({ code: 'ICAL-ITIP-MULTI-UID', severity: 'info', message: `METHOD:${m} with ${n} UIDs (gromox rejects this); each converted`, item: name });
  }
  const emit = (content: MessageContent) => {
    if (options.strict) strictHeld.push({ content });
    return options.strict ? undefined : { content };
  };
  for (const [key, gi] of groups) {
    groups.delete(key); // processed groups are not needed again
    const g = (typeof gi === 'number' ? [gi] : gi).map((i) => items.get(i));
    const first = g[0]!;
    const uid = first.uid;
    const label = uid !== undefined ? `${name} UID ${uid}` : `${name} ${first.kind} at byte ${first.offset}`;
    const ctx: CalContext = {
      ...ctxs[first.calendar]!,
      issue: (i: MapIssue) => report({ code: i.code, severity: i.severity, message: i.message, offset: i.offset, item: label }),
    };
    const comps: Component[] = [];
    for (const it of g) {
      if (it.truncated)
        report({ code: 'ICAL-TRUNCATED', severity: 'warning', message: `${it.kind} without END line; converted from what is there`, offset: it.offset, item: label });
      const c = await readComponent(cached, it.offset, it.end, { codepage: lexOpts.codepage, onIssue: lexIssue(label) });
      if (c) comps.push(c);
    }
    if (uid === undefined && options.strict) continue; // gromox ignores items without UID
    if (uid === undefined && comps.length)
      report({ code: 'ICAL-NO-UID', severity: 'warning', message: `${first.kind} without UID converted without a global object ID (gromox rejects the file)`, offset: first.offset, item: label });
    const out: MessageContent[] = [];
    const run = (f: () => MessageContent, what: Component) => {
      try {
        out.push(f());
      } catch (e) {
        if (!(e instanceof ItemError)) throw e;
        report({ code: e.code, severity: 'error', message: `${e.message}; item skipped`, offset: e.offset ?? what.offset, item: label });
      }
    };
    if (first.kind === 'VTODO') for (const c of comps) run(() => mapTodo(c, ctx, uid), c);
    else if (first.kind === 'VJOURNAL') for (const c of comps) run(() => mapJournal(c, ctx, uid), c);
    else {
      const masters = comps.filter((c) => !c.props.some((p) => p.name === 'RECURRENCE-ID'));
      const overrides = comps.filter((c) => c.props.some((p) => p.name === 'RECURRENCE-ID'));
      if (masters.length > 1)
        report({ code: 'ICAL-DUPLICATE-MASTER', severity: 'warning', message: `${masters.length} VEVENTs share this UID without RECURRENCE-ID; each converted`, item: label });
      const recurringMaster = masters.find((m) => m.props.some((p) => p.name === 'RRULE' || p.name === 'X-MICROSOFT-RRULE'));
      const owner = recurringMaster ?? (masters.length === 1 && overrides.length === 0 ? masters[0] : undefined);
      for (const m of masters) {
        if (m === recurringMaster) run(() => mapEventGroup(m, overrides, ctx, uid), m);
        else run(() => mapEventGroup(m, [], ctx, uid), m);
      }
      if (!recurringMaster && overrides.length) {
        // a lone RECURRENCE-ID component is an ordinary item (gromox: "a single component is the master")
        if (owner === undefined && comps.length > 1)
          report({ code: 'ICAL-ORPHAN-OVERRIDE', severity: 'warning', message: `${overrides.length} RECURRENCE-ID component(s) without a recurring master; each converted as a single appointment`, item: label });
        for (const o of overrides) run(() => mapEventGroup(o, [], ctx, uid), o);
      }
    }
    for (const m of out) {
      const r = emit(m);
      if (r) yield r;
    }
  }
  if (options.strict) {
    if (failed) {
      onFinding({ code: 'ICAL-STRICT-ABORT', severity: 'error', message: `--strict and an item failed; nothing from this file emitted`, item: name });
      return;
    }
    yield* strictHeld;
  }
}
