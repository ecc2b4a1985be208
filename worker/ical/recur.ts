/**
 * The Outlook recurrence blob, [MS-OXOCAL] 2.2.1.44: RecurrencePattern (2.2.1.44.1) wrapped in an
 * AppointmentRecurrencePattern (2.2.1.44.5) with ExceptionInfo (2.2.1.44.2) and ExtendedException
 * (2.2.1.44.3) records. Encoder and decoder live together so every blob we write can be read back
 * in tests and compared with the spec's section 4.1 examples. The decoder treats the blob as
 * untrusted input: every count is checked against the bytes that remain.
 */

export const RecurFrequency = { Daily: 0x200a, Weekly: 0x200b, Monthly: 0x200c, Yearly: 0x200d } as const;
export const PatternType = { Day: 0, Week: 1, Month: 2, MonthNth: 3, MonthEnd: 4, HjMonth: 0xa, HjMonthNth: 0xb, HjMonthEnd: 0xc } as const;
export const EndType = { EndDate: 0x2021, AfterN: 0x2022, NoEnd: 0x2023, NoEnd2: 0xffffffff } as const;
/** EndDate value for rules without an end ("end date missing"). */
export const NO_END_DATE = 0x5ae980df;

/** ExceptionInfo.OverrideFlags, [MS-OXOCAL] 2.2.1.44.2. */
export const ARO = {
  SUBJECT: 0x0001,
  MEETINGTYPE: 0x0002,
  REMINDERDELTA: 0x0004,
  REMINDER: 0x0008,
  LOCATION: 0x0010,
  BUSYSTATUS: 0x0020,
  ATTACHMENT: 0x0040,
  SUBTYPE: 0x0080,
  APPTCOLOR: 0x0100,
  EXCEPTIONAL_BODY: 0x0200,
} as const;

/** [MS-OXOCAL] 2.2.1.44.1 RecurrencePattern. Dates are minutes since 1601-01-01 (local time). */
export interface RecurrencePattern {
  readerVersion: number;
  writerVersion: number;
  recurFrequency: number;
  patternType: number;
  calendarType: number;
  firstDateTime: number;
  period: number;
  slidingFlag: number;
  /** Week: day mask; Month/MonthEnd: day; MonthNth: [day mask, N]. */
  patternTypeSpecific: number[];
  endType: number;
  occurrenceCount: number;
  firstDOW: number;
  deletedInstanceDates: number[];
  modifiedInstanceDates: number[];
  startDate: number;
  endDate: number;
}

/** [MS-OXOCAL] 2.2.1.44.2 plus the matching 2.2.1.44.3 ExtendedException (strings as JS text). */
export interface ExceptionInfo {
  startDateTime: number;
  endDateTime: number;
  originalStartDate: number;
  overrideFlags: number;
  subject?: string;
  meetingType?: number;
  reminderDelta?: number;
  reminderSet?: number;
  location?: string;
  busyStatus?: number;
  attachment?: number;
  subType?: number;
  appointmentColor?: number;
  /** ExtendedException.ChangeHighlight value (written when WriterVersion2 >= 0x3009). */
  changeHighlight?: number;
}

/** [MS-OXOCAL] 2.2.1.44.5 AppointmentRecurrencePattern. */
export interface AppointmentRecurrencePattern {
  pattern: RecurrencePattern;
  readerVersion2: number;
  writerVersion2: number;
  startTimeOffset: number;
  endTimeOffset: number;
  exceptions: ExceptionInfo[];
}

