/**
 * DEFLATE decoder (RFC 1951) with optional zlib wrapper (RFC 1950), for OST 2013+ compressed blocks
 * ([MS-PST] 2.2.2.8 with the 4K BLOCKTRAILER cbInflated; pst-format.md §7.2).
 *
 * Why it is shaped this way:
 * - The caller knows the inflated size, so output goes into one preallocated region and never
 *   grows; every write is bounds-checked against that region (OUTPUT_OVERRUN) and every back
 *   reference against its start (DISTANCE_TOO_FAR).
 * - Speed comes from table-driven Huffman decoding: a 10-bit (literal/length) and 8-bit (distance)
 *   primary table with second-level subtables for longer codes, built canonically in the manner of
 *   RFC 1951 3.2.2. Each entry packs bits-to-drop, an op and a value (literal, base length or
 *   distance with its extra-bit count, end-of-block, link, invalid) so one lookup yields a symbol.
 * - A fast loop runs while at least 8 input bytes and 3 output bytes remain: it refills a 64-bit
 *   bit buffer branch-free with one unaligned load (enough bits for three literals or a whole
 *   length/distance pair) and copies matches 8 bytes at a time where the overshoot stays inside
 *   the output. Near either end a careful path takes over, which pads the input with zero bits and
 *   reports TRUNCATED as soon as a padding bit is actually consumed.
 * - Adler-32 uses wasm SIMD (16 bytes per step), so the zlib trailer check costs little.
 * - Errors are returned as codes (worker/codec/api.ts CodecError); nothing here traps on any input.
 */

// Error codes: keep in step with worker/codec/api.ts CodecError.
const OK: i32 = 0;
const BAD_HEADER: i32 = 1;
const BAD_BLOCK_TYPE: i32 = 2;
const BAD_STORED_LENGTH: i32 = 3;
const BAD_HUFFMAN: i32 = 4;
const DISTANCE_TOO_FAR: i32 = 5;
const OUTPUT_OVERRUN: i32 = 6;
const TRUNCATED: i32 = 7;
const BAD_CHECKSUM: i32 = 8;
const OUTPUT_SHORT: i32 = 9;

/** inflate() flags. */
const FLAG_RAW: u32 = 1;
const FLAG_EXACT: u32 = 2;

// Table entry: bits 0..7 = bits to drop, 8..15 = op, 16..31 = value.
const OP_LITERAL: u32 = 0x00; // value = byte
const OP_BASE: u32 = 0x10; // | extra bits; value = base length or distance
const OP_END: u32 = 0x20; // end of block
const OP_LINK: u32 = 0x40; // | subtable index bits; value = subtable start; bits = root
const OP_INVALID: u32 = 0x60; // unused code or reserved symbol

const LIT_ROOT: u32 = 10;
const DIST_ROOT: u32 = 8;
const CL_ROOT: u32 = 7;
/** Capacities in entries; a complete code never needs more (zlib's `enough` gives 1332 and 400). */
const LIT_CAP: u32 = 2048;
const DIST_CAP: u32 = 1024;
const CL_CAP: u32 = 128;

const KIND_CODES: u32 = 0;
const KIND_LENS: u32 = 1;
const KIND_DISTS: u32 = 2;

const LIT_TABLE: usize = memory.data(LIT_CAP * 4, 64);
const DIST_TABLE: usize = memory.data(DIST_CAP * 4, 64);
const FIXED_LIT: usize = memory.data(LIT_CAP * 4, 64);
const FIXED_DIST: usize = memory.data(DIST_CAP * 4, 64);
const CL_TABLE: usize = memory.data(CL_CAP * 4, 64);
/** Code lengths of one dynamic header: up to 286 + 30 (+ slack), one byte each. */
const LENS: usize = memory.data(320, 16);
/** Symbols sorted by code length (u16 each). */
const WORK: usize = memory.data(320 * 2, 16);
/** count[len] and offs[len], len 0..15 (u16 each). */
const COUNT: usize = memory.data(16 * 2, 16);
const OFFS: usize = memory.data(16 * 2, 16);

