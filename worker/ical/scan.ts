/**
 * First pass over an iCalendar file: where each calendar item (VEVENT/VTODO/VJOURNAL) starts and
 * ends, its UID and whether it is an override (RECURRENCE-ID), plus each VCALENDAR's METHOD,
 * X-MICROSOFT-CALSCALE and VTIMEZONEs. Only this index stays in memory; the mapper re-reads one
 * UID group at a time. Unlike gromox, every VCALENDAR in the file is read, and components outside
 * any VCALENDAR (a bare VJOURNAL) are accepted.
 */
import type { ByteSource } from '../io/byte-source.ts';
import { logicalLines, parseContentLine, unescapeText, type Component, type LexOptions } from './lexer.ts';

export interface CalendarInfo {
  index: number;
  method?: string;
  calscale?: string;
  timezones: Map<string, Component>;
  /** True for components found outside any VCALENDAR. */
  bare: boolean;
}

export interface ItemRef {
  kind: 'VEVENT' | 'VTODO' | 'VJOURNAL';
  uid?: string;
  recurrenceId: boolean;
  rrule: boolean;
  calendar: number;
  offset: number;
  end: number;
  /** END line missing: the item runs to the end of its calendar or the file (converted with a warning). */
  truncated: boolean;
}

const KINDS: ItemRef['kind'][] = ['VEVENT', 'VTODO', 'VJOURNAL'];

/**
 * The item index as parallel typed arrays: a 100 MiB calendar has hundreds of thousands of items,
 * and one small object per item is what dominated memory and GC time.
 */
export class ItemTable {
  length = 0;
  private offset = new Float64Array(1024);
  private end = new Float64Array(1024);
  private cal = new Uint32Array(1024);
  /** bits 0-1 kind, 2 recurrenceId, 3 rrule, 4 truncated */
  private flags = new Uint8Array(1024);
  private uids: (string | undefined)[] = [];

  push(r: ItemRef): void {
    if (this.length === this.offset.length) {
      const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.offset = grow(this.offset);
      this.end = grow(this.end);
      this.cal = grow(this.cal);
      this.flags = grow(this.flags);
    }
    const i = this.length++;
    this.offset[i] = r.offset;
    this.end[i] = r.end;
    this.cal[i] = r.calendar;
    this.flags[i] = KINDS.indexOf(r.kind) | (r.recurrenceId ? 4 : 0) | (r.rrule ? 8 : 0) | (r.truncated ? 16 : 0);
    this.uids.push(r.uid);
  }

  get(i: number): ItemRef {
    const f = this.flags[i]!;
    return {
      kind: KINDS[f & 3]!,
      uid: this.uids[i],
      recurrenceId: (f & 4) !== 0,
      rrule: (f & 8) !== 0,
      calendar: this.cal[i]!,
      offset: this.offset[i]!,
      end: this.end[i]!,
      truncated: (f & 16) !== 0,
    };
  }

  kind(i: number): ItemRef['kind'] {
    return KINDS[this.flags[i]! & 3]!;
  }
  uid(i: number): string | undefined {
    return this.uids[i];
  }
  calendar(i: number): number {
    return this.cal[i]!;
  }
}

export interface ScanResult {
  calendars: CalendarInfo[];
  items: ItemTable;
  /** Other top-level components (VFREEBUSY, VAVAILABILITY, X-…) that are not converted. */
  ignored: { name: string; offset: number }[];
  /** Non-blank lines outside any component that are not BEGIN lines. */
  junkLines: number;
}

const ITEM = new Set(['VEVENT', 'VTODO', 'VJOURNAL']);

