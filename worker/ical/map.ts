/**
 * iCalendar components → MAPI messages, following gromox's oxcical import (reference §3) property
 * by property, with the deliberate improvements listed in the README: every item is converted on
 * its own (one bad item never loses the others), every VTODO/VJOURNAL becomes a message, all
 * EXDATE/CATEGORIES lines are read, TZIDs without VTIMEZONE are converted with the built-in zone
 * table, and recurrence dates follow [MS-OXOCAL] (local midnight). Pure functions of the input
 * and options: no clock, no randomness.
 */
import * as G from '../mapi/tags.ts';
import * as N from '../mapi/named.ts';
import { namedProp } from '../mapi/named.ts';
import { encodeOneOffEntryId } from '../mapi/entryid.ts';
import type { AttachmentContent, MessageContent, Prop } from '../mapi/types.ts';
import { param, splitEscaped, unescapeText, type Component, type ContentLine } from './lexer.ts';
import { parseDateTime, parseDuration, parseRRule, type ICalTime } from './values.ts';
import { mapRRule } from './pattern.ts';
import { ARO, encodeAppointmentRecur, type ExceptionInfo } from './recur.ts';
import { encodeTzDefinition, encodeTzStruct, localToUtc, utcToLocal, type TimeZone } from '../tz/rules.ts';
import { lookupZone } from '../tz/table.ts';
import { timeZoneFromVTimezone } from './vtimezone.ts';
import { filetimeFromMinutes, minutesFromParts } from '../tz/time.ts';

export interface MapIssue {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  offset?: number;
}

export interface MapOptions {
  /** Zone for floating times (no Z, no TZID); default UTC as gromox/Exchange do. */
  floatingTz?: TimeZone;
}

export interface CalContext {
  method?: string;
  timezones: Map<string, Component>;
  options: MapOptions;
  issue: (i: MapIssue) => void;
}

/** An item that cannot be converted at all; the caller records it and goes on. */
export class ItemError extends Error {
  constructor(readonly code: string, message: string, readonly offset?: number) {
    super(message);
  }
}

const enc = new TextEncoder();
const NO_DATE_FILETIME = 0x0cb34557a3dd4000n;
const EXCEPTION_CLASS = 'IPM.OLE.CLASS.{00061055-0000-0000-C000-000000000046}';

// A property with an empty value counts as absent (gromox's lexer drops such lines too).
const get = (c: Component, n: string) => c.props.find((p) => p.name === n && p.value !== '');
const all = (c: Component, n: string) => c.props.filter((p) => p.name === n && p.value !== '');
const text = (c: Component, n: string) => {
  const p = get(c, n);
  return p ? unescapeText(p.value) : undefined;
};

/** Resolved time zone handling for one component. */
interface Zoned {
  /** UTC minute since 1601 plus seconds. */
  utc: number;
  sec: number;
  /** Local wall-clock minute in the event's zone. */
  local: number;
  t: ICalTime;
}

class ZoneCache {
  private cache = new Map<string, TimeZone | null>();
  constructor(private ctx: CalContext) {}
  /** The zone for a TZID: VTIMEZONE of this calendar, else the built-in table, else null. */
  get(tzid: string): TimeZone | null {
    let z = this.cache.get(tzid);
    if (z !== undefined) return z;
    const vtz = this.ctx.timezones.get(tzid);
    z = null;
    if (vtz) {
      const r = timeZoneFromVTimezone(vtz, (message) => this.ctx.issue({ code: 'ICAL-VTIMEZONE-QUIRK', severity: 'info', message, offset: vtz.offset }));
      if (typeof r === 'string') this.ctx.issue({ code: 'ICAL-VTIMEZONE', severity: 'warning', message: r, offset: vtz.offset });
      else z = r;
    }
    if (!z) z = lookupZone(tzid) ?? null;
    this.cache.set(tzid, z);
    return z;
  }
  fromVTimezone(tzid: string) {
    return this.ctx.timezones.has(tzid);
  }
}

const zoneCaches = new WeakMap<CalContext, ZoneCache>();
const zonesOf = (ctx: CalContext) => {
  let z = zoneCaches.get(ctx);
  if (!z) zoneCaches.set(ctx, (z = new ZoneCache(ctx)));
  return z;
};

function cleanTzid(p: ContentLine): string | undefined {
  const v = param(p, 'TZID');
  return v === undefined ? undefined : unescapeText(v).trim();
}

/** Parse a DATE/DATE-TIME property into UTC and local minutes (local = in `zone`). */
function zoned(ctx: CalContext, p: ContentLine | undefined, zone: TimeZone | null, valueOverride?: string): Zoned | undefined {
  if (!p) return undefined;
  const v = (valueOverride ?? p.value).split(',')[0]!;
  const t = parseDateTime(v, cleanTzid(p));
  if (!t) {
    ctx.issue({ code: 'ICAL-BAD-DATE', severity: 'warning', message: `${p.name} "${v.slice(0, 40)}" is not a date or date-time`, offset: p.offset });
    return undefined;
  }
  return zonedTime(ctx, t, zone);
}

function zonedTime(ctx: CalContext, t: ICalTime, zone: TimeZone | null): Zoned {
  const m = minutesFromParts(t.parts);
  let utc: number;
  if (t.utc) utc = m;
  else if (t.tzid) {
    const z = zonesOf(ctx).get(t.tzid);
    utc = z ? localToUtc(z, m) : ctx.options.floatingTz ? localToUtc(ctx.options.floatingTz, m) : m;
  } else utc = ctx.options.floatingTz ? localToUtc(ctx.options.floatingTz, m) : m;
  let local: number;
  if (zone) local = t.utc || (t.tzid && zonesOf(ctx).get(t.tzid) !== zone) ? utcToLocal(zone, utc) : m;
  else local = utc;
  return { utc, sec: t.parts.s, local, t };
}