class Writer {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  len = 0;
  private need(n: number) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  u16(v: number) {
    this.need(2);
    this.dv.setUint16(this.len, v & 0xffff, true);
    this.len += 2;
  }
  u32(v: number) {
    this.need(4);
    this.dv.setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }
  bytes(b: Uint8Array) {
    this.need(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  result() {
    return this.buf.slice(0, this.len);
  }
}

export class RecurBlobError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

class Reader {
  private dv: DataView;
  pos = 0;
  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number, field: string) {
    if (this.pos + n > this.b.length) throw new RecurBlobError(field, `blob ends at ${this.b.length}, need ${n} bytes at ${this.pos}`);
  }
  u16(field: string) {
    this.need(2, field);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(field: string) {
    this.need(4, field);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  bytes(n: number, field: string) {
    this.need(n, field);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  get remaining() {
    return this.b.length - this.pos;
  }
}

/** Bytes of a Latin-1/8-bit ExceptionInfo string. gromox writes UTF-8 bytes there; so do we. */
const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
function utf16le(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i * 2] = c & 0xff;
    out[i * 2 + 1] = c >>> 8;
  }
  return out;
}
function fromUtf16le(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i]! | (b[i + 1]! << 8));
  return s;
}

function writePattern(w: Writer, p: RecurrencePattern) {
  w.u16(p.readerVersion);
  w.u16(p.writerVersion);
  w.u16(p.recurFrequency);
  w.u16(p.patternType);
  w.u16(p.calendarType);
  w.u32(p.firstDateTime);
  w.u32(p.period);
  w.u32(p.slidingFlag);
  for (const v of p.patternTypeSpecific) w.u32(v);
  w.u32(p.endType);
  w.u32(p.occurrenceCount);
  w.u32(p.firstDOW);
  w.u32(p.deletedInstanceDates.length);
  for (const d of p.deletedInstanceDates) w.u32(d);
  w.u32(p.modifiedInstanceDates.length);
  for (const d of p.modifiedInstanceDates) w.u32(d);
  w.u32(p.startDate);
  w.u32(p.endDate);
}

/** Number of u32 PatternTypeSpecific fields for a pattern type ([MS-OXOCAL] 2.2.1.44.1). */
export function patternSpecificCount(patternType: number): number {
  switch (patternType) {
    case PatternType.Day:
      return 0;
    case PatternType.Week:
    case PatternType.Month:
    case PatternType.MonthEnd:
    case PatternType.HjMonth:
    case PatternType.HjMonthEnd:
      return 1;
    case PatternType.MonthNth:
    case PatternType.HjMonthNth:
      return 2;
    default:
      return -1;
  }
}

/** Encode a bare RecurrencePattern (tasks use this alone; appointments wrap it). */
export function encodeRecurrencePattern(p: RecurrencePattern): Uint8Array {
  const w = new Writer();
  writePattern(w, p);
  return w.result();
}

/** Encode PidLidAppointmentRecur. */
export function encodeAppointmentRecur(a: AppointmentRecurrencePattern): Uint8Array {
  const w = new Writer();
  writePattern(w, a.pattern);
  w.u32(a.readerVersion2);
  w.u32(a.writerVersion2);
  w.u32(a.startTimeOffset);
  w.u32(a.endTimeOffset);
  w.u16(a.exceptions.length);
  for (const e of a.exceptions) {
    w.u32(e.startDateTime);
    w.u32(e.endDateTime);
    w.u32(e.originalStartDate);
    w.u16(e.overrideFlags);
    if (e.overrideFlags & ARO.SUBJECT) {
      const s = utf8.encode(e.subject ?? '');
      w.u16(s.length + 1);
      w.u16(s.length);
      w.bytes(s);
    }
    if (e.overrideFlags & ARO.MEETINGTYPE) w.u32(e.meetingType ?? 0);
    if (e.overrideFlags & ARO.REMINDERDELTA) w.u32(e.reminderDelta ?? 0);
    if (e.overrideFlags & ARO.REMINDER) w.u32(e.reminderSet ?? 0);
    if (e.overrideFlags & ARO.LOCATION) {
      const s = utf8.encode(e.location ?? '');
      w.u16(s.length + 1);
      w.u16(s.length);
      w.bytes(s);
    }
    if (e.overrideFlags & ARO.BUSYSTATUS) w.u32(e.busyStatus ?? 0);
    if (e.overrideFlags & ARO.ATTACHMENT) w.u32(e.attachment ?? 0);
    if (e.overrideFlags & ARO.SUBTYPE) w.u32(e.subType ?? 0);
    if (e.overrideFlags & ARO.APPTCOLOR) w.u32(e.appointmentColor ?? 0);
  }
  w.u32(0); // ReservedBlock1Size
  for (const e of a.exceptions) {
    if (a.writerVersion2 >= 0x3009) {
      w.u32(4); // ChangeHighlightSize
      w.u32(e.changeHighlight ?? 0);
    }
    w.u32(0); // ReservedBlockEE1Size
    if (e.overrideFlags & (ARO.SUBJECT | ARO.LOCATION)) {
      w.u32(e.startDateTime);
      w.u32(e.endDateTime);
      w.u32(e.originalStartDate);
      if (e.overrideFlags & ARO.SUBJECT) {
        const s = e.subject ?? '';
        w.u16(s.length);
        w.bytes(utf16le(s));
      }
      if (e.overrideFlags & ARO.LOCATION) {
        const s = e.location ?? '';
        w.u16(s.length);
        w.bytes(utf16le(s));
      }
      w.u32(0); // ReservedBlockEE2Size
    }
  }
  w.u32(0); // ReservedBlock2Size
  return w.result();
}

