/**
 * vCard content-line lexer over a ByteSource: vCard 2.1 (versit), 3.0 (RFC 2425/2426) and 4.0
 * (RFC 6350). It works on bytes, not text, because 2.1 cards carry their charset per property
 * (CHARSET=…, often inside QUOTED-PRINTABLE) and a PHOTO can be megabytes of base64: the value stays
 * a byte slice until the mapper decides how to decode it.
 *
 * Logical lines are built from physical lines (LF or CRLF) by
 * - folding: a line starting with SPACE or HTAB continues the previous one; the line break and
 *   that one whitespace character are removed (RFC 6350 3.2, RFC 2425 5.8.1);
 * - QUOTED-PRINTABLE soft breaks (vCard 2.1 2.1.3): a QP-encoded value ending in `=` continues on
 *   the next physical line whatever that line starts with; the `=` is dropped;
 * - vCard 2.1 base64 (2.1 2.1.3): lines that follow an ENCODING=BASE64 property and consist only
 *   of base64 characters belong to it even when unindented.
 * Input is read in chunks; memory is bounded by the chunk size plus the longest logical line, and
 * a logical line longer than `maxLineBytes` is cut off and reported instead of buffered.
 */
import type { ByteSource } from '../io/byte-source.ts';

/** One parameter; `values` already split on unquoted commas, quotes removed. */
export interface VParam {
  /** Upper-cased parameter name; a vCard 2.1 bare parameter (`TEL;WORK`) gets name TYPE. */
  name: string;
  values: string[];
}

/** A logical content line: `[group.]name *(;param) : value`. */
export interface ContentLine {
  group?: string;
  /** Upper-cased property name. */
  name: string;
  params: VParam[];
  /** Raw value bytes (still escaped/encoded). */
  value: Uint8Array;
  /** Byte offset of the line in the input. */
  offset: number;
}

export interface RawLine {
  bytes: Uint8Array;
  offset: number;
  /** The logical line exceeded the limit and was cut. */
  truncated: boolean;
}