const ft = (min: number, sec = 0) => filetimeFromMinutes(min, sec);

/** TZDEFINITION/TZSTRUCT blobs per zone, built once (they are the same for every event in it). */
const tzBlobs = new WeakMap<TimeZone, { display?: Uint8Array; recur?: Uint8Array; struct?: Uint8Array }>();
function tzBlob(zone: TimeZone, kind: 'display' | 'recur' | 'struct'): Uint8Array {
  let e = tzBlobs.get(zone);
  if (!e) tzBlobs.set(zone, (e = {}));
  return (e[kind] ??=
    kind === 'struct' ? encodeTzStruct(zone.rules[zone.rules.length - 1]!) : encodeTzDefinition(zone, kind === 'recur' ? 0x0003 : 0x0002));
}

function searchKey(addr: string) {
  return enc.encode('SMTP:' + addr.toUpperCase() + '\0');
}

function mailto(v: string): string | undefined {
  const m = /^\s*mailto:(.*)$/i.exec(v);
  return m ? m[1]!.trim() : undefined;
}

/** PR_SENSITIVITY from CLASS: PUBLIC → not set, absent → 0. */
function sensitivity(c: Component): number | undefined {
  if (c.props.some((p) => p.name === 'CLASS' && p.value.trim() === '')) return undefined; // "CLASS:" (gromox: not set)
  const v = text(c, 'CLASS')?.trim().toUpperCase();
  if (v === undefined) return 0;
  if (v === 'PUBLIC') return undefined;
  if (v === 'PERSONAL' || v === 'X-PERSONAL') return 1;
  if (v === 'PRIVATE') return 2;
  if (v === 'CONFIDENTIAL') return 3;
  return 0;
}

function oneLine(s: string) {
  return s.replace(/[\r\n]/g, '').slice(0, 255);
}

/** Properties common to events, tasks and journals. */
function commonProps(c: Component, props: Prop[], dtstampDef: N.NamedDef | null) {
  const sens = sensitivity(c);
  if (sens !== undefined) props.push({ tag: G.PR_SENSITIVITY, value: sens });
  const cats: string[] = [];
  for (const p of all(c, 'CATEGORIES')) for (const v of splitEscaped(p.value, ',')) {
    const s = unescapeText(v).trim();
    if (s && cats.length < 127) cats.push(s);
  }
  if (cats.length) props.push(namedProp(N.PidNameKeywords, cats));
  const html = c.props.find((p) => p.name === 'X-ALT-DESC' && (param(p, 'FMTTYPE') ?? '').toLowerCase() === 'text/html');
  if (html) {
    props.push({ tag: G.PR_HTML, value: enc.encode(unescapeText(html.value).replace(/\r?\n/g, '\r\n')) });
    props.push({ tag: G.PR_INTERNET_CPID, value: 65001 });
  }
  if (dtstampDef) {
    const ds = get(c, 'DTSTAMP');
    const t = ds ? parseDateTime(ds.value) : undefined;
    if (t) props.push(namedProp(dtstampDef, ft(minutesFromParts(t.parts), t.parts.s)));
  }
  const sum = text(c, 'SUMMARY');
  if (sum !== undefined) props.push({ tag: G.PR_SUBJECT, value: oneLine(sum) });
}

function body(c: Component, props: Prop[], method?: string) {
  const d = text(c, 'DESCRIPTION') ?? (method === 'REPLY' || method === 'COUNTER' ? text(c, 'COMMENT') : undefined);
  if (d !== undefined && d !== '') props.push({ tag: G.PR_BODY, value: d.replace(/\r?\n/g, '\r\n') });
}

/** GOID ([MS-OXOCAL] 2.2.1.27) for a UID; `inst` is the instance date for exceptions. */
const GOID_PREFIX = '040000008200E00074C5B7101A82E008';
const GOID_PREFIX_BYTES = Uint8Array.from(GOID_PREFIX.match(/../g)!.map((h) => parseInt(h, 16)));
const VCAL_UID = enc.encode('vCal-Uid');

export function globalObjectId(uid: string, inst?: { y: number; mo: number; d: number }): Uint8Array {
  const prefix = GOID_PREFIX;
  let out: Uint8Array | undefined;
  if (uid.length >= 80 && uid.length % 2 === 0 && /^[0-9a-f]+$/i.test(uid) && uid.toUpperCase().startsWith(prefix)) {
    const b = Uint8Array.from(uid.match(/../g)!.map((h) => parseInt(h, 16)));
    const len = new DataView(b.buffer).getUint32(36, true);
    if (40 + len === b.length) out = b;
  }
  if (!out) {
    const u = enc.encode(uid);
    out = new Uint8Array(40 + 12 + u.length);
    out.set(GOID_PREFIX_BYTES, 0);
    new DataView(out.buffer).setUint32(36, 12 + u.length, true);
    out.set(VCAL_UID, 40);
    out[48] = 1;
    out.set(u, 52);
  } else out = out.slice();
  if (inst) {
    out[16] = inst.y >>> 8;
    out[17] = inst.y & 0xff;
    out[18] = inst.mo;
    out[19] = inst.d;
  }
  return out;
}

export function cleanGlobalObjectId(goid: Uint8Array): Uint8Array {
  const c = goid.slice();
  c[16] = c[17] = c[18] = c[19] = 0;
  return c;
}