const LEN_BASE: usize = memory.data<u16>([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
]);
const LEN_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
const DIST_BASE: usize = memory.data<u16>([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
]);
const DIST_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** RFC 1951 3.2.7: order of the code-length code lengths. */
const CL_ORDER: usize = memory.data<u8>([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

// @ts-ignore: decorator
@inline function entry(value: u32, op: u32, bits: u32): u32 {
  return (value << 16) | (op << 8) | bits;
}

/** Per symbol, the entry without its bit count, for each kind of code (filled at start-up). */
const SYM_CODES: usize = memory.data(19 * 4, 16);
const SYM_LENS: usize = memory.data(288 * 4, 16);
const SYM_DISTS: usize = memory.data(32 * 4, 16);

function symbolEntry(kind: u32, sym: u32): u32 {
  if (kind == KIND_CODES) return entry(sym, OP_LITERAL, 0);
  if (kind == KIND_LENS) {
    if (sym < 256) return entry(sym, OP_LITERAL, 0);
    if (sym == 256) return entry(0, OP_END, 0);
    if (sym < 286) {
      const i = <usize>(sym - 257);
      return entry(load<u16>(LEN_BASE + (i << 1)), OP_BASE | load<u8>(LEN_EXTRA + i), 0);
    }
    return entry(0, OP_INVALID, 0);
  }
  if (sym < 30) {
    const i = <usize>sym;
    return entry(load<u16>(DIST_BASE + (i << 1)), OP_BASE | load<u8>(DIST_EXTRA + i), 0);
  }
  return entry(0, OP_INVALID, 0);
}

function buildSymbolEntries(): void {
  for (let s: u32 = 0; s < 19; s++) store<u32>(SYM_CODES + (<usize>s << 2), symbolEntry(KIND_CODES, s));
  for (let s: u32 = 0; s < 288; s++) store<u32>(SYM_LENS + (<usize>s << 2), symbolEntry(KIND_LENS, s));
  for (let s: u32 = 0; s < 32; s++) store<u32>(SYM_DISTS + (<usize>s << 2), symbolEntry(KIND_DISTS, s));
}
buildSymbolEntries();

// @ts-ignore: decorator
@inline function getCount(len: u32): u32 {
  return load<u16>(COUNT + (<usize>len << 1));
}
// @ts-ignore: decorator
@inline function setCount(len: u32, v: u32): void {
  store<u16>(COUNT + (<usize>len << 1), <u16>v);
}

/**
 * Build a decoding table for `n` code lengths at `lens` (one byte each) into `table` with a
 * primary index of `root` bits and room for `cap` entries. Returns false for an over-subscribed
 * code, an incomplete one (allowed only for a single code of length one, as zlib does, and for no
 * codes at all), or one that would not fit.
 */
function buildTable(lens: usize, n: u32, table: usize, root: u32, kind: u32, cap: u32): bool {
  for (let len: u32 = 0; len < 16; len++) setCount(len, 0);
  for (let s: u32 = 0; s < n; s++) {
    const l = <u32>load<u8>(lens + s);
    setCount(l, getCount(l) + 1);
  }
  const primary: u32 = 1 << root;
  let max: u32 = 15;
  while (max >= 1 && getCount(max) == 0) max--;
  if (max == 0) {
    // No codes at all (e.g. a block without back-references): every lookup is invalid.
    const bad = entry(0, OP_INVALID, 1);
    for (let i: u32 = 0; i < primary; i++) store<u32>(table + (<usize>i << 2), bad);
    return true;
  }
  let min: u32 = 1;
  while (getCount(min) == 0) min++;
  let left: i32 = 1;
  for (let len: u32 = 1; len < 16; len++) {
    left <<= 1;
    left -= <i32>getCount(len);
    if (left < 0) return false; // over-subscribed
  }
  if (left > 0) {
    if (kind == KIND_CODES || max != 1) return false; // incomplete
    const bad = entry(0, OP_INVALID, 1);
    for (let i: u32 = 0; i < primary; i++) store<u32>(table + (<usize>i << 2), bad);
  }
  // offs[len]: first slot of codes of that length in WORK; then sort symbols by length.
  store<u16>(OFFS + 2, 0);
  for (let len: u32 = 1; len < 15; len++) {
    store<u16>(OFFS + (<usize>(len + 1) << 1), load<u16>(OFFS + (<usize>len << 1)) + <u16>getCount(len));
  }
  for (let s: u32 = 0; s < n; s++) {
    const l = <usize>load<u8>(lens + s);
    if (l != 0) {
      const o = load<u16>(OFFS + (l << 1));
      store<u16>(WORK + (<usize>o << 1), <u16>s);
      store<u16>(OFFS + (l << 1), o + 1);
    }
  }

  // Walk the codes in canonical order; `huff` is the current code bit-reversed (LSB first, as
  // DEFLATE sends Huffman codes), incremented in reversed order.
  const symEntries = kind == KIND_CODES ? SYM_CODES : kind == KIND_LENS ? SYM_LENS : SYM_DISTS;
  let huff: u32 = 0;
  let sym: u32 = 0;
  let len = min;
  let next = table;
  let curr = root;
  let drop: u32 = 0;
  let low: u32 = 0xffffffff;
  let used: u32 = primary;
  const mask: u32 = primary - 1;
  while (true) {
    const here = load<u32>(symEntries + (<usize>load<u16>(WORK + (<usize>sym << 1)) << 2)) | (len - drop);
    const incr: u32 = 1 << (len - drop);
    let fill: u32 = 1 << curr;
    do {
      fill -= incr;
      store<u32>(next + (<usize>((huff >>> drop) + fill) << 2), here);
    } while (fill != 0);
    let inc: u32 = 1 << (len - 1);
    while ((huff & inc) != 0) inc >>>= 1;
    if (inc != 0) {
      huff &= inc - 1;
      huff += inc;
    } else {
      huff = 0;
    }
    sym++;
    const c = getCount(len) - 1;
    setCount(len, c);
    if (c == 0) {
      if (len == max) break;
      len = load<u8>(lens + <usize>load<u16>(WORK + (<usize>sym << 1)));
    }
    if (len > root && (huff & mask) != low) {
      if (drop == 0) drop = root;
      next += <usize>(1 << curr) << 2;
      curr = len - drop;
      let room: i32 = 1 << curr;
      while (curr + drop < max) {
        room -= <i32>getCount(curr + drop);
        if (room <= 0) break;
        curr++;
        room <<= 1;
      }
      used += 1 << curr;
      if (used > cap) return false;
      low = huff & mask;
      store<u32>(table + (<usize>low << 2), entry(<u32>((next - table) >>> 2), OP_LINK | curr, root));
    }
  }
  return true;
}

let fixedBuilt = false;

function buildFixed(): void {
  // RFC 1951 3.2.6.
  for (let i: usize = 0; i < 144; i++) store<u8>(LENS + i, 8);
  for (let i: usize = 144; i < 256; i++) store<u8>(LENS + i, 9);
  for (let i: usize = 256; i < 280; i++) store<u8>(LENS + i, 7);
  for (let i: usize = 280; i < 288; i++) store<u8>(LENS + i, 8);
  buildTable(LENS, 288, FIXED_LIT, LIT_ROOT, KIND_LENS, LIT_CAP);
  for (let i: usize = 0; i < 32; i++) store<u8>(LENS + i, 5);
  buildTable(LENS, 32, FIXED_DIST, DIST_ROOT, KIND_DISTS, DIST_CAP);
  fixedBuilt = true;
}

// Bit reader state for the careful path (the fast loop keeps its own copies in locals).
let gIp: usize = 0;
let gInEnd: usize = 0;
let gBits: u64 = 0;
let gCount: u32 = 0;
/** Zero bits appended past the end of the input; consuming any of them means TRUNCATED. */
let gPad: u32 = 0;
let gOp: usize = 0;
let gOutStart: usize = 0;
let gOutEnd: usize = 0;
let gWritten: usize = 0;

// @ts-ignore: decorator
@inline function need(n: u32): void {
  while (gCount < n) {
    if (gIp < gInEnd) {
      gBits |= <u64>load<u8>(gIp) << gCount;
      gIp++;
    } else {
      gPad += 8;
    }
    gCount += 8;
  }
}

// @ts-ignore: decorator
@inline function drop(n: u32): void {
  gBits >>>= n;
  gCount -= n;
}

/** Take n (<= 16) bits; check `overran()` afterwards. */
function take(n: u32): u32 {
  need(n);
  const v = <u32>gBits & ((1 << n) - 1);
  drop(n);
  return v;
}

// @ts-ignore: decorator
@inline function overran(): bool {
  return gCount < gPad;
}

/** Go back to a byte boundary and hand unread whole bytes back to the input. */
function alignToByte(): bool {
  drop(gCount & 7);
  if (overran()) return false;
  gIp -= <usize>((gCount - gPad) >>> 3);
  gBits = 0;
  gCount = 0;
  gPad = 0;
  return true;
}

/** Look up one symbol with the careful reader; returns the final entry or an OP_INVALID one. */
function decodeCareful(table: usize, root: u32): u32 {
  need(15);
  let e = load<u32>(table + (<usize>(<u32>gBits & ((1 << root) - 1)) << 2));
  let op = (e >>> 8) & 0xff;
  if ((op & OP_LINK) != 0) {
    if (op == OP_INVALID) return e;
    drop(e & 0xff);
    e = load<u32>(table + (<usize>((e >>> 16) + (<u32>gBits & ((1 << (op & 15)) - 1))) << 2));
  }
  drop(e & 0xff);
  return e;
}

function readDynamicHeader(): i32 {
  need(14);
  const nlen = take(5) + 257;
  const ndist = take(5) + 1;
  const ncode = take(4) + 4;
  if (overran()) return TRUNCATED;
  if (nlen > 286 || ndist > 30) return BAD_HUFFMAN;
  for (let i: usize = 0; i < 19; i++) store<u8>(LENS + i, 0);
  for (let i: u32 = 0; i < ncode; i++) {
    store<u8>(LENS + <usize>load<u8>(CL_ORDER + i), <u8>take(3));
  }
  if (overran()) return TRUNCATED;
  if (!buildTable(LENS, 19, CL_TABLE, CL_ROOT, KIND_CODES, CL_CAP)) return BAD_HUFFMAN;
  const total = nlen + ndist;
  let i: u32 = 0;
  while (i < total) {
    need(7);
    const e = load<u32>(CL_TABLE + (<usize>(<u32>gBits & 0x7f) << 2));
    if (((e >>> 8) & 0xff) != OP_LITERAL) return BAD_HUFFMAN;
    drop(e & 0xff);
    const sym = e >>> 16;
    if (sym < 16) {
      if (overran()) return TRUNCATED;
      store<u8>(LENS + i, <u8>sym);
      i++;
      continue;
    }
    let rep: u32;
    let val: u8 = 0;
    if (sym == 16) {
      if (i == 0) return BAD_HUFFMAN;
      val = load<u8>(LENS + i - 1);
      rep = 3 + take(2);
    } else if (sym == 17) {
      rep = 3 + take(3);
    } else {
      rep = 11 + take(7);
    }
    if (overran()) return TRUNCATED;
    if (i + rep > total) return BAD_HUFFMAN;
    for (let k: u32 = 0; k < rep; k++) store<u8>(LENS + i + k, val);
    i += rep;
  }
  if (load<u8>(LENS + 256) == 0) return BAD_HUFFMAN; // no end-of-block code
  if (!buildTable(LENS, nlen, LIT_TABLE, LIT_ROOT, KIND_LENS, LIT_CAP)) return BAD_HUFFMAN;
  if (!buildTable(LENS + nlen, ndist, DIST_TABLE, DIST_ROOT, KIND_DISTS, DIST_CAP)) return BAD_HUFFMAN;
  return OK;
}

function storedBlock(): i32 {
  if (!alignToByte()) return TRUNCATED;
  let ip = gIp;
  if (ip + 4 > gInEnd) return TRUNCATED;
  const len = <usize>load<u16>(ip);
  const nlen = <usize>load<u16>(ip, 2);
  ip += 4;
  if ((len ^ 0xffff) != nlen) return BAD_STORED_LENGTH;
  if (len > gInEnd - ip) {
    // Copy what there is so the caller sees how far the data went.
    const have = gInEnd - ip;
    const room = gOutEnd - gOp;
    const n = have < room ? have : room;
    memory.copy(gOp, ip, n);
    gOp += n;
    gIp = gInEnd;
    return have > room ? OUTPUT_OVERRUN : TRUNCATED;
  }
  if (len > gOutEnd - gOp) return OUTPUT_OVERRUN;
  memory.copy(gOp, ip, len);
  gOp += len;
  gIp = ip + len;
  return OK;
}

/**
 * The fast loop. Runs while 8 input bytes can be loaded at once and three literals fit in the
 * output; each match is checked against the output end and copied 8 bytes at a time only where
 * the overshoot still lands inside the output. Returns -1 to hand over to the careful path, OK at
 * end-of-block, or an error code. (Limits are absolute addresses well above 266, so the
 * subtractions below cannot wrap.)
 */
function decodeFast(lt: usize, dt: usize): i32 {
  let ip = gIp;
  let bits = gBits;
  let count = gCount;
  let op = gOp;
  const inLimit = gInEnd - 8;
  const outEnd = gOutEnd;
  const outLimit = outEnd - 3;
  const outStart = gOutStart;
  let result: i32 = -1;
  const litMask: u64 = (1 << LIT_ROOT) - 1;
  const distMask: u64 = (1 << DIST_ROOT) - 1;
  while (ip <= inLimit && op <= outLimit) {
    bits |= load<u64>(ip) << count;
    ip += <usize>((63 - count) >>> 3);
    count |= 56;
    let e = load<u32>(lt + (<usize>(bits & litMask) << 2));
    if ((e & 0xff00) == 0) {
      // Literal. With >= 56 bits after the refill, up to three literals (15 bits each) fit; a
      // non-literal after them goes round the loop for a refill first.
      bits >>>= e & 0xff;
      count -= e & 0xff;
      store<u8>(op, <u8>(e >>> 16));
      op++;
      e = load<u32>(lt + (<usize>(bits & litMask) << 2));
      if ((e & 0xff00) == 0) {
        bits >>>= e & 0xff;
        count -= e & 0xff;
        store<u8>(op, <u8>(e >>> 16));
        op++;
        e = load<u32>(lt + (<usize>(bits & litMask) << 2));
        if ((e & 0xff00) == 0) {
          bits >>>= e & 0xff;
          count -= e & 0xff;
          store<u8>(op, <u8>(e >>> 16));
          op++;
        }
      }
      continue;
    }
    let opc = (e >>> 8) & 0xff;
    if ((opc & OP_LINK) != 0) {
      if (opc == OP_INVALID) {
        result = BAD_HUFFMAN;
        break;
      }
      bits >>>= e & 0xff;
      count -= e & 0xff;
      e = load<u32>(lt + (<usize>((e >>> 16) + (<u32>bits & ((1 << (opc & 15)) - 1))) << 2));
      opc = (e >>> 8) & 0xff;
    }
    bits >>>= e & 0xff;
    count -= e & 0xff;
    if (opc == OP_LITERAL) {
      store<u8>(op, <u8>(e >>> 16));
      op++;
      continue;
    }
    if ((opc & OP_BASE) == 0) {
      result = opc == OP_END ? OK : BAD_HUFFMAN;
      break;
    }
    let extra = opc & 15;
    const length = <usize>((e >>> 16) + (<u32>bits & ((1 << extra) - 1)));
    bits >>>= extra;
    count -= extra;

    e = load<u32>(dt + (<usize>(bits & distMask) << 2));
    opc = (e >>> 8) & 0xff;
    if ((opc & OP_LINK) != 0) {
      if (opc == OP_INVALID) {
        result = BAD_HUFFMAN;
        break;
      }
      bits >>>= e & 0xff;
      count -= e & 0xff;
      e = load<u32>(dt + (<usize>((e >>> 16) + (<u32>bits & ((1 << (opc & 15)) - 1))) << 2));
      opc = (e >>> 8) & 0xff;
      if ((opc & OP_BASE) == 0) {
        result = BAD_HUFFMAN;
        break;
      }
    }
    bits >>>= e & 0xff;
    count -= e & 0xff;
    extra = opc & 15;
    const dist = <usize>((e >>> 16) + (<u32>bits & ((1 << extra) - 1)));
    bits >>>= extra;
    count -= extra;
    if (dist > op - outStart) {
      result = DISTANCE_TOO_FAR;
      break;
    }
    let src = op - dist;
    const end = op + length;
    if (end > outEnd) {
      while (op < outEnd) {
        store<u8>(op, load<u8>(src));
        op++;
        src++;
      }
      result = OUTPUT_OVERRUN;
      break;
    }
    if (dist >= 8 && end + 8 <= outEnd) {
      do {
        store<u64>(op, load<u64>(src));
        op += 8;
        src += 8;
      } while (op < end);
    } else if (dist == 1) {
      memory.fill(op, load<u8>(src), length);
    } else {
      while (op < end) {
        store<u8>(op, load<u8>(src));
        op++;
        src++;
      }
    }
    op = end;
  }
  // Keep only the counted bits so the careful path can continue byte by byte.
  gBits = count == 0 ? 0 : bits & ((<u64>1 << count) - 1);
  gCount = count;
  gIp = ip;
  gOp = op;
  return result;
}

/** Decode one Huffman-coded block up to its end-of-block code. */
function decodeBlock(lt: usize, dt: usize): i32 {
  while (true) {
    if (gPad == 0) {
      const r = decodeFast(lt, dt);
      if (r >= 0) return r;
    }
    // Careful path: one symbol at a time.
    let e = decodeCareful(lt, LIT_ROOT);
    let opc = (e >>> 8) & 0xff;
    if (opc >= OP_LINK) return gPad > 0 ? TRUNCATED : BAD_HUFFMAN;
    if (overran()) return TRUNCATED;
    if (opc == OP_LITERAL) {
      if (gOp >= gOutEnd) return OUTPUT_OVERRUN;
      store<u8>(gOp, <u8>(e >>> 16));
      gOp++;
      continue;
    }
    if (opc == OP_END) return OK;
    const length = <usize>((e >>> 16) + take(opc & 15));
    if (overran()) return TRUNCATED;
    e = decodeCareful(dt, DIST_ROOT);
    opc = (e >>> 8) & 0xff;
    if ((opc & OP_BASE) == 0 || opc >= OP_LINK) return gPad > 0 ? TRUNCATED : BAD_HUFFMAN;
    if (overran()) return TRUNCATED;
    const dist = <usize>((e >>> 16) + take(opc & 15));
    if (overran()) return TRUNCATED;
    if (dist > gOp - gOutStart) return DISTANCE_TOO_FAR;
    let op = gOp;
    let src = op - dist;
    const room = gOutEnd - op;
    const n = length < room ? length : room;
    const end = op + n;
    while (op < end) {
      store<u8>(op, load<u8>(src));
      op++;
      src++;
    }
    gOp = op;
    if (n < length) return OUTPUT_OVERRUN;
  }
  return OK; // unreachable
}

/**
 * Adler-32 (RFC 1950 8.2) of `len` bytes at `ptr`. SIMD: per 16-byte chunk, lane sums go to `s1`,
 * position-weighted sums (16..1) to `s2`, and the running `s1` before each chunk to `sp`; per block
 * of at most 5536 bytes (no overflow before the modulo) b += n*a + 16*sum(sp) + sum(s2).
 */
function adler32(ptr: usize, len: usize): u32 {
  let a: u64 = 1;
  let b: u64 = 0;
  let p = ptr;
  const wLow = i16x8(16, 15, 14, 13, 12, 11, 10, 9);
  const wHigh = i16x8(8, 7, 6, 5, 4, 3, 2, 1);
  while (len >= 16) {
    let n = len < 5536 ? len & ~15 : 5536;
    len -= n;
    b += <u64>n * a;
    let s1 = i32x4.splat(0);
    let s2 = i32x4.splat(0);
    let sp = i32x4.splat(0);
    const end = p + n;
    while (p < end) {
      const v = v128.load(p);
      sp = i32x4.add(sp, s1);
      s1 = i32x4.add(s1, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v)));
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(v), wLow));
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(v), wHigh));
      p += 16;
    }
    a += <u64><u32>(i32x4.extract_lane(s1, 0) + i32x4.extract_lane(s1, 1) + i32x4.extract_lane(s1, 2) + i32x4.extract_lane(s1, 3));
    const spSum = <u64><u32>i32x4.extract_lane(sp, 0) + <u64><u32>i32x4.extract_lane(sp, 1) +
      <u64><u32>i32x4.extract_lane(sp, 2) + <u64><u32>i32x4.extract_lane(sp, 3);
    const s2Sum = <u64><u32>i32x4.extract_lane(s2, 0) + <u64><u32>i32x4.extract_lane(s2, 1) +
      <u64><u32>i32x4.extract_lane(s2, 2) + <u64><u32>i32x4.extract_lane(s2, 3);
    b += 16 * spSum + s2Sum;
    a %= 65521;
    b %= 65521;
  }
  while (len > 0) {
    a += load<u8>(p);
    b += a;
    p++;
    len--;
  }
  a %= 65521;
  b %= 65521;
  return <u32>((b << 16) | a);
}