export interface LexOptions {
  /** Bytes read per call to source.read (default 1 MiB). */
  chunkSize?: number;
  /** Longest logical line kept (default 64 MiB: a large PHOTO still fits). */
  maxLineBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;

/** Bare vCard 2.1 ENCODING values ([vCard 2.1] 2.1.3 / 2.4). */
const BARE_ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', '8BIT', '7BIT', 'B']);
const BARE_VALUES = new Set(['INLINE', 'URL', 'CONTENT-ID', 'CID']);

function isB64(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x2b || c === 0x2f || c === 0x3d || c === SP || c === HT
  );
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const QP_WORD = Uint8Array.from('QUOTED-PRINTABLE', (c) => c.charCodeAt(0));
const B64_WORD = Uint8Array.from('BASE64', (c) => c.charCodeAt(0));

/** Whether the parameter section (before the first unquoted ':') contains `word` (ASCII upper-case), ignoring case. */
function headerHas(line: Uint8Array, word: Uint8Array): boolean {
  let end = line.length;
  let quoted = false;
  let params = false;
  for (let i = 0; i < line.length && i < 1024; i++) {
    const c = line[i]!;
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x3b) params = true;
    else if (c === 0x3a && !quoted) {
      end = i;
      break;
    }
  }
  if (!params) return false;
  const first = word[0]!;
  outer: for (let i = 0; i + word.length <= end; i++) {
    if ((line[i]! & 0xdf) !== first) continue;
    for (let k = 1; k < word.length; k++) {
      const c = line[i + k]!;
      const w = word[k]!;
      if (c !== w && !(w >= 0x41 && w <= 0x5a && c === (w | 0x20))) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * Physical lines → logical lines: each logical line's bytes (CR/LF removed, folds joined), in
 * batches (one per chunk read) so a consumer pays one await per chunk, not per line.
 */
export async function* logicalLineBatches(source: ByteSource, options: LexOptions = {}): AsyncGenerator<RawLine[]> {
  const chunkSize = options.chunkSize ?? 1 << 20;
  const maxLine = options.maxLineBytes ?? 64 << 20;
  let parts: Uint8Array[] = [];
  let size = 0;
  let start = -1; // offset of the pending logical line, -1 when none
  let truncated = false;
  let qp = false; // pending line is QUOTED-PRINTABLE encoded
  let b64 = false; // pending line is a 2.1-style BASE64 value

  const flushLine = (): RawLine | undefined => {
    if (start < 0) return undefined;
    const line = { bytes: concat(parts, size), offset: start, truncated };
    parts = [];
    size = 0;
    start = -1;
    truncated = false;
    qp = false;
    b64 = false;
    return line;
  };
  const append = (seg: Uint8Array) => {
    if (seg.length === 0) return;
    if (size + seg.length > maxLine) {
      truncated = true;
      const room = maxLine - size;
      if (room > 0) {
        parts.push(seg.subarray(0, room));
        size += room;
      }
      return;
    }
    parts.push(seg);
    size += seg.length;
  };

  // A physical line is handled once it is complete (up to LF) or at end of input.
  const physical = (line: Uint8Array, offset: number): RawLine | undefined => {
    let done: RawLine | undefined;
    let len = line.length;
    if (len > 0 && line[len - 1] === CR) len--;
    const body = line.subarray(0, len);
    const first = body[0];
    if (start >= 0) {
      if (first === SP || first === HT) {
        // RFC folding: drop the break and exactly one whitespace character.
        append(body.subarray(1));
        if (qp) qp = endsWithEquals();
        return undefined;
      }
      if (qp) {
        // QUOTED-PRINTABLE soft line break: the '=' was already removed; join as is.
        append(body);
        qp = endsWithEquals();
        return undefined;
      }
      if (b64 && len > 0) {
        let all = true;
        for (let i = 0; i < len; i++) if (!isB64(body[i]!)) { all = false; break; }
        if (all) {
          append(body);
          return undefined;
        }
      }
      done = flushLine();
    }
    if (len === 0) return done; // blank line: ends a 2.1 base64 value, otherwise nothing
    start = offset;
    append(body);
    if (headerHas(body, QP_WORD)) qp = endsWithEquals();
    else if (headerHas(body, B64_WORD)) b64 = true;
    return done;
  };
  // If the pending line ends in '=', remove it and report a soft break.
  const endsWithEquals = (): boolean => {
    if (size === 0) return false;
    const last = parts[parts.length - 1]!;
    if (last[last.length - 1] !== 0x3d) return false;
    parts[parts.length - 1] = last.subarray(0, last.length - 1);
    size--;
    return true;
  };

  let batch: RawLine[] = [];
  let pos = 0;
  let carry: Uint8Array<ArrayBuffer> | undefined; // incomplete physical line from the previous chunk
  let carryOffset = 0;
  let carryCut = false; // the incomplete physical line outgrew the limit
  while (pos < source.size) {
    const chunk = (await source.read(pos, chunkSize)).slice();
    if (chunk.length === 0) break;
    let i = 0;
    while (i < chunk.length) {
      const nl = chunk.indexOf(LF, i);
      if (nl < 0) {
        const rest = chunk.subarray(i);
        if (!carry) {
          carry = rest;
          carryOffset = pos + i;
        } else if (!carryCut) {
          if (carry.length + rest.length > maxLine) {
            carryCut = true;
          } else {
            const c = new Uint8Array(carry.length + rest.length);
            c.set(carry);
            c.set(rest, carry.length);
            carry = c;
          }
        }
        break;
      }
      let line = chunk.subarray(i, nl);
      let off = pos + i;
      if (carry) {
        if (!carryCut && carry.length + line.length <= maxLine) {
          const c = new Uint8Array(carry.length + line.length);
          c.set(carry);
          c.set(line, carry.length);
          line = c;
        } else {
          line = carry;
          carryCut = true;
        }
        off = carryOffset;
        carry = undefined;
      }
      const got = physical(line, off);
      if (got) batch.push(got);
      if (carryCut) {
        truncated = true;
        carryCut = false;
      }
      i = nl + 1;
    }
    pos += chunk.length;
    if (batch.length) {
      yield batch;
      batch = [];
    }
  }
  if (carry) {
    const got = physical(carry, carryOffset);
    if (got) batch.push(got);
    if (carryCut) truncated = true;
  }
  const last = flushLine();
  if (last) batch.push(last);
  if (batch.length) yield batch;
}

/** Logical lines one by one (convenience over logicalLineBatches). */
export async function* logicalLines(source: ByteSource, options: LexOptions = {}): AsyncGenerator<RawLine> {
  for await (const batch of logicalLineBatches(source, options)) yield* batch;
}

const latin1Decoder = new TextDecoder('latin1');
/** Bytes → string, one char per byte (names and ASCII parameters; short, so a plain array is fastest). */
const latin1 = (b: Uint8Array, from: number, to: number): string => {
  const n = to - from;
  if (n > 64) return latin1Decoder.decode(b.subarray(from, to));
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = b[from + i]!;
  return String.fromCharCode.apply(null, a);
};
/** Parameter text: ASCII (the usual case) without a TextDecoder call, else UTF-8. */
const paramText = (b: Uint8Array, from: number, to: number): string => {
  for (let i = from; i < to; i++) if (b[i]! >= 0x80) return utf8.decode(b.subarray(from, to));
  return latin1(b, from, to);
};
const utf8 = new TextDecoder('utf-8');

/** Split a parameter value on unquoted commas and remove DQUOTEs (RFC 6350 3.3 param-value). */
function splitParamValue(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((v) => v.trim());
}

/**
 * Parse a logical line into name, parameters and value. Returns undefined for a line without a
 * colon or without a name (not a content line).
 */
export function parseContentLine(bytes: Uint8Array, offset: number): ContentLine | undefined {
  // Name: up to the first ';' or ':'.
  let i = 0;
  while (i < bytes.length && bytes[i] !== 0x3b && bytes[i] !== 0x3a) i++;
  if (i >= bytes.length) return undefined;
  let full = latin1(bytes, 0, i).trim();
  if (!full || !/^[A-Za-z0-9_.\-]+$/.test(full)) return undefined;
  let group: string | undefined;
  const dot = full.lastIndexOf('.');
  if (dot >= 0) {
    group = full.slice(0, dot);
    full = full.slice(dot + 1);
    if (!full) return undefined;
  }
  const params: VParam[] = [];
  // Parameters: ';'-separated until the first ':' outside quotes.
  while (bytes[i] === 0x3b) {
    const from = ++i;
    let quoted = false;
    while (i < bytes.length) {
      const c = bytes[i]!;
      if (c === 0x22) quoted = !quoted;
      else if (!quoted && (c === 0x3b || c === 0x3a)) break;
      i++;
    }
    if (i >= bytes.length) return undefined;
    const text = paramText(bytes, from, i);
    const eq = text.indexOf('=');
    if (eq < 0) {
      const bare = text.trim().toUpperCase();
      if (!bare) continue;
      // vCard 2.1 bare parameter: an encoding, a value location or a type.
      if (BARE_ENCODINGS.has(bare)) params.push({ name: 'ENCODING', values: [bare] });
      else if (BARE_VALUES.has(bare)) params.push({ name: 'VALUE', values: [bare] });
      else params.push({ name: 'TYPE', values: [bare] });
    } else {
      params.push({ name: text.slice(0, eq).trim().toUpperCase(), values: splitParamValue(text.slice(eq + 1)) });
    }
  }
  return { group, name: full.toUpperCase(), params, value: bytes.subarray(i + 1), offset };
}

/** All values of parameter `name` (upper-case), in order. */
export function paramValues(line: ContentLine, name: string): string[] {
  const out: string[] = [];
  for (const p of line.params) if (p.name === name) out.push(...p.values);
  return out;
}

/** First value of parameter `name`, if present. */
export function param(line: ContentLine, name: string): string | undefined {
  for (const p of line.params) if (p.name === name) return p.values[0];
  return undefined;
}

/** Upper-cased TYPE values, including 2.1 bare types and comma lists. */
export function types(line: ContentLine): Set<string> {
  const s = new Set<string>();
  for (const v of paramValues(line, 'TYPE')) for (const t of v.split(',')) if (t.trim()) s.add(t.trim().toUpperCase());
  return s;
}
