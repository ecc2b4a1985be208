/**
 * EXT_PULL with EXT_FLAG_WCOUNT, the decoding half of gromox's serialisation
 * (shared/reference/gxmt-format.md §2): a cursor over one frame body or map section that checks
 * every length against the bytes that are really there before it allocates or slices, and throws
 * a GxmtError with the absolute byte offset of the field that failed.
 *
 * RESTRICTION and RULE_ACTIONS carry no outer length, so they are walked structurally (§2.9,
 * §2.10); the writer uses the same walkers to accept only values gromox can read back.
 */
import { GxmtError, type GxmtReaderCode } from './codes.ts';
import * as T from '../mapi/types.ts';
import type { PropertyName, PropValue } from '../mapi/types.ts';

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export class Cursor {
  pos = 0;
  /** Context code for failures (which gromox exception this part of the stream maps to). */
  code: GxmtReaderCode = 'GXMT-TRUNCATED';
  pg: string | undefined;
  /** Called when a string is not valid UTF-8 (offset of the string). */
  onBadUtf8?: (offset: number) => void;

  constructor(
    readonly buf: Uint8Array,
    /** Absolute stream offset of buf[0]. */
    readonly base: number,
    private readonly view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  get offset(): number {
    return this.base + this.pos;
  }

  fail(code: GxmtReaderCode, detail: string, at = this.pos): never {
    throw new GxmtError(code, this.base + at, detail, this.pg);
  }

  need(n: number, what: string): void {
    if (n > this.remaining) this.fail('GXMT-TRUNCATED', `${what}: needs ${n} bytes, ${this.remaining} left`);
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64(what = 'i64'): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  f32(what = 'f32'): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(what = 'f64'): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** NUL-terminated byte string (without the NUL). */
  cstrBytes(what = 'string'): Uint8Array {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) this.fail('GXMT-TRUNCATED', `${what}: no terminating NUL before the end`);
    const v = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    return v;
  }
  cstr(what = 'string'): string {
    const at = this.pos;
    const b = this.cstrBytes(what);
    return this.text(b, at);
  }
  text(b: Uint8Array, at: number): string {
    if (this.onBadUtf8) {
      try {
        return utf8Strict.decode(b);
      } catch {
        this.onBadUtf8(this.base + at);
      }
    }
    return utf8.decode(b);
  }
  guid(what = 'GUID'): Uint8Array {
    return this.bytes(16, what);
  }
  /** Bounded count: each element needs at least `min` bytes, so a bogus count fails before any allocation. */
  count(n: number, min: number, what: string, width = 4): number {
    if (n * min > this.remaining) this.fail('GXMT-TRUNCATED', `${what}: count ${n} cannot fit in the ${this.remaining} bytes left`, this.pos - width);
    return n;
  }
}

const SINGLE_SIZE: Record<number, number> = {
  [T.PT_SHORT]: 2,
  [T.PT_LONG]: 4,
  [T.PT_FLOAT]: 4,
  [T.PT_DOUBLE]: 8,
  [T.PT_CURRENCY]: 8,
  [T.PT_APPTIME]: 8,
  [T.PT_ERROR]: 4,
  [T.PT_BOOLEAN]: 1,
  [T.PT_I8]: 8,
  [T.PT_SYSTIME]: 8,
  [T.PT_CLSID]: 16,
};

/** Whether EXT_PUSH can serialise a value of this type (§2.2). MV_INSTANCE is stripped first. */
export function isKnownType(type: number): boolean {
  const t = type & ~T.MV_INSTANCE;
  switch (t) {
    case T.PT_UNSPECIFIED:
    case T.PT_SHORT:
    case T.PT_LONG:
    case T.PT_FLOAT:
    case T.PT_DOUBLE:
    case T.PT_CURRENCY:
    case T.PT_APPTIME:
    case T.PT_ERROR:
    case T.PT_BOOLEAN:
    case T.PT_OBJECT:
    case T.PT_I8:
    case T.PT_STRING8:
    case T.PT_UNICODE:
    case T.PT_SYSTIME:
    case T.PT_CLSID:
    case T.PT_SVREID:
    case T.PT_SRESTRICTION:
    case T.PT_ACTIONS:
    case T.PT_BINARY:
    case T.PT_MV_SHORT:
    case T.PT_MV_LONG:
    case T.PT_MV_FLOAT:
    case T.PT_MV_DOUBLE:
    case T.PT_MV_CURRENCY:
    case T.PT_MV_APPTIME:
    case T.PT_MV_I8:
    case T.PT_MV_STRING8:
    case T.PT_MV_UNICODE:
    case T.PT_MV_SYSTIME:
    case T.PT_MV_CLSID:
    case T.PT_MV_BINARY:
      return true;
    default:
      return false;
  }
}

/**
 * Decode one value of `type` (`p_propval`/`g_propval`). MV_INSTANCE types decode as their base
 * single type, as in gromox. Values follow the model's representation (worker/mapi/types.ts).
 */
export function readValue(c: Cursor, type: number): PropValue {
  let t = type;
  if (t & T.MV_INSTANCE) t = t & ~(T.MV_INSTANCE | T.MV_FLAG);
  switch (t) {
    case T.PT_UNSPECIFIED: {
      const inner = c.u16('TYPED_PROPVAL type');
      if (inner === T.PT_UNSPECIFIED) c.fail('GXMT-PROP-TYPE', 'TYPED_PROPVAL of type PT_UNSPECIFIED', c.pos - 2);
      return readValue(c, inner);
    }
    case T.PT_SHORT:
      return c.u16('PT_SHORT');
    case T.PT_LONG:
    case T.PT_ERROR:
      return c.u32('PT_LONG');
    case T.PT_FLOAT:
      return c.f32('PT_FLOAT');
    case T.PT_DOUBLE:
    case T.PT_APPTIME:
      return c.f64('PT_DOUBLE');
    case T.PT_CURRENCY:
    case T.PT_I8:
      return c.i64('PT_I8');
    case T.PT_SYSTIME:
      return c.u64('PT_SYSTIME');
    case T.PT_BOOLEAN:
      return c.u8('PT_BOOLEAN') !== 0;
    case T.PT_STRING8:
    case T.PT_UNICODE:
      return c.cstr('string');
    case T.PT_CLSID:
      return c.guid().slice();
    case T.PT_OBJECT:
    case T.PT_BINARY: {
      const n = c.u32('BINARY cb');
      return c.bytes(n, 'BINARY').slice();
    }
    case T.PT_SVREID:
      return readSvreid(c);
    case T.PT_SRESTRICTION: {
      const start = c.pos;
      walkRestriction(c, 0);
      return c.buf.slice(start, c.pos);
    }
    case T.PT_ACTIONS: {
      const start = c.pos;
      walkRuleActions(c);
      return c.buf.slice(start, c.pos);
    }
    case T.PT_MV_SHORT:
    case T.PT_MV_LONG:
    case T.PT_MV_FLOAT:
    case T.PT_MV_DOUBLE:
    case T.PT_MV_CURRENCY:
    case T.PT_MV_APPTIME:
    case T.PT_MV_I8:
    case T.PT_MV_SYSTIME:
    case T.PT_MV_CLSID: {
      const base = t & ~T.MV_FLAG;
      const n = c.count(c.u32('MV count'), SINGLE_SIZE[base]!, 'MV count');
      const out: (number | bigint | Uint8Array)[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(c, base) as number | bigint | Uint8Array);
      return out as PropValue;
    }
    case T.PT_MV_STRING8:
    case T.PT_MV_UNICODE: {
      const n = c.count(c.u32('MV count'), 1, 'MV count');
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(c.cstr('MV string'));
      return out;
    }
    case T.PT_MV_BINARY: {
      const n = c.count(c.u32('MV count'), 4, 'MV count');
      const out: Uint8Array[] = [];
      for (let i = 0; i < n; i++) out.push(c.bytes(c.u32('BINARY cb'), 'BINARY').slice());
      return out;
    }
    default:
      return c.fail('GXMT-PROP-TYPE', `property type 0x${type.toString(16).padStart(4, '0')} is not serialisable`, c.pos);
  }
}

/**
 * SVREID (§2.8). The wrapped-binary form yields its inner bytes (what a PST stores); the
 * store-native form yields its 20 bytes of folder id, message id and instance.
 */
export function readSvreid(c: Cursor): Uint8Array {
  const at = c.pos;
  const len = c.u16('SVREID length');
  if (len === 0) c.fail('GXMT-SVREID', 'SVREID length 0', at);
  const flag = c.u8('SVREID flag');
  if (flag === 0) return c.bytes(len - 1, 'SVREID bytes').slice();
  if (len !== 21) c.fail('GXMT-SVREID', `store-native SVREID must be 21 bytes, is ${len}`, at);
  return c.bytes(20, 'SVREID').slice();
}

/** TAGGED_PROPVAL: u32 tag + value. Returns [tag, value]. */
export function readTagged(c: Cursor): [number, PropValue] {
  const tag = c.u32('proptag');
  const type = tag & 0xffff;
  if (!isKnownType(type)) {
    c.fail('GXMT-PROP-TYPE', `property 0x${tag.toString(16).padStart(8, '0')}: type 0x${type.toString(16).padStart(4, '0')} is not serialisable`, c.pos - 4);
  }
  return [tag, readValue(c, type)];
}

const MAX_DEPTH = 256;

/** RESTRICTION (§2.9), validated and skipped. */
export function walkRestriction(c: Cursor, depth: number): void {
  const at = c.pos;
  if (depth > MAX_DEPTH) c.fail('GXMT-RESTRICTION', 'restriction nested too deeply', at);
  const rt = c.u8('restriction type');
  switch (rt) {
    case 0x00:
    case 0x01: {
      const n = c.count(c.u32('restriction count'), 1, 'restriction count');
      for (let i = 0; i < n; i++) walkRestriction(c, depth + 1);
      return;
    }
    case 0x02:
      return walkRestriction(c, depth + 1);
    case 0x03:
      c.u32('fuzzy level');
      c.u32('proptag');
      readTagged(c);
      return;
    case 0x04:
      c.u8('relop');
      c.u32('proptag');
      readTagged(c);
      return;
    case 0x05:
      c.u8('relop');
      c.u32('proptag1');
      c.u32('proptag2');
      return;
    case 0x06:
      c.u8('bitmask op');
      c.u32('proptag');
      c.u32('mask');
      return;
    case 0x07:
      c.u8('relop');
      c.u32('proptag');
      c.u32('size');
      return;
    case 0x08:
      c.u32('proptag');
      return;
    case 0x09:
      c.u32('subobject');
      return walkRestriction(c, depth + 1);
    case 0x0a:
    case 0x0c: {
      const n = c.u8('comment count');
      if (n === 0) c.fail('GXMT-RESTRICTION', 'comment restriction with 0 values', c.pos - 1);
      for (let i = 0; i < n; i++) readTagged(c);
      if (c.u8('comment has restriction') !== 0) walkRestriction(c, depth + 1);
      return;
    }
    case 0x0b:
      c.u32('count');
      return walkRestriction(c, depth + 1);
    case 0xff:
      return;
    default:
      c.fail('GXMT-RESTRICTION', `unknown restriction type 0x${rt.toString(16)}`, at);
  }
}

/** RULE_ACTIONS (§2.10), validated and skipped: every ACTION_BLOCK must fill its length exactly. */
export function walkRuleActions(c: Cursor): void {
  const at = c.pos;
  const n = c.u16('action count');
  if (n === 0) c.fail('GXMT-ACTIONS', 'RULE_ACTIONS with 0 actions', at);
  for (let i = 0; i < n; i++) {
    const blockAt = c.pos;
    const len = c.u16('ACTION_BLOCK length');
    const body = new Cursor(c.bytes(len, 'ACTION_BLOCK'), c.base + c.pos - len);
    body.pg = c.pg;
    body.code = 'GXMT-ACTIONS';
    const type = body.u8('action type');
    body.u32('flavor');
    body.u32('flags');
    switch (type) {
      case 1:
      case 2: {
        const sameStore = body.u8('same store');
        const eidSize = body.u16('eid size');
        if (sameStore) {
          body.bytes(eidSize, 'dummy');
          readSvreid(body);
        } else {
          body.bytes(eidSize, 'store entryid');
          body.bytes(body.u32('folder eid cb'), 'folder eid');
        }
        break;
      }
      case 3:
      case 4:
        body.u64('template fid');
        body.u64('template mid');
        body.guid();
        break;
      case 5:
        body.pos = body.buf.length;
        break;
      case 6:
        body.u32('bounce code');
        break;
      case 7:
      case 8: {
        const m = body.count(body.u16('recipient count'), 3, 'recipient count', 2);
        for (let j = 0; j < m; j++) {
          if (body.u8('recipient reserved') !== 0) body.fail('GXMT-ACTIONS', 'forward recipient reserved byte is not 0', body.pos - 1);
          const k = body.count(body.u16('recipient propcount'), 4, 'recipient propcount', 2);
          for (let p = 0; p < k; p++) readTagged(body);
        }
        break;
      }
      case 9:
        readTagged(body);
        break;
      case 0x0a:
      case 0x0b:
        break;
      default:
        c.fail('GXMT-ACTIONS', `unknown action type ${type}`, blockAt + 2);
    }
    if (body.remaining !== 0) c.fail('GXMT-ACTIONS', `ACTION_BLOCK length ${len} does not match its content`, blockAt);
  }
}

/** PROPERTY_NAME (§2.6). */
export function readPropName(c: Cursor): PropertyName {
  const at = c.pos;
  const kind = c.u8('PROPERTY_NAME kind');
  const guid = T.guidToString(c.guid());
  if (kind === 0) return { guid, lid: c.u32('LID') };
  if (kind === 1) {
    const size = c.u8('name_size');
    if (size === 0) c.fail('GXMT-PROPNAME', 'name_size 0', c.pos - 1);
    const start = c.pos;
    const raw = c.bytes(size, 'name');
    const nul = raw.indexOf(0);
    if (nul < 0) c.fail('GXMT-PROPNAME', `name runs past name_size ${size}`, start);
    return { guid, name: c.text(raw.subarray(0, nul), start) };
  }
  return c.fail('GXMT-PROPNAME', `PROPERTY_NAME kind ${kind} is neither MNID_ID nor MNID_STRING`, at);
}
