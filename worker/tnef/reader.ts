/**
 * TNEF reader ([MS-OXTNEF] 2.1.3): a winmail.dat stream or a .tnef file to MessageContent with the
 * full MAPI property set — attMsgProps, attRecipTable and per-attachment attAttachment carry real
 * MAPI properties; the legacy attributes (attSubject, attDateSent, attAttachData, …) fill in what
 * they lack, as gromox's tnef_deserialize does (reference §5). Embedded messages (PT_OBJECT with
 * IID_IMessage) recurse. 8-bit strings are decoded with the stream's OEM code page and stored as
 * PT_UNICODE; PidTagMid, PR_ENTRYID and PR_SEARCH_KEY of the message are dropped, and recipient
 * entry IDs are rebuilt as one-off IDs from PR_SMTP_ADDRESS.
 *
 * A TNEF part is small next to its MIME message and is decoded in memory; every length is checked
 * against the bytes left before anything is allocated. Damage becomes findings: a bad checksum is
 * reported and the attribute used; a truncated attribute ends the stream with what was read.
 * Unlike gromox, attribute order is not enforced (attTnefVersion/attOemCodepage first).
 */
import type { FindingSink } from '../findings.ts';
import * as T from '../mapi/types.ts';
import type { AttachmentContent, MessageContent, Prop, PropValue } from '../mapi/types.ts';
import * as P from '../mapi/tags.ts';
import { decodeCodepage } from '../text/codepage.ts';
import { encodeOneOffEntryId } from '../mapi/entryid.ts';

export const TNEF_SIGNATURE = 0x223e9f78;

/** [MS-OXTNEF] 2.1.3.3 attribute identifiers (type << 16 | id). */
export const att = {
  Owner: 0x00060000,
  SentFor: 0x00060001,
  Delegate: 0x00060002,
  DateStart: 0x00030006,
  DateEnd: 0x00030007,
  AidOwner: 0x00050008,
  RequestRes: 0x00040009,
  From: 0x00008000,
  Subject: 0x00018004,
  DateSent: 0x00038005,
  DateRecd: 0x00038006,
  MessageStatus: 0x00068007,
  MessageClass: 0x00078008,
  MessageID: 0x00018009,
  ParentID: 0x0001800a,
  ConversationID: 0x0001800b,
  Body: 0x0002800c,
  Priority: 0x0004800d,
  AttachData: 0x0006800f,
  AttachTitle: 0x00018010,
  AttachMetaFile: 0x00068011,
  AttachCreateDate: 0x00038012,
  AttachModifyDate: 0x00038013,
  DateModified: 0x00038020,
  AttachTransportFilename: 0x00069001,
  AttachRendData: 0x00069002,
  MsgProps: 0x00069003,
  RecipTable: 0x00069004,
  Attachment: 0x00069005,
  TnefVersion: 0x00089006,
  OemCodepage: 0x00069007,
  OriginalMessageClass: 0x00070600,
} as const;

/** OID_MAC_BINARY 1.2.840.113556.3.11.1 ([MS-OXTNEF] 2.1.3.3.17 attAttachRendData DataFlags). */
const OID_MAC_BINARY = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x14, 0x03, 0x0b, 0x01);

const LVL_MESSAGE = 1;
const LVL_ATTACHMENT = 2;

/** IID_IMessage {00020307-0000-0000-C000-000000000046} in Microsoft byte order. */
const IID_IMESSAGE = T.guidToBytes('00020307-0000-0000-c000-000000000046');

export interface TnefOptions {
  findings?: FindingSink;
  item?: string;
  /** Code page when the stream has no attOemCodepage (default 1252). */
  codepage?: number;
  /** Nesting depth of embedded messages (internal). */
  depth?: number;
}

class Truncated extends Error {}

class Cursor {
  pos = 0;
  private readonly dv: DataView;
  constructor(readonly b: Uint8Array, readonly end = b.length) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new Truncated(`needs ${n} bytes at ${this.pos}, ${this.end - this.pos} left`);
  }
  u8(): number { this.need(1); return this.b[this.pos++]!; }
  u16(): number { this.need(2); const v = this.dv.getUint16(this.pos, true); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.dv.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.dv.getInt32(this.pos, true); this.pos += 4; return v; }
  f32(): number { this.need(4); const v = this.dv.getFloat32(this.pos, true); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.dv.getFloat64(this.pos, true); this.pos += 8; return v; }
  i64(): bigint { this.need(8); const v = this.dv.getBigInt64(this.pos, true); this.pos += 8; return v; }
  u64(): bigint { this.need(8); const v = this.dv.getBigUint64(this.pos, true); this.pos += 8; return v; }
  bytes(n: number): Uint8Array { this.need(n); const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  pad4(n: number): void { const p = (4 - (n % 4)) % 4; this.pos = Math.min(this.end, this.pos + p); }
}