const MAX_DATES = 0x10000;

function readPattern(r: Reader): RecurrencePattern {
  const readerVersion = r.u16('ReaderVersion');
  const writerVersion = r.u16('WriterVersion');
  if (readerVersion !== 0x3004) throw new RecurBlobError('ReaderVersion', `expected 0x3004, got 0x${readerVersion.toString(16)}`);
  const recurFrequency = r.u16('RecurFrequency');
  if (recurFrequency < 0x200a || recurFrequency > 0x200d) throw new RecurBlobError('RecurFrequency', `unknown value 0x${recurFrequency.toString(16)}`);
  const patternType = r.u16('PatternType');
  const n = patternSpecificCount(patternType);
  if (n < 0) throw new RecurBlobError('PatternType', `unknown value 0x${patternType.toString(16)}`);
  const calendarType = r.u16('CalendarType');
  const firstDateTime = r.u32('FirstDateTime');
  const period = r.u32('Period');
  const slidingFlag = r.u32('SlidingFlag');
  const patternTypeSpecific: number[] = [];
  for (let i = 0; i < n; i++) patternTypeSpecific.push(r.u32('PatternTypeSpecific'));
  const endType = r.u32('EndType');
  const occurrenceCount = r.u32('OccurrenceCount');
  const firstDOW = r.u32('FirstDOW');
  const dates = (field: string) => {
    const c = r.u32(field + 'Count');
    if (c > MAX_DATES || c * 4 > r.remaining) throw new RecurBlobError(field + 'Count', `${c} dates do not fit the blob`);
    const out: number[] = [];
    for (let i = 0; i < c; i++) out.push(r.u32(field + 'Dates'));
    return out;
  };
  const deletedInstanceDates = dates('DeletedInstance');
  const modifiedInstanceDates = dates('ModifiedInstance');
  const startDate = r.u32('StartDate');
  const endDate = r.u32('EndDate');
  return {
    readerVersion, writerVersion, recurFrequency, patternType, calendarType, firstDateTime, period, slidingFlag,
    patternTypeSpecific, endType, occurrenceCount, firstDOW, deletedInstanceDates, modifiedInstanceDates, startDate, endDate,
  };
}

export function decodeRecurrencePattern(b: Uint8Array): RecurrencePattern {
  return readPattern(new Reader(b));
}

