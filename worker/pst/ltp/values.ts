/**
 * Property value bytes → the model's value representation (worker/mapi/types.ts), for every
 * fixed, variable and multi-valued type ([MS-PST] 2.3.3.4, [MS-OXCDATA] 2.11.1). PT_STRING8
 * decoding is delegated to the caller, who knows the object's code page. Malformed lengths
 * return undefined instead of throwing or allocating from the stored count.
 */
import * as T from '../../mapi/types.ts';
import type { PropValue } from '../../mapi/types.ts';
import { isArenaView } from '../ndb/blocks.ts';
import { le16, le32 } from '../ndb/header.ts';

/** A binary value that leaves the reader: its own copy when it lies in a block arena. */
const own = (v: Uint8Array): Uint8Array => (isArenaView(v) ? v.slice() : v);

const utf16 = new TextDecoder('utf-16le');

/** Fixed element size of a (single-valued) type; 0 for variable-size types. */
export function fixedSize(type: number): number {
  switch (type & ~T.MV_FLAG) {
    case T.PT_SHORT: return 2;
    case T.PT_LONG: case T.PT_FLOAT: case T.PT_ERROR: return 4;
    case T.PT_BOOLEAN: return 1;
    case T.PT_DOUBLE: case T.PT_CURRENCY: case T.PT_APPTIME: case T.PT_I8: case T.PT_SYSTIME: return 8;
    case T.PT_CLSID: return 16;
    default: return 0;
  }
}

/** Types whose PC value sits inline in dwValueHnid ([MS-PST] 2.3.3.3). */
export function isInlinePcType(type: number): boolean {
  return type === T.PT_SHORT || type === T.PT_LONG || type === T.PT_FLOAT || type === T.PT_ERROR || type === T.PT_BOOLEAN;
}

/**
 * Bytes of a table cell of this type's value in the row itself, or 0 when the cell holds an HNID
 * ([MS-PST] 2.3.4.4.1: fixed types of up to 8 bytes are in the row; PtypGuid and variable and
 * multi-valued types are HNIDs).
 */
export function inRowSize(type: number): number {
  const size = fixedSize(type);
  return size > 0 && size <= 8 && !(type & T.MV_FLAG) ? size : 0;
}

/** Types the model knows; anything else is kept as bytes. */
export function isKnownType(type: number): boolean {
  const base = type & ~T.MV_FLAG;
  if (type & T.MV_FLAG) return [T.PT_SHORT, T.PT_LONG, T.PT_FLOAT, T.PT_DOUBLE, T.PT_CURRENCY, T.PT_APPTIME, T.PT_I8, T.PT_STRING8, T.PT_UNICODE, T.PT_SYSTIME, T.PT_CLSID, T.PT_BINARY].includes(base);
  return [T.PT_NULL, T.PT_SHORT, T.PT_LONG, T.PT_FLOAT, T.PT_DOUBLE, T.PT_CURRENCY, T.PT_APPTIME, T.PT_ERROR, T.PT_BOOLEAN, T.PT_OBJECT, T.PT_I8, T.PT_STRING8, T.PT_UNICODE, T.PT_SYSTIME, T.PT_CLSID, T.PT_SVREID, T.PT_SRESTRICTION, T.PT_ACTIONS, T.PT_BINARY].includes(type);
}

/**
 * Scratch code-unit arrays, one per length 0..64 (fromCharCode.apply needs the exact length):
 * plain arrays of small integers, which apply() passes on without the conversion a typed array
 * needs (about a third faster per string).
 */
const unitArrays: number[][] = Array.from({ length: 65 }, (_, n) => new Array<number>(n).fill(0));

export function decodeUtf16(b: Uint8Array): string {
  return decodeUtf16At(b, 0, b.length);
}

/** decodeUtf16 of b[start, end) without a view for short strings. */
export function decodeUtf16At(b: Uint8Array, start: number, end: number): string {
  const n = (end - start) >> 1;
  if (n <= 64) {
    // Short strings (most property values): a code-unit loop beats TextDecoder's per-call cost;
    // the units go to a scratch array and become one flat string (no concatenation chain).
    // Surrogates go to TextDecoder so lone ones become U+FFFD exactly as for long strings.
    const units = unitArrays[n]!;
    for (let i = 0, o = start; i < n; i++, o += 2) {
      const u = le16(b, o);
      if (u >= 0xd800 && u <= 0xdfff) return utf16.decode(b.subarray(start, start + 2 * n));
      units[i] = u;
    }
    return String.fromCharCode.apply(null, units);
  }
  return utf16.decode(b.subarray(start, start + 2 * n));
}