function recipientRows(c: Component, props: Prop[], msg: MessageContent, ctx: CalContext) {
  const add = (p: ContentLine, organizer: boolean) => {
    const addr = mailto(p.value);
    if (!addr) {
      ctx.issue({ code: 'ICAL-NOT-MAILTO', severity: 'info', message: `${p.name} "${p.value.slice(0, 60)}" is not a MAILTO address; skipped`, offset: p.offset });
      return;
    }
    const cn = param(p, 'CN');
    const name = cn !== undefined && cn !== '' ? cn : addr;
    const eid = encodeOneOffEntryId(name, 'SMTP', addr);
    const role = (param(p, 'ROLE') ?? '').toUpperCase();
    const cutype = (param(p, 'CUTYPE') ?? '').toUpperCase();
    let rtype = 1;
    if (role === 'OPT-PARTICIPANT' || role === 'NON-PARTICIPANT') rtype = 2;
    if (cutype === 'RESOURCE' || cutype === 'ROOM') rtype = 3;
    msg.recipients.push([
      { tag: G.PR_ADDRTYPE, value: 'SMTP' },
      { tag: G.PR_EMAIL_ADDRESS, value: addr },
      { tag: G.PR_SMTP_ADDRESS, value: addr },
      { tag: G.PR_DISPLAY_NAME, value: name },
      { tag: G.PR_TRANSMITABLE_DISPLAY_NAME, value: name },
      { tag: G.PR_ENTRYID, value: eid },
      { tag: G.PR_RECIPIENT_ENTRYID, value: eid },
      { tag: G.PR_RECORD_KEY, value: eid },
      { tag: G.PR_RECIPIENT_TYPE, value: organizer ? 1 : rtype },
      { tag: G.PR_OBJECT_TYPE, value: 6 },
      { tag: G.PR_DISPLAY_TYPE, value: 0 },
      { tag: G.PR_RESPONSIBILITY, value: true },
      { tag: G.PR_RECIPIENT_FLAGS, value: organizer ? 0x103 : 0x201 },
    ]);
  };
  // rows in file order, the organizer among them (as gromox lists them)
  for (const p of c.props) {
    if (p.value === '') continue;
    if (p.name === 'ORGANIZER') add(p, true);
    else if (p.name === 'ATTENDEE') add(p, false);
  }
  const any = msg.recipients.length > 0;
  props.push({ tag: G.PR_RESPONSE_REQUESTED, value: any }, { tag: G.PR_REPLY_REQUESTED, value: any });
}

function organizerProps(c: Component, props: Prop[]) {
  const org = get(c, 'ORGANIZER');
  if (!org) return;
  const addr = mailto(org.value);
  const cn = param(org, 'CN');
  const name = cn !== undefined && cn !== '' ? cn : addr ?? org.value;
  props.push({ tag: G.PR_SENT_REPRESENTING_NAME, value: name }, { tag: G.PR_SENDER_NAME, value: name });
  if (!addr) return;
  const eid = encodeOneOffEntryId(name, 'SMTP', addr);
  const sk = searchKey(addr);
  props.push(
    { tag: G.PR_SENT_REPRESENTING_ADDRTYPE, value: 'SMTP' },
    { tag: G.PR_SENT_REPRESENTING_EMAIL_ADDRESS, value: addr },
    { tag: G.PR_SENT_REPRESENTING_SMTP_ADDRESS, value: addr },
    { tag: G.PR_SENT_REPRESENTING_ENTRYID, value: eid },
    { tag: G.PR_SENT_REPRESENTING_SEARCH_KEY, value: sk },
    { tag: G.PR_SENDER_ADDRTYPE, value: 'SMTP' },
    { tag: G.PR_SENDER_EMAIL_ADDRESS, value: addr },
    { tag: G.PR_SENDER_SMTP_ADDRESS, value: addr },
    { tag: G.PR_SENDER_ENTRYID, value: eid },
    { tag: G.PR_SENDER_SEARCH_KEY, value: sk },
  );
}

const BUSY: Record<string, number> = { FREE: 0, TENTATIVE: 1, BUSY: 2, OOF: 3, WORKINGELSEWHERE: 4 };

function busyStatus(c: Component): number | undefined {
  const x = (text(c, 'X-MICROSOFT-CDO-BUSYSTATUS') ?? text(c, 'X-MICROSOFT-MSNCALENDAR-BUSYSTATUS'))?.trim().toUpperCase();
  if (x !== undefined && x in BUSY) return BUSY[x];
  const tr = text(c, 'TRANSP')?.trim().toUpperCase();
  if (tr === 'TRANSPARENT') return 0;
  if (tr === 'OPAQUE') return 2;
  const st = text(c, 'STATUS')?.trim().toUpperCase();
  if (st === 'CANCELLED') return 0;
  if (st === 'TENTATIVE') return 1;
  if (st === 'CONFIRMED') return 2;
  return undefined;
}

function intendedStatus(c: Component): number | undefined {
  const x = (text(c, 'X-MICROSOFT-CDO-INTENDEDSTATUS') ?? text(c, 'X-MICROSOFT-MSNCALENDAR-INTENDEDSTATUS'))?.trim().toUpperCase();
  return x !== undefined && x in BUSY ? BUSY[x] : undefined;
}

function importance(c: Component): number {
  const x = text(c, 'X-MICROSOFT-CDO-IMPORTANCE') ?? text(c, 'X-MICROSOFT-MSNCALENDAR-IMPORTANCE');
  if (x !== undefined && /^\s*[0-2]\s*$/.test(x)) return +x;
  const p = text(c, 'PRIORITY');
  if (p !== undefined && /^\s*\d+\s*$/.test(p)) {
    const n = +p;
    if (n >= 1 && n <= 4) return 2;
    if (n === 5) return 1;
    if (n >= 6 && n <= 9) return 0;
  }
  return 1;
}