function run(inPtr: usize, inLen: usize, outPtr: usize, outLen: usize, flags: u32): i32 {
  if (!fixedBuilt) buildFixed();
  gIp = inPtr;
  gInEnd = inPtr + inLen;
  gBits = 0;
  gCount = 0;
  gPad = 0;
  gOp = outPtr;
  gOutStart = outPtr;
  gOutEnd = outPtr + outLen;
  const zlib = (flags & FLAG_RAW) == 0;
  if (zlib) {
    if (inLen < 2) return TRUNCATED;
    const cmf = <u32>load<u8>(inPtr);
    const flg = <u32>load<u8>(inPtr, 1);
    // RFC 1950 2.2: CM = 8, CINFO <= 7, FCHECK, and no preset dictionary (FDICT).
    if ((cmf & 15) != 8 || (cmf >>> 4) > 7 || ((cmf << 8) | flg) % 31 != 0 || (flg & 0x20) != 0) {
      return BAD_HEADER;
    }
    gIp += 2;
  }
  let last: u32 = 0;
  do {
    need(3);
    last = <u32>gBits & 1;
    const type = (<u32>gBits >>> 1) & 3;
    drop(3);
    if (overran()) return TRUNCATED;
    let r: i32;
    if (type == 0) {
      r = storedBlock();
    } else if (type == 1) {
      r = decodeBlock(FIXED_LIT, FIXED_DIST);
    } else if (type == 2) {
      r = readDynamicHeader();
      if (r == OK) r = decodeBlock(LIT_TABLE, DIST_TABLE);
    } else {
      r = BAD_BLOCK_TYPE;
    }
    if (r != OK) return r;
  } while (last == 0);
  if (zlib) {
    if (!alignToByte()) return TRUNCATED;
    if (gIp + 4 > gInEnd) return TRUNCATED;
    const stored = bswap<u32>(load<u32>(gIp));
    if (adler32(outPtr, gOp - outPtr) != stored) return BAD_CHECKSUM;
  }
  if ((flags & FLAG_EXACT) != 0 && gOp != gOutEnd) return OUTPUT_SHORT;
  return OK;
}

/**
 * Inflate `inLen` bytes at `inPtr` into the `outLen`-byte region at `outPtr`. flags: 1 = raw
 * DEFLATE (no zlib header/trailer), 2 = the output must be filled exactly. Returns a CodecError
 * code; `inflateWritten()` tells how many output bytes were produced (also after an error).
 */
export function inflate(inPtr: usize, inLen: usize, outPtr: usize, outLen: usize, flags: u32): i32 {
  const r = run(inPtr, inLen, outPtr, outLen, flags);
  gWritten = gOp - outPtr;
  return r;
}

export function inflateWritten(): usize {
  return gWritten;
}