export async function scanICal(src: ByteSource, opts: LexOptions = {}): Promise<ScanResult> {
  const calendars: CalendarInfo[] = [];
  const items = new ItemTable();
  const ignored: { name: string; offset: number }[] = [];
  let junkLines = 0;
  let cal: CalendarInfo | undefined;
  let bare: CalendarInfo | undefined;
  // the top-level component we are in (inside cal, or bare), its depth tracking
  let item: ItemRef | undefined;
  let tzStack: Component[] | undefined;
  const names: string[] = []; // BEGIN stack below the calendar level
  const itemBase = (): CalendarInfo => {
    if (cal) return cal;
    if (!bare) {
      bare = { index: calendars.length, timezones: new Map(), bare: true };
      calendars.push(bare);
    }
    return bare;
  };
  for await (const raw of logicalLines(src, 0, src.size, opts)) {
    const first = raw.bytes[0] ?? 0;
    const upper = first & 0xdf;
    // fast paths: inside an item only BEGIN/END matter, plus UID, RECURRENCE-ID, RRULE and
    // X-MICROSOFT-RRULE on the item itself; everything else is skipped without decoding
    if (item && upper !== 0x42 && upper !== 0x45) {
      if (names.length > 1) continue;
      if (upper !== 0x55 && upper !== 0x52 && upper !== 0x58) continue;
    }
    const l = parseContentLine(raw.text, raw.offset);
    if (!l) {
      if (!cal && !names.length) junkLines++;
      continue;
    }
    if (l.name === 'BEGIN') {
      const name = l.value.trim().toUpperCase();
      if (!cal && !names.length && name === 'VCALENDAR') {
        cal = { index: calendars.length, timezones: new Map(), bare: false };
        calendars.push(cal);
        continue;
      }
      if (!names.length) {
        const base = itemBase();
        if (ITEM.has(name)) {
          item = { kind: name as ItemRef['kind'], recurrenceId: false, rrule: false, calendar: base.index, offset: raw.offset, end: raw.end, truncated: false };
        } else if (name === 'VTIMEZONE') {
          tzStack = [{ name, props: [], subs: [], offset: raw.offset, end: raw.end }];
        } else ignored.push({ name, offset: raw.offset });
        names.push(name);
        continue;
      }
      names.push(name);
      if (tzStack) {
        const c: Component = { name, props: [], subs: [], offset: raw.offset, end: raw.end };
        tzStack[tzStack.length - 1]!.subs.push(c);
        tzStack.push(c);
      }
      continue;
    }
    if (l.name === 'END') {
      const name = l.value.trim().toUpperCase();
      if (!names.length) {
        if (cal && name === 'VCALENDAR') cal = undefined;
        continue;
      }
      const at = names.lastIndexOf(name);
      if (at < 0) {
        if (name === 'VCALENDAR' && cal) {
          // END:VCALENDAR while a component is open: that component is truncated
          if (item) {
            item.truncated = true;
            item.end = raw.offset;
            items.push(item);
          }
          item = undefined;
          tzStack = undefined;
          names.length = 0;
          cal = undefined;
        }
        continue; // other stray ENDs: the lexer of pass 2 reports them
      }
      names.length = at;
      const tzRoot = tzStack?.[0];
      if (tzStack) tzStack.length = Math.min(tzStack.length, at);
      if (at === 0) {
        if (item) {
          item.end = raw.end;
          items.push(item);
        }
        if (tzRoot) {
          const tz = tzRoot;
          tz.end = raw.end;
          const id = tz.props.find((p) => p.name === 'TZID');
          if (id) itemBase().timezones.set(unescapeText(id.value).trim(), tz);
        }
        item = undefined;
        tzStack = undefined;
      }
      continue;
    }
    if (!names.length) {
      if (cal) {
        if (l.name === 'METHOD') cal.method = l.value.trim().toUpperCase();
        else if (l.name === 'X-MICROSOFT-CALSCALE') cal.calscale = l.value.trim();
      } else junkLines++;
      continue;
    }
    if (tzStack) {
      tzStack[tzStack.length - 1]!.props.push(l);
      continue;
    }
    if (item && names.length === 1) {
      if (l.name === 'UID') item.uid ??= unescapeText(l.value); // not trimmed: the GOID carries the UID byte for byte (as gromox)
      else if (l.name === 'RECURRENCE-ID') item.recurrenceId = true;
      else if (l.name === 'RRULE' || l.name === 'X-MICROSOFT-RRULE') item.rrule = true;
      item.end = raw.end;
    }
  }
  if (item) {
    item.truncated = true;
    item.end = src.size;
    items.push(item);
  }
  return { calendars, items, ignored, junkLines };
}