/** A decoded property before code-page conversion (8-bit strings kept as bytes). */
interface RawProp {
  tag: number;
  name?: T.PropertyName;
  value: PropValue | Uint8Array | Uint8Array[];
  /** PT_STRING8 / PT_MV_STRING8 bytes awaiting the code page. */
  str8?: boolean;
}

const utf16 = new TextDecoder('utf-16le');
const trimNul = (s: string) => {
  const i = s.indexOf('\0');
  return i >= 0 ? s.slice(0, i) : s;
};
const trimNulBytes = (b: Uint8Array) => {
  const i = b.indexOf(0);
  return i >= 0 ? b.subarray(0, i) : b;
};

function readPropValue(c: Cursor, type: number): PropValue | Uint8Array[] {
  const base = type & ~T.MV_FLAG;
  const mv = (type & T.MV_FLAG) !== 0;
  const variable = base === T.PT_STRING8 || base === T.PT_UNICODE || base === T.PT_BINARY || base === T.PT_OBJECT;
  if (!mv && !variable) return readFixed(c, base);
  const count = c.u32();
  if (count > c.end - c.pos) throw new Truncated(`value count ${count} exceeds the attribute`);
  if (!variable) {
    const arr: (number | bigint)[] = [];
    for (let i = 0; i < count; i++) arr.push(readFixed(c, base) as number | bigint);
    return arr as number[] | bigint[];
  }
  const vals: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const n = c.u32();
    vals.push(c.bytes(n).slice());
    c.pad4(n);
  }
  if (!mv) return vals[0] ?? new Uint8Array(0);
  return vals;
}

function readFixed(c: Cursor, base: number): PropValue {
  switch (base) {
    case T.PT_SHORT: { const v = c.u16(); c.u16(); return v; }
    case T.PT_LONG:
    case T.PT_ERROR: return c.u32();
    case T.PT_FLOAT: return c.f32();
    case T.PT_BOOLEAN: return c.u32() !== 0;
    case T.PT_DOUBLE:
    case T.PT_APPTIME: return c.f64();
    case T.PT_CURRENCY:
    case T.PT_I8: return c.i64();
    case T.PT_SYSTIME: return c.u64();
    case T.PT_CLSID: return c.bytes(16).slice();
    case T.PT_NULL:
    case T.PT_UNSPECIFIED: c.u32(); return null;
    default: throw new Truncated(`unknown property type 0x${base.toString(16)}`);
  }
}

/** [MS-OXTNEF] 2.1.3.5 MsgPropertyList: u32 count, then tagged values (named ones with their name). */
function readPropList(c: Cursor): RawProp[] {
  const n = c.u32();
  if (n > c.end - c.pos) throw new Truncated(`property count ${n} exceeds the attribute`);
  const out: RawProp[] = [];
  for (let i = 0; i < n; i++) {
    const type = c.u16();
    const id = c.u16();
    let name: T.PropertyName | undefined;
    if (id >= 0x8000) {
      const guid = T.guidToString(c.bytes(16));
      const kind = c.u32();
      if (kind === 0) name = { guid, lid: c.u32() };
      else {
        const len = c.u32();
        const s = trimNul(utf16.decode(c.bytes(len)));
        c.pad4(len);
        name = { guid, name: s };
      }
    }
    const value = readPropValue(c, type);
    const base = type & ~T.MV_FLAG;
    out.push({ tag: T.propTag(id, type), name, value, str8: base === T.PT_STRING8 });
  }
  return out;
}

function readDate(b: Uint8Array): bigint | undefined {
  if (b.length < 12) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const [y, mo, d, h, mi, s] = [0, 2, 4, 6, 8, 10].map((o) => dv.getUint16(o, true)) as [number, number, number, number, number, number];
  if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return (BigInt(ms) + 11644473600000n) * 10000n;
}