function attachments(c: Component, msg: MessageContent, ctx: CalContext) {
  let n = 0;
  for (const p of all(c, 'ATTACH')) {
    n++;
    const isBin = (param(p, 'VALUE') ?? '').toUpperCase() === 'BINARY' || (param(p, 'ENCODING') ?? '').toUpperCase() === 'BASE64';
    let name: string;
    let data: Uint8Array;
    let mime: string | undefined;
    if (isBin) {
      try {
        const b64 = p.value.replace(/\s+/g, '');
        const bin = atob(b64);
        data = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      } catch {
        ctx.issue({ code: 'ICAL-BAD-BASE64', severity: 'warning', message: 'ATTACH with invalid base64 skipped', offset: p.offset });
        continue;
      }
      name = param(p, 'X-FILENAME') ?? param(p, 'FILENAME') ?? `calendar_attachment${n}.dat`;
      mime = param(p, 'FMTTYPE') ?? param(p, 'FMTYPE');
    } else {
      const uri = unescapeText(p.value).trim();
      if (/^cid:/i.test(uri) || !uri) continue;
      const seg = uri.replace(/[?#].*$/, '').split('/').filter(Boolean).pop() ?? 'link';
      name = seg + '.url';
      data = enc.encode(`[InternetShortcut]\r\nURL=${uri}\r\n`);
    }
    const dot = name.lastIndexOf('.');
    const props: Prop[] = [
      { tag: G.PR_ATTACH_METHOD, value: 1 },
      { tag: G.PR_ATTACH_DATA_BIN, value: data },
      { tag: G.PR_ATTACH_LONG_FILENAME, value: name },
      { tag: G.PR_DISPLAY_NAME, value: name },
      { tag: G.PR_ATTACH_ENCODING, value: new Uint8Array(0) },
      { tag: G.PR_ATTACH_FLAGS, value: 0 },
      { tag: G.PR_ATTACHMENT_LINKID, value: 0 },
      { tag: G.PR_ATTACHMENT_CONTACTPHOTO, value: false },
      { tag: G.PR_EXCEPTION_STARTTIME, value: NO_DATE_FILETIME },
      { tag: G.PR_EXCEPTION_ENDTIME, value: NO_DATE_FILETIME },
      { tag: G.PR_RENDERING_POSITION, value: 0xffffffff },
    ];
    if (dot > 0) props.push({ tag: G.PR_ATTACH_EXTENSION, value: name.slice(dot) });
    if (mime) props.push({ tag: G.PR_ATTACH_MIME_TAG, value: mime });
    msg.attachments.push({ props });
  }
}

interface EventTimes {
  start: Zoned;
  end: Zoned;
  zone: TimeZone | null;
  /** TZID of DTSTART that resolved to a zone. */
  tzid?: string;
  allDay: boolean;
  duration: number;
}

function eventTimes(c: Component, ctx: CalContext, item: string): EventTimes {
  const ds = get(c, 'DTSTART');
  if (!ds) throw new ItemError('ICAL-NO-DTSTART', `VEVENT without DTSTART`);
  const tzid = cleanTzid(ds);
  let zone: TimeZone | null = null;
  if (tzid !== undefined) {
    zone = zonesOf(ctx).get(tzid);
    if (!zone)
      ctx.issue({ code: 'ICAL-UNKNOWN-TZID', severity: 'warning', message: `TZID "${tzid}" has no VTIMEZONE and is not a known zone; times taken as ${ctx.options.floatingTz ? ctx.options.floatingTz.keyName : 'UTC'}`, offset: ds.offset });
  }
  if (!zone && ctx.options.floatingTz) {
    const t0 = parseDateTime(ds.value);
    if (t0 && !t0.utc) zone = ctx.options.floatingTz;
  }
  const start = zoned(ctx, ds, zone);
  if (!start) throw new ItemError('ICAL-BAD-DTSTART', `DTSTART "${ds.value.slice(0, 40)}" is not a date-time`, ds.offset);
  let end: Zoned | undefined;
  const de = get(c, 'DTEND');
  if (de) {
    end = zoned(ctx, de, zone);
    const etz = cleanTzid(de);
    if (end && (etz ?? '') !== (tzid ?? ''))
      ctx.issue({ code: 'ICAL-DTEND-TZID', severity: 'info', message: `DTEND has another TZID than DTSTART (gromox rejects this); converted with each one's zone`, offset: de.offset });
  }
  if (!end) {
    const du = get(c, 'DURATION');
    const secs = du ? parseDuration(du.value) : undefined;
    if (du && secs === undefined) ctx.issue({ code: 'ICAL-BAD-DURATION', severity: 'warning', message: `DURATION "${du.value}" is malformed`, offset: du.offset });
    const add = secs !== undefined ? Math.floor(secs / 60) : start.t.date ? 1440 : 0;
    end = { utc: start.utc + add, sec: start.sec, local: start.local + add, t: start.t };
  }
  if (end.utc * 60 + end.sec < start.utc * 60 + start.sec) {
    ctx.issue({ code: 'ICAL-END-BEFORE-START', severity: 'warning', message: `DTEND is before DTSTART; end set to start (gromox rejects the file)` });
    end = { ...start };
  }
  const flag = (n: string) => text(c, n)?.trim().toUpperCase() === 'TRUE';
  const allDay =
    flag('X-MICROSOFT-CDO-ALLDAYEVENT') ||
    flag('X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT') ||
    (!start.t.utc && !end.t.utc && start.local % 1440 === 0 && end.local % 1440 === 0 && start.sec === 0 && (start.t.date || start.t.parts.h === 0));
  return { start, end, zone, tzid: zone ? tzid ?? zone.keyName : undefined, allDay, duration: end.utc - start.utc };
}

function reminder(c: Component, props: Prop[], startUtc: number, allDay: boolean, ctx: CalContext, endUtc = startUtc): { delta: number } | undefined {
  const alarm = c.subs.find((s) => s.name === 'VALARM');
  if (!alarm) return undefined;
  let delta = allDay ? 1080 : 15;
  const tr = get(alarm, 'TRIGGER');
  if (tr) {
    const d = parseDuration(tr.value);
    if (d !== undefined && (param(tr, 'RELATED') ?? '').toUpperCase() === 'END') {
      // relative to the end (gromox ignores RELATED): minutes before the start, at least 0
      const before = startUtc - (endUtc + Math.trunc(d / 60));
      delta = Math.max(0, before);
    } else if (d !== undefined) delta = Math.floor(Math.abs(d) / 60);
    else {
      const t = parseDateTime(tr.value);
      if (t) delta = Math.abs(startUtc - minutesFromParts(t.parts));
      else ctx.issue({ code: 'ICAL-BAD-TRIGGER', severity: 'info', message: `TRIGGER "${tr.value.slice(0, 40)}" not understood; default reminder used`, offset: tr.offset });
    }
  }
  props.push(
    namedProp(N.PidLidReminderDelta, delta),
    namedProp(N.PidLidReminderTime, ft(startUtc)),
    namedProp(N.PidLidReminderSignalTime, ft(startUtc - delta)),
    namedProp(N.PidLidReminderSet, true),
  );
  return { delta };
}

/** The message class for a VEVENT under `method`. */
export function eventClass(c: Component, method: string | undefined): { cls: string; proposal: boolean } {
  switch (method) {
    case 'REQUEST':
      return { cls: 'IPM.Schedule.Meeting.Request', proposal: false };
    case 'CANCEL':
      return { cls: 'IPM.Schedule.Meeting.Canceled', proposal: false };
    case 'REPLY':
    case 'COUNTER': {
      const a = get(c, 'ATTENDEE');
      const ps = a ? (param(a, 'PARTSTAT') ?? '').toUpperCase() : '';
      if (method === 'COUNTER') return ps === 'TENTATIVE' ? { cls: 'IPM.Schedule.Meeting.Resp.Tent', proposal: true } : { cls: 'IPM.Appointment', proposal: false };
      if (ps === 'ACCEPTED') return { cls: 'IPM.Schedule.Meeting.Resp.Pos', proposal: false };
      if (ps === 'TENTATIVE') return { cls: 'IPM.Schedule.Meeting.Resp.Tent', proposal: false };
      if (ps === 'DECLINED') return { cls: 'IPM.Schedule.Meeting.Resp.Neg', proposal: false };
      return { cls: 'IPM.Appointment', proposal: false };
    }
    default:
      return { cls: 'IPM.Appointment', proposal: false };
  }
}

interface EventResult {
  msg: MessageContent;
  times: EventTimes;
  busy?: number;
  reminderDelta?: number;
  subject?: string;
  location?: string;
}

/** Per-event properties shared by masters and exception messages. */
function eventMessage(c: Component, ctx: CalContext, cls: string, proposal: boolean, uid: string | undefined, item: string, exception: { recurrenceId: Zoned } | undefined): EventResult {
  const method = ctx.method;
  const props: Prop[] = [{ tag: G.PR_MESSAGE_CLASS, value: cls }];
  const msg: MessageContent = { props, recipients: [], attachments: [] };
  const times = eventTimes(c, ctx, item);
  if (!cls.startsWith('IPM.Appointment')) recipientRows(c, props, msg, ctx);
  commonProps(c, props, method === 'REPLY' || method === 'COUNTER' ? N.PidLidAttendeeCriticalChange : N.PidLidOwnerCriticalChange);
  body(c, props, method);
  const s = ft(times.start.utc, times.start.sec);
  const e = ft(times.end.utc, times.end.sec);
  const hasOrig = !!get(c, 'X-MS-OLK-ORIGINALSTART') || !!get(c, 'X-MS-OLK-ORIGINALEND');
  if (proposal) {
    props.push(namedProp(N.PidLidAppointmentCounterProposal, true), namedProp(N.PidLidAppointmentProposedStartWhole, s), namedProp(N.PidLidAppointmentProposedEndWhole, e));
  }
  if (!proposal || !hasOrig) {
    props.push(namedProp(N.PidLidAppointmentStartWhole, s), namedProp(N.PidLidCommonStart, s), { tag: G.PR_START_DATE, value: s });
    props.push(namedProp(N.PidLidAppointmentEndWhole, e), namedProp(N.PidLidCommonEnd, e), { tag: G.PR_END_DATE, value: e });
  }
  if (times.zone && times.tzid !== undefined) {
    const def = tzBlob(times.zone, 'display');
    props.push(namedProp(N.PidLidAppointmentTimeZoneDefinitionStartDisplay, def), namedProp(N.PidLidAppointmentTimeZoneDefinitionEndDisplay, def));
  }
  props.push(namedProp(N.PidLidAppointmentDuration, Math.max(0, Math.round(times.duration))));
  if (times.allDay) props.push(namedProp(N.PidLidAppointmentSubType, true));
  props.push(namedProp(N.PidLidAppointmentStateFlags, method === 'REQUEST' ? 3 : method === 'CANCEL' ? 7 : 0));
  if (method === 'REQUEST' || method === 'CANCEL') props.push(namedProp(N.PidLidResponseStatus, 5), namedProp(N.PidLidMeetingType, 0x00010001));
  if (exception) props.push(namedProp(N.PidLidExceptionReplaceTime, ft(exception.recurrenceId.utc, exception.recurrenceId.sec)));
  if (uid !== undefined) {
    // an instance (exception, or a lone RECURRENCE-ID component) carries its original date in the GOID
    const ridLine = exception ? undefined : get(c, 'RECURRENCE-ID');
    const inst = exception ? exception.recurrenceId.t.parts : ridLine ? parseDateTime(ridLine.value)?.parts : undefined;
    const goid = globalObjectId(uid, inst);
    props.push(namedProp(N.PidLidGlobalObjectId, goid), namedProp(N.PidLidCleanGlobalObjectId, cleanGlobalObjectId(goid)));
  }
  const locp = get(c, 'LOCATION');
  let location: string | undefined;
  if (locp && locp.value !== '') {
    location = unescapeText(locp.value).slice(0, 255); // gromox 3.10 keeps line breaks here

    props.push(namedProp(N.PidLidLocation, location));
    const alt = param(locp, 'ALTREP');
    if (alt) props.push(namedProp(N.PidNameLocationUrl, alt));
  }
  if (!cls.startsWith('IPM.Schedule.Meeting.Resp.')) organizerProps(c, props);
  props.push({ tag: G.PR_IMPORTANCE, value: importance(c) });
  const seq = text(c, 'X-MICROSOFT-CDO-APPT-SEQUENCE') ?? text(c, 'SEQUENCE');
  if (seq !== undefined && /^\s*\d+\s*$/.test(seq)) props.push(namedProp(N.PidLidAppointmentSequence, +seq >>> 0));
  let busy = busyStatus(c);
  let intended = intendedStatus(c);
  if (method === 'REQUEST') {
    // gromox: the REQUEST defaults look at the X-MICROSOFT lines only, before TRANSP/STATUS
    const xb = busyStatus({ ...c, props: c.props.filter((p) => p.name !== 'TRANSP' && p.name !== 'STATUS') });
    if (xb === undefined && intended === undefined) {
      intended = 2;
      busy = 1;
    } else if (intended === undefined) intended = busy;
  }
  if (busy !== undefined) props.push(namedProp(N.PidLidBusyStatus, busy));
  if (intended !== undefined) props.push(namedProp(N.PidLidIntendedBusyStatus, intended));
  const owner = text(c, 'X-MICROSOFT-CDO-OWNERAPPTID');
  if (owner !== undefined && /^\s*-?\d+\s*$/.test(owner)) props.push({ tag: G.PR_OWNER_APPT_ID, value: +owner >>> 0 });
  const dis = text(c, 'X-MICROSOFT-DISALLOW-COUNTER')?.trim().toUpperCase();
  if (dis === 'TRUE' || dis === 'FALSE') props.push(namedProp(N.PidLidAppointmentNotAllowPropose, dis === 'TRUE'));
  const sub = text(c, 'SUMMARY');
  const rem = reminder(c, props, times.start.utc, times.allDay, ctx, times.end.utc);
  attachments(c, msg, ctx);
  return { msg, times, busy, reminderDelta: rem?.delta, subject: sub !== undefined ? oneLine(sub) : undefined, location };
}

function exdates(ctx: CalContext, c: Component, zone: TimeZone | null, names: string[]): number[] {
  const out: number[] = [];
  for (const n of names)
    for (const p of all(c, n))
      for (const v of p.value.split(',')) {
        if (!v.trim()) continue;
        const z = zoned(ctx, p, zone, v);
        if (z) out.push(z.local);
      }
  return out;
}

type Value = { line: ContentLine; value: string };
const values = (c: Component, n: string): Value[] =>
  all(c, n).flatMap((line) => line.value.split(',').filter((v) => v.trim()).map((value) => ({ line, value: value.trim() })));

/**
 * RDATE on a recurring master, read Outlook-style as in gromox: the n-th RDATE is the new time of
 * the occurrence removed by the n-th EXDATE (a moved occurrence). Each pair becomes a synthetic
 * override component, so it gets an ExceptionInfo and an exception attachment like any other.
 * RDATEs without an EXDATE partner cannot be expressed in MAPI and are reported.
 */
function movedOccurrences(master: Component, ctx: CalContext, durationMin: number): Component[] {
  const rd = values(master, 'RDATE');
  if (!rd.length) return [];
  const ex = [...values(master, 'EXDATE'), ...values(master, 'X-MICROSOFT-EXDATE')];
  const out: Component[] = [];
  const drop = new Set(['RRULE', 'X-MICROSOFT-RRULE', 'EXDATE', 'X-MICROSOFT-EXDATE', 'RDATE', 'DTSTART', 'DTEND', 'DURATION', 'RECURRENCE-ID']);
  const base = master.props.filter((p) => !drop.has(p.name));
  for (let i = 0; i < Math.min(rd.length, ex.length); i++) {
    const r = rd[i]!;
    const e = ex[i]!;
    const [startV, endV] = r.value.split('/');
    const tz = r.line.params.filter((p) => p.name === 'TZID');
    const props: ContentLine[] = [
      ...base,
      { name: 'RECURRENCE-ID', params: e.line.params.filter((p) => p.name === 'TZID' || p.name === 'VALUE'), value: e.value, offset: e.line.offset },
      { name: 'DTSTART', params: tz, value: startV!, offset: r.line.offset },
    ];
    if (endV && !/^[+-]?P/i.test(endV)) props.push({ name: 'DTEND', params: tz, value: endV, offset: r.line.offset });
    else props.push({ name: 'DURATION', params: [], value: endV ?? `PT${Math.max(0, Math.round(durationMin))}M`, offset: r.line.offset });
    out.push({ name: 'VEVENT', props, subs: master.subs, offset: r.line.offset, end: r.line.offset });
  }
  if (rd.length > ex.length)
    ctx.issue({ code: 'ICAL-RDATE-DROPPED', severity: 'warning', message: `${rd.length - ex.length} RDATE(s) without a matching EXDATE cannot be expressed in MAPI; dropped (gromox rejects the file)`, offset: rd[ex.length]!.line.offset });
  return out;
}

/**
 * One VEVENT UID group: the master with RRULE plus its RECURRENCE-ID overrides → one message with
 * the recurrence blob and exception attachments.
 */
export function mapEventGroup(master: Component, overridesIn: Component[], ctx: CalContext, uid: string | undefined): MessageContent {
  let overrides = overridesIn;
  const item = uid !== undefined ? `UID ${uid}` : `VEVENT at byte ${master.offset}`;
  const { cls, proposal } = eventClass(master, ctx.method);
  const ev = eventMessage(master, ctx, cls, proposal, uid, item, undefined);
  const props = ev.msg.props;
  const rrLine = get(master, 'RRULE') ?? get(master, 'X-MICROSOFT-RRULE');
  if (all(master, 'RRULE').length > 1) ctx.issue({ code: 'ICAL-RRULE-MULTIPLE', severity: 'warning', message: `several RRULE lines; only the first is used`, offset: all(master, 'RRULE')[1]!.offset });
  let recurring = false;
  if (rrLine) {
    const rr = parseRRule(rrLine.value);
    const { times } = ev;
    const zone = times.zone;
    let untilLocal: number | undefined;
    if (rr?.until) {
      const u = zonedTime(ctx, rr.until.date ? { ...rr.until, parts: { ...rr.until.parts, h: 23, mi: 59, s: 59 } } : { ...rr.until, tzid: rr.until.utc ? undefined : times.start.t.tzid }, zone);
      untilLocal = u.local;
    }
    const mp = rr ? mapRRule(rr, times.start.local, untilLocal) : 'RRULE is malformed';
    if (typeof mp === 'string') {
      ctx.issue({ code: 'ICAL-RRULE-UNSUPPORTED', severity: 'warning', message: `${mp}; converted as a single appointment`, offset: rrLine.offset });
    } else {
      recurring = true;
      const p = mp.pattern;
      const startOff = times.start.local - Math.floor(times.start.local / 1440) * 1440;
      const durMin = Math.round(times.end.local - times.start.local);
      const deleted = new Set<number>();
      const ex = exdates(ctx, master, zone, ['EXDATE', 'X-MICROSOFT-EXDATE']);
      for (const d of ex) deleted.add(Math.floor(d / 1440) * 1440);
      overrides = [...overrides, ...movedOccurrences(master, ctx, times.duration)];
      const modified = new Set<number>();
      const exInfos: ExceptionInfo[] = [];
      const exAtts: AttachmentContent[] = [];
      for (const o of overrides) {
        const rid = get(o, 'RECURRENCE-ID')!;
        // A floating master's instances are wall-clock times: match RECURRENCE-ID by its wall clock
        // too, whatever TZID it carries (gromox does the same).
        const ridZ = !zone && !times.start.t.utc ? zoned(ctx, { ...rid, params: rid.params.filter((x) => x.name !== 'TZID') }, zone) : zoned(ctx, rid, zone);
        if (!ridZ) continue;
        let oev: EventResult;
        try {
          oev = eventMessage(o, ctx, EXCEPTION_CLASS, false, uid, item, { recurrenceId: ridZ });
        } catch (e) {
          if (!(e instanceof ItemError)) throw e;
          ctx.issue({ code: e.code, severity: 'warning', message: `${e.message}; this exception was skipped`, offset: o.offset });
          continue;
        }
        const origDay = Math.floor(ridZ.local / 1440) * 1440;
        deleted.add(origDay);
        modified.add(Math.floor(oev.times.start.local / 1440) * 1440);
        oev.msg.props.push(namedProp(N.PidLidRecurring, false));
        let flags = 0;
        const info: ExceptionInfo = {
          startDateTime: oev.times.start.local,
          endDateTime: oev.times.end.local,
          originalStartDate: ridZ.local,
          overrideFlags: 0,
        };
        if (oev.subject !== undefined) {
          flags |= ARO.SUBJECT;
          info.subject = oev.subject;
        }
        if (oev.location !== undefined) {
          flags |= ARO.LOCATION;
          info.location = oev.location;
        }
        if (oev.busy !== undefined) {
          flags |= ARO.BUSYSTATUS;
          info.busyStatus = oev.busy;
        }
        if (oev.times.allDay) {
          flags |= ARO.SUBTYPE;
          info.subType = 1;
        }
        if (oev.reminderDelta !== undefined) {
          flags |= ARO.REMINDERDELTA;
          info.reminderDelta = oev.reminderDelta;
        } else {
          flags |= ARO.REMINDER;
          info.reminderSet = 0;
        }
        info.overrideFlags = flags;
        exInfos.push(info);
        exAtts.push({
          props: [
            { tag: G.PR_ATTACH_METHOD, value: 5 },
            { tag: G.PR_RENDERING_POSITION, value: 0xffffffff },
            ...(oev.subject !== undefined ? [{ tag: G.PR_DISPLAY_NAME, value: oev.subject }] : []),
            { tag: G.PR_EXCEPTION_STARTTIME, value: ft(oev.times.start.local) },
            { tag: G.PR_EXCEPTION_ENDTIME, value: ft(oev.times.end.local) },
            { tag: G.PR_ATTACH_ENCODING, value: new Uint8Array(0) },
            { tag: G.PR_ATTACHMENT_FLAGS, value: 2 },
            { tag: G.PR_ATTACHMENT_LINKID, value: 0 },
            { tag: G.PR_ATTACH_FLAGS, value: 0 },
            { tag: G.PR_ATTACHMENT_HIDDEN, value: true },
            { tag: G.PR_ATTACHMENT_CONTACTPHOTO, value: false },
          ],
          embedded: oev.msg,
        });
      }
      const del = [...deleted].sort((a, b) => a - b).slice(0, 1024);
      if (deleted.size > 1024) ctx.issue({ code: 'ICAL-TOO-MANY-EXDATES', severity: 'warning', message: `more than 1024 deleted instances; the rest dropped` });
      p.deletedInstanceDates = del;
      p.modifiedInstanceDates = [...modified].sort((a, b) => a - b);
      exInfos.sort((a, b) => a.startDateTime - b.startDateTime);
      const blob = encodeAppointmentRecur({
        pattern: p,
        readerVersion2: 0x3006,
        writerVersion2: 0x3009,
        startTimeOffset: startOff,
        endTimeOffset: startOff + durMin,
        exceptions: exInfos,
      });
      props.push(namedProp(N.PidLidAppointmentRecur, blob), namedProp(N.PidLidRecurring, true), namedProp(N.PidLidRecurrenceType, mp.recurrenceType));
      props.push(namedProp(N.PidLidClipStart, ft(p.startDate)), namedProp(N.PidLidClipEnd, ft(p.endDate)));
      // gromox writes these only for a VTIMEZONE; Outlook needs them to expand any zoned series,
      // so zones from the built-in table get them too
      if (zone && times.tzid !== undefined) {
        props.push(
          namedProp(N.PidLidTimeZoneDescription, times.tzid),
          namedProp(N.PidLidTimeZoneStruct, tzBlob(zone, 'struct')),
          namedProp(N.PidLidAppointmentTimeZoneDefinitionRecur, tzBlob(zone, 'recur')),
        );
      }
      // exception attachments stay in file order (gromox does the same; the blob arrays are sorted)
      ev.msg.attachments.push(...exAtts);
    }
  }
  if (!recurring) {
    props.push(namedProp(N.PidLidRecurring, false));
    if (overrides.length)
      ctx.issue({ code: 'ICAL-ORPHAN-OVERRIDE', severity: 'warning', message: `${overrides.length} RECURRENCE-ID component(s) without a recurring master; converted as separate appointments` });
  }
  return ev.msg;
}

/** A lone VEVENT (no RRULE, or an override without master) as a plain appointment. */
export function mapSingleEvent(c: Component, ctx: CalContext, uid: string | undefined): MessageContent {
  return mapEventGroup(c, [], ctx, uid);
}

const TASK_STATUS: Record<string, number> = { 'NEEDS-ACTION': 0, 'IN-PROCESS': 1, 'IN-PROGRESS': 1, COMPLETED: 2, CANCELLED: 4 };

/** VTODO → IPM.Task ([MS-OXOTASK]; reference §3.7). */
export function mapTodo(c: Component, ctx: CalContext, uid: string | undefined): MessageContent {
  const props: Prop[] = [{ tag: G.PR_MESSAGE_CLASS, value: 'IPM.Task' }];
  commonProps(c, props, N.PidLidOwnerCriticalChange);
  body(c, props);
  const st = text(c, 'STATUS')?.trim().toUpperCase();
  const status = st !== undefined ? TASK_STATUS[st] ?? 0 : 0;
  props.push(namedProp(N.PidLidTaskStatus, status));
  let complete = status === 2;
  const pc = text(c, 'PERCENT-COMPLETE');
  if (pc !== undefined && /^\s*\d+\s*$/.test(pc)) props.push(namedProp(N.PidLidPercentComplete, Math.min(100, +pc) / 100));
  const zoneOf = (p: ContentLine | undefined) => {
    if (!p) return null;
    const tz = cleanTzid(p);
    return tz !== undefined ? zonesOf(ctx).get(tz) : null;
  };
  const when = (n: string, def: N.NamedDef) => {
    const p = get(c, n);
    const z = zoned(ctx, p, zoneOf(p));
    if (z) props.push(namedProp(def, ft(z.utc, z.sec)));
    return z;
  };
  when('DTSTART', N.PidLidTaskStartDate);
  when('DUE', N.PidLidTaskDueDate);
  if (when('COMPLETED', N.PidLidTaskDateCompleted)) complete = true;
  if (complete) props.push(namedProp(N.PidLidTaskComplete, true));
  const s = get(c, 'DTSTART') ?? get(c, 'DUE');
  const sz = s ? zoned(ctx, s, zoneOf(s)) : undefined;
  // reminder: an improvement over gromox, which drops VALARM on tasks
  if (sz) reminder(c, props, sz.utc, sz.t.date, ctx);
  if (uid !== undefined) {
    const goid = globalObjectId(uid);
    props.push(namedProp(N.PidLidGlobalObjectId, goid), namedProp(N.PidLidCleanGlobalObjectId, cleanGlobalObjectId(goid)));
  }
  return { props, recipients: [], attachments: [] };
}

/** VJOURNAL → IPM.Activity (reference §3.7). */
export function mapJournal(c: Component, ctx: CalContext, uid: string | undefined): MessageContent {
  void uid;
  const props: Prop[] = [{ tag: G.PR_MESSAGE_CLASS, value: 'IPM.Activity' }];
  commonProps(c, props, N.PidLidOwnerCriticalChange);
  body(c, props);
  return { props, recipients: [], attachments: [] };
}