const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

function fixed(type: number, b: Uint8Array, at: number): number | bigint | boolean | Uint8Array {
  switch (type) {
    case T.PT_SHORT: return le16(b, at);
    case T.PT_LONG: case T.PT_ERROR: return le32(b, at);
    case T.PT_BOOLEAN: return b[at] !== 0;
    case T.PT_CLSID: return own(b.subarray(at, at + 16));
  }
  // Copy into a scratch buffer instead of allocating a DataView per value (hot: every SYSTIME).
  if (type === T.PT_FLOAT) {
    for (let k = 0; k < 4; k++) scratch[k] = b[at + k]!;
    return scratchView.getFloat32(0, true);
  }
  for (let k = 0; k < 8; k++) scratch[k] = b[at + k]!;
  const dv = scratchView;
  switch (type) {
    case T.PT_DOUBLE: case T.PT_APPTIME: return dv.getFloat64(0, true);
    case T.PT_CURRENCY: case T.PT_I8: return dv.getBigInt64(0, true);
    case T.PT_SYSTIME: return dv.getBigUint64(0, true);
    default: throw new RangeError('not fixed');
  }
}

/**
 * Decode `b` as a value of `type`. `s8` decodes PT_STRING8 bytes. Returns undefined when the
 * bytes do not fit the type.
 */
export function decodeValue(type: number, b: Uint8Array, s8: (bytes: Uint8Array) => string): PropValue | undefined {
  return decodeValueAt(type, b, 0, b.length, s8);
}

/** decodeValue of b[start, end) (the hot path: no view for fixed, string and arena values). */
export function decodeValueAt(type: number, b: Uint8Array, start: number, end: number, s8: (bytes: Uint8Array) => string): PropValue | undefined {
  // The two most frequent types first (same results as the general path below).
  if (type === T.PT_UNICODE) return decodeUtf16At(b, start, end);
  if (type === T.PT_LONG) return end - start < 4 ? undefined : le32(b, start);
  if (type & T.MV_FLAG) return decodeMulti(type, start === 0 && end === b.length ? b : b.subarray(start, end), s8);
  const size = fixedSize(type);
  if (size > 0) {
    if (end - start < size) return undefined;
    return fixed(type, b, start) as PropValue;
  }
  switch (type) {
    case T.PT_UNICODE: return decodeUtf16At(b, start, end);
    case T.PT_STRING8: return s8(b.subarray(start, end));
    case T.PT_NULL: case T.PT_UNSPECIFIED: return null;
    // Binary values are views of buffers the reader never reuses; small blocks share arenas,
    // so those values are copied out (a kept value must not pin an arena).
    default: return isArenaView(b) ? b.slice(start, end) : start === 0 && end === b.length ? b : b.subarray(start, end);
  }
}

function decodeMulti(type: number, b: Uint8Array, s8: (bytes: Uint8Array) => string): PropValue | undefined {
  const base = type & ~T.MV_FLAG;
  const size = fixedSize(base);
  if (size > 0) {
    if (b.length % size !== 0) return undefined;
    const out: unknown[] = [];
    for (let at = 0; at < b.length; at += size) out.push(fixed(base, b, at));
    return out as PropValue;
  }
  // ulCount, rgulDataOffsets[ulCount], data
  if (b.length < 4) return b.length === 0 ? ([] as string[]) : undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getUint32(0, true);
  if (n > (b.length - 4) / 4) return undefined;
  const items: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const start = dv.getUint32(4 + i * 4, true);
    const end = i + 1 < n ? dv.getUint32(8 + i * 4, true) : b.length;
    if (start > end || end > b.length || start < 4 + 4 * n) return undefined;
    items.push(b.subarray(start, end));
  }
  if (base === T.PT_UNICODE) return items.map((x) => stripNul(decodeUtf16(x)));
  if (base === T.PT_STRING8) return items.map((x) => stripNul(s8(x)));
  if (base === T.PT_BINARY) return items.map(own);
  return undefined;
}

/** Multi-valued string elements are NUL-terminated by some writers. */
function stripNul(s: string): string {
  return s.endsWith('\0') ? s.replace(/\0+$/, '') : s;
}