const LEGACY_CLASSES: Record<string, string> = {
  'IPM.Microsoft Mail.Note': 'IPM.Note',
  'IPM.Microsoft Mail.Read Receipt': 'Report.IPM.Note.IPNRN',
  'IPM.Microsoft Mail.Non-Delivery': 'Report.IPM.Note.NDR',
  'IPM.Microsoft Schedule.MtgReq': 'IPM.Schedule.Meeting.Request',
  'IPM.Microsoft Schedule.MtgRespP': 'IPM.Schedule.Meeting.Resp.Pos',
  'IPM.Microsoft Schedule.MtgRespN': 'IPM.Schedule.Meeting.Resp.Neg',
  'IPM.Microsoft Schedule.MtgRespA': 'IPM.Schedule.Meeting.Resp.Tent',
  'IPM.Microsoft Schedule.MtgCncld': 'IPM.Schedule.Meeting.Canceled',
};

interface AttBuild {
  legacy: RawProp[];
  props: RawProp[];
}

/**
 * Decode a TNEF stream. Returns undefined when the signature is wrong (not TNEF at all); a stream
 * that breaks off yields what was read before, with a finding.
 */
export function readTnef(bytes: Uint8Array, opts: TnefOptions = {}): MessageContent | undefined {
  const c = new Cursor(bytes);
  const finding = (code: string, severity: 'error' | 'warning' | 'info', message: string, offset?: number) =>
    opts.findings?.({ code, severity, message, offset, item: opts.item });
  if (bytes.length < 6) return undefined;
  if (c.u32() !== TNEF_SIGNATURE) return undefined;
  c.u16(); // LegacyKey
  let codepage = opts.codepage ?? 1252;
  let haveOem = false;
  const msgLegacy: RawProp[] = [];
  let msgProps: RawProp[] = [];
  let recipients: RawProp[][] | undefined;
  const atts: AttBuild[] = [];
  let cur: AttBuild | undefined;
  let str8 = (b: Uint8Array) => decodeCodepage(trimNulBytes(b), codepage).text;
  try {
    while (c.pos < c.end) {
      const start = c.pos;
      const level = c.u8();
      const id = c.u32();
      const len = c.u32();
      if (len > c.end - c.pos) throw new Truncated(`attribute 0x${id.toString(16)} length ${len} runs past the end`);
      const data = c.bytes(len);
      const sum = c.u16();
      let s = 0;
      for (let i = 0; i < data.length; i++) s = (s + data[i]!) & 0xffff;
      if (s !== sum) finding('TNEF-CHECKSUM', 'warning', `attribute 0x${id.toString(16)} checksum mismatch; the value is used anyway`, start);
      if (level === LVL_MESSAGE) {
        switch (id) {
          case att.TnefVersion:
            break;
          case att.OemCodepage:
            if (data.length >= 4) {
              codepage = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) || codepage;
              haveOem = true;
              str8 = (b: Uint8Array) => decodeCodepage(trimNulBytes(b), codepage).text;
            }
            break;
          case att.MsgProps:
            msgProps = msgProps.concat(readPropList(new Cursor(data)));
            break;
          case att.RecipTable: {
            const rc = new Cursor(data);
            const rows = rc.u32();
            if (rows > data.length) throw new Truncated('recipient row count exceeds the attribute');
            recipients = [];
            for (let r = 0; r < rows; r++) recipients.push(readPropList(rc));
            break;
          }
          case att.Subject:
            msgLegacy.push({ tag: P.PR_SUBJECT, value: data.slice(), str8: true });
            break;
          case att.Body:
            msgLegacy.push({ tag: P.PR_BODY, value: data.slice(), str8: true });
            break;
          case att.MessageClass: {
            const cls = new TextDecoder('latin1').decode(trimNulBytes(data));
            msgLegacy.push({ tag: P.PR_MESSAGE_CLASS, value: LEGACY_CLASSES[cls] ?? cls });
            break;
          }
          case att.DateSent:
          case att.DateRecd:
          case att.DateModified:
          case att.DateStart:
          case att.DateEnd: {
            const ft = readDate(data);
            const tag = { [att.DateSent]: P.PR_CLIENT_SUBMIT_TIME, [att.DateRecd]: P.PR_MESSAGE_DELIVERY_TIME, [att.DateModified]: P.PR_LAST_MODIFICATION_TIME, [att.DateStart]: P.PR_START_DATE, [att.DateEnd]: P.PR_END_DATE }[id]!;
            if (ft !== undefined) msgLegacy.push({ tag, value: ft });
            break;
          }
          case att.Priority:
            if (data.length >= 2) {
              const pr = data[0]! | (data[1]! << 8);
              msgLegacy.push({ tag: P.PR_IMPORTANCE, value: pr === 1 ? 2 : pr === 3 ? 0 : 1 });
            }
            break;
          case att.AidOwner:
            if (data.length >= 4) msgLegacy.push({ tag: P.PR_OWNER_APPT_ID, value: new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) });
            break;
          case att.RequestRes:
            if (data.length >= 2) msgLegacy.push({ tag: P.PR_RESPONSE_REQUESTED, value: (data[0]! | (data[1]! << 8)) !== 0 });
            break;
          case att.From: {
            const trp = readTrp(data, str8);
            if (trp) {
              msgLegacy.push({ tag: P.PR_SENDER_NAME, value: trp.name });
              if (trp.type) msgLegacy.push({ tag: P.PR_SENDER_ADDRTYPE, value: trp.type });
              if (trp.address) msgLegacy.push({ tag: P.PR_SENDER_EMAIL_ADDRESS, value: trp.address });
            }
            break;
          }
          default:
            break; // attMessageID, attParentID, attConversationID, attMessageStatus, attOwner…: not mapped
        }
      } else if (level === LVL_ATTACHMENT) {
        if (id === att.AttachRendData || !cur) {
          cur = { legacy: [], props: [] };
          atts.push(cur);
        }
        switch (id) {
          case att.AttachRendData:
            if (data.length >= 6) {
              const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
              const pos = dv.getUint32(2, true);
              cur.legacy.push({ tag: P.PR_RENDERING_POSITION, value: pos });
              if (dv.getUint16(0, true) === 2) cur.legacy.push({ tag: P.PR_ATTACH_METHOD, value: P.ATTACH_OLE });
              // DataFlags bit FileDataMacBinary → PidTagAttachEncoding = OID_MAC_BINARY, else empty
              const flags = data.length >= 14 ? dv.getUint32(10, true) : 0;
              cur.legacy.push({ tag: P.PR_ATTACH_ENCODING, value: flags & 1 ? OID_MAC_BINARY.slice() : new Uint8Array(0) });
            }
            break;
          case att.AttachData:
            cur.legacy.push({ tag: P.PR_ATTACH_DATA_BIN, value: data.slice() });
            break;
          case att.AttachTitle:
            cur.legacy.push({ tag: P.PR_ATTACH_LONG_FILENAME, value: data.slice(), str8: true });
            break;
          case att.AttachMetaFile:
            cur.legacy.push({ tag: P.PR_ATTACH_RENDERING, value: data.slice() });
            break;
          case att.AttachCreateDate:
          case att.AttachModifyDate: {
            const ft = readDate(data);
            if (ft !== undefined) cur.legacy.push({ tag: id === att.AttachCreateDate ? P.PR_CREATION_TIME : P.PR_LAST_MODIFICATION_TIME, value: ft });
            break;
          }
          case att.AttachTransportFilename:
            cur.legacy.push({ tag: P.PR_ATTACH_TRANSPORT_NAME, value: data.slice(), str8: true });
            break;
          case att.Attachment:
            cur.props = cur.props.concat(readPropList(new Cursor(data)));
            break;
        }
      } else {
        finding('TNEF-BAD-LEVEL', 'warning', `attribute level ${level} is neither message (1) nor attachment (2); skipped`, start);
      }
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    finding('TNEF-TRUNCATED', 'warning', `TNEF stream breaks off: ${e.message}; the attributes before it are used`, c.pos);
  }

  // ---- finish (reference §5) ----
  const conv = (rp: RawProp): Prop | undefined => {
    let { tag, value } = rp;
    const type = T.propType(tag);
    if (rp.str8) {
      if (Array.isArray(value)) value = (value as Uint8Array[]).map(str8);
      else value = str8(value as Uint8Array);
      tag = T.propTag(T.propId(tag), (type & T.MV_FLAG) | T.PT_UNICODE);
    } else if ((type & ~T.MV_FLAG) === T.PT_UNICODE) {
      if (Array.isArray(value)) value = (value as Uint8Array[]).map((b) => trimNul(utf16.decode(b)));
      else if (value instanceof Uint8Array) value = trimNul(utf16.decode(value));
    }
    return rp.name ? { tag, value: value as PropValue, name: rp.name } : { tag, value: value as PropValue };
  };
  const merge = (legacy: RawProp[], props: RawProp[]): Prop[] => {
    const out: Prop[] = [];
    const seen = new Map<string, number>();
    const key = (p: Prop) => (p.name ? `${p.name.guid}/${p.name.lid ?? ''}/${p.name.name ?? ''}` : `t${T.propId(p.tag)}`);
    for (const rp of [...legacy, ...props]) {
      const p = conv(rp);
      if (!p) continue;
      const k = key(p);
      const i = seen.get(k);
      if (i !== undefined) out[i] = p;
      else {
        seen.set(k, out.length);
        out.push(p);
      }
    }
    return out;
  };

  let props = merge(msgLegacy, msgProps).filter((p) => p.name || ![T.propId(P.PR_MID), T.propId(P.PR_ENTRYID), T.propId(P.PR_SEARCH_KEY)].includes(T.propId(p.tag)));
  if (!props.some((p) => !p.name && T.propId(p.tag) === T.propId(P.PR_INTERNET_CPID))) props.push({ tag: P.PR_INTERNET_CPID, value: codepage });
  if (!props.some((p) => !p.name && T.propId(p.tag) === T.propId(P.PR_MESSAGE_CLASS))) props.unshift({ tag: P.PR_MESSAGE_CLASS, value: 'IPM.Note' });
  void haveOem;

  const rcpts: Prop[][] = (recipients ?? []).map((row) => {
    const r = merge([], row);
    const smtp = r.find((p) => !p.name && T.propId(p.tag) === T.propId(P.PR_SMTP_ADDRESS));
    if (typeof smtp?.value === 'string' && smtp.value) {
      const dn = r.find((p) => !p.name && T.propId(p.tag) === T.propId(P.PR_DISPLAY_NAME));
      const eid = encodeOneOffEntryId(typeof dn?.value === 'string' ? dn.value : smtp.value, 'SMTP', smtp.value);
      const i = r.findIndex((p) => !p.name && T.propId(p.tag) === T.propId(P.PR_ENTRYID));
      if (i >= 0) r[i] = { tag: P.PR_ENTRYID, value: eid };
      else r.push({ tag: P.PR_ENTRYID, value: eid });
    }
    return r;
  });

  const attachments: AttachmentContent[] = [];
  for (const a of atts) {
    const ap = merge(a.legacy, a.props);
    const objIdx = ap.findIndex((p) => T.propId(p.tag) === 0x3701 && T.propType(p.tag) === T.PT_OBJECT);
    let embedded: MessageContent | undefined;
    if (objIdx >= 0) {
      const obj = ap[objIdx]!.value as Uint8Array;
      const iidOk = obj.length >= 16 && IID_IMESSAGE.every((x, i) => obj[i] === x);
      if (iidOk && (opts.depth ?? 0) < 10) {
        embedded = readTnef(obj.subarray(16), { ...opts, depth: (opts.depth ?? 0) + 1 });
        if (!embedded) finding('TNEF-BAD-EMBEDDED', 'warning', 'embedded message attachment is not a TNEF stream; kept as data');
      }
      if (embedded) {
        ap.splice(objIdx, 1);
        const mi = ap.findIndex((p) => p.tag === P.PR_ATTACH_METHOD);
        if (mi >= 0) ap[mi] = { tag: P.PR_ATTACH_METHOD, value: P.ATTACH_EMBEDDED_MSG };
        else ap.push({ tag: P.PR_ATTACH_METHOD, value: P.ATTACH_EMBEDDED_MSG });
      } else {
        ap[objIdx] = { tag: P.PR_ATTACH_DATA_OBJ, value: obj.length >= 16 ? obj.subarray(16) : obj };
      }
    }
    if (!ap.some((p) => p.tag === P.PR_ATTACH_METHOD)) ap.push({ tag: P.PR_ATTACH_METHOD, value: P.ATTACH_BY_VALUE });
    attachments.push(embedded ? { props: ap, embedded } : { props: ap });
  }
  return { props, recipients: rcpts, attachments };
}

/** [MS-OXTNEF] 2.1.3.3.2 TRP (attFrom): header, display name, then "TYPE:address". */
function readTrp(data: Uint8Array, str8: (b: Uint8Array) => string): { name: string; type: string; address: string } | undefined {
  if (data.length < 8) return undefined;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const cch = dv.getUint16(4, true);
  const cb = dv.getUint16(6, true);
  if (8 + cch > data.length) return undefined;
  const name = str8(data.subarray(8, 8 + cch));
  const addrRaw = str8(data.subarray(8 + cch, Math.min(data.length, 8 + cch + cb)));
  const colon = addrRaw.indexOf(':');
  return colon > 0 ? { name, type: addrRaw.slice(0, colon), address: addrRaw.slice(colon + 1) } : { name, type: '', address: addrRaw };
}