/** Decode PidLidAppointmentRecur; throws RecurBlobError naming the field that failed. */
export function decodeAppointmentRecur(b: Uint8Array): AppointmentRecurrencePattern {
  const r = new Reader(b);
  const pattern = readPattern(r);
  const readerVersion2 = r.u32('ReaderVersion2');
  const writerVersion2 = r.u32('WriterVersion2');
  const startTimeOffset = r.u32('StartTimeOffset');
  const endTimeOffset = r.u32('EndTimeOffset');
  const count = r.u16('ExceptionCount');
  if (count * 14 > r.remaining) throw new RecurBlobError('ExceptionCount', `${count} exceptions do not fit the blob`);
  const exceptions: ExceptionInfo[] = [];
  const str8 = (field: string) => {
    const l = r.u16(field + 'Length');
    const l2 = r.u16(field + 'Length2');
    if (l !== l2 + 1) throw new RecurBlobError(field + 'Length', `${l} is not ${field}Length2 + 1 (${l2 + 1})`);
    return utf8d.decode(r.bytes(l2, field));
  };
  for (let i = 0; i < count; i++) {
    const e: ExceptionInfo = {
      startDateTime: r.u32('ExceptionInfo.StartDateTime'),
      endDateTime: r.u32('ExceptionInfo.EndDateTime'),
      originalStartDate: r.u32('ExceptionInfo.OriginalStartDate'),
      overrideFlags: r.u16('ExceptionInfo.OverrideFlags'),
    };
    const f = e.overrideFlags;
    if (f & ARO.SUBJECT) e.subject = str8('ExceptionInfo.Subject');
    if (f & ARO.MEETINGTYPE) e.meetingType = r.u32('ExceptionInfo.MeetingType');
    if (f & ARO.REMINDERDELTA) e.reminderDelta = r.u32('ExceptionInfo.ReminderDelta');
    if (f & ARO.REMINDER) e.reminderSet = r.u32('ExceptionInfo.ReminderSet');
    if (f & ARO.LOCATION) e.location = str8('ExceptionInfo.Location');
    if (f & ARO.BUSYSTATUS) e.busyStatus = r.u32('ExceptionInfo.BusyStatus');
    if (f & ARO.ATTACHMENT) e.attachment = r.u32('ExceptionInfo.Attachment');
    if (f & ARO.SUBTYPE) e.subType = r.u32('ExceptionInfo.SubType');
    if (f & ARO.APPTCOLOR) e.appointmentColor = r.u32('ExceptionInfo.AppointmentColor');
    exceptions.push(e);
  }
  const rb1 = r.u32('ReservedBlock1Size');
  r.bytes(rb1, 'ReservedBlock1');
  for (const e of exceptions) {
    if (writerVersion2 >= 0x3009) {
      const chs = r.u32('ExtendedException.ChangeHighlightSize');
      const ch = r.bytes(chs, 'ExtendedException.ChangeHighlight');
      if (chs >= 4) e.changeHighlight = new DataView(ch.buffer, ch.byteOffset, 4).getUint32(0, true);
    }
    const ee1 = r.u32('ExtendedException.ReservedBlockEE1Size');
    r.bytes(ee1, 'ExtendedException.ReservedBlockEE1');
    if (e.overrideFlags & (ARO.SUBJECT | ARO.LOCATION)) {
      const sd = r.u32('ExtendedException.StartDateTime');
      const ed = r.u32('ExtendedException.EndDateTime');
      const od = r.u32('ExtendedException.OriginalStartDate');
      if (sd !== e.startDateTime || ed !== e.endDateTime || od !== e.originalStartDate)
        throw new RecurBlobError('ExtendedException.StartDateTime', 'dates differ from the matching ExceptionInfo');
      if (e.overrideFlags & ARO.SUBJECT) {
        const l = r.u16('ExtendedException.WideCharSubjectLength');
        e.subject = fromUtf16le(r.bytes(l * 2, 'ExtendedException.WideCharSubject'));
      }
      if (e.overrideFlags & ARO.LOCATION) {
        const l = r.u16('ExtendedException.WideCharLocationLength');
        e.location = fromUtf16le(r.bytes(l * 2, 'ExtendedException.WideCharLocation'));
      }
      const ee2 = r.u32('ExtendedException.ReservedBlockEE2Size');
      r.bytes(ee2, 'ExtendedException.ReservedBlockEE2');
    }
  }
  const rb2 = r.u32('ReservedBlock2Size');
  r.bytes(rb2, 'ReservedBlock2');
  return { pattern, readerVersion2, writerVersion2, startTimeOffset, endTimeOffset, exceptions };
}
