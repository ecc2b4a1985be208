/**
 * PST CRC-32 ([MS-PST] 5.3 "CRC Calculation"; pst-format.md §5).
 *
 * Reflected polynomial 0xEDB88320, no pre/post inversion, so the running value of one call is the
 * seed of the next. MS-PST prints eight 256-entry tables (slicing-by-8); we go one step further and
 * slice by 16 (16 tables, 16 KiB, built once at instantiation) because the CRC runs over every page
 * and block of a 50 GB file and the wasm version has to beat a plain-JS slicing-by-8 loop.
 */

/** T[k][i] at CRC_TABLES + (k * 256 + i) * 4; T[0] is the ordinary byte table. */
export const CRC_TABLES: usize = memory.data(16 * 256 * 4, 64);

function buildTables(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(CRC_TABLES + (<usize>i << 2), c);
  }
  for (let k: u32 = 1; k < 16; k++) {
    for (let i: u32 = 0; i < 256; i++) {
      const prev = load<u32>(CRC_TABLES + ((<usize>(k - 1) * 256 + i) << 2));
      const next = load<u32>(CRC_TABLES + (<usize>(prev & 0xff) << 2)) ^ (prev >>> 8);
      store<u32>(CRC_TABLES + ((<usize>k * 256 + i) << 2), next);
    }
  }
}
buildTables();

// @ts-ignore: decorator
@inline function T(k: u32, i: u32): u32 {
  // Table address as the load's immediate offset (k is constant at every call site).
  return load<u32>((<usize>i << 2) + (<usize>k << 10), CRC_TABLES);
}

/** One byte of CRC. */
// @ts-ignore: decorator
@inline export function crcStep1(p: usize, crc: u32): u32 {
  return T(0, (crc ^ load<u8>(p)) & 0xff) ^ (crc >>> 8);
}

/** Sixteen bytes of CRC (slicing-by-16); shared with the fused block kernel (block.ts). */
// @ts-ignore: decorator
@inline export function crcStep16(p: usize, crc: u32): u32 {
  return crcStep16Words(load<u32>(p) ^ crc, load<u32>(p, 4), load<u32>(p, 8), load<u32>(p, 12));
}

/** crcStep16 of the sixteen bytes in `v` (a register, not memory). */
// @ts-ignore: decorator
@inline export function crcStep16v(v: v128, crc: u32): u32 {
  return crcStep16Words(i32x4.extract_lane(v, 0) ^ crc, i32x4.extract_lane(v, 1), i32x4.extract_lane(v, 2), i32x4.extract_lane(v, 3));
}

/** The table lookups of crcStep16 for words a (the CRC already XORed in), b, c, d. */
// @ts-ignore: decorator
@inline function crcStep16Words(a: u32, b: u32, c: u32, d: u32): u32 {
  return (
    load<u32>(<usize>(a & 0xff) << 2, CRC_TABLES + 15 * 1024) ^
    load<u32>(<usize>((a >>> 8) & 0xff) << 2, CRC_TABLES + 14 * 1024) ^
    load<u32>(<usize>((a >>> 16) & 0xff) << 2, CRC_TABLES + 13 * 1024) ^
    load<u32>(<usize>(a >>> 24) << 2, CRC_TABLES + 12 * 1024) ^
    load<u32>(<usize>(b & 0xff) << 2, CRC_TABLES + 11 * 1024) ^
    load<u32>(<usize>((b >>> 8) & 0xff) << 2, CRC_TABLES + 10 * 1024) ^
    load<u32>(<usize>((b >>> 16) & 0xff) << 2, CRC_TABLES + 9 * 1024) ^
    load<u32>(<usize>(b >>> 24) << 2, CRC_TABLES + 8 * 1024) ^
    load<u32>(<usize>(c & 0xff) << 2, CRC_TABLES + 7 * 1024) ^
    load<u32>(<usize>((c >>> 8) & 0xff) << 2, CRC_TABLES + 6 * 1024) ^
    load<u32>(<usize>((c >>> 16) & 0xff) << 2, CRC_TABLES + 5 * 1024) ^
    load<u32>(<usize>(c >>> 24) << 2, CRC_TABLES + 4 * 1024) ^
    load<u32>(<usize>(d & 0xff) << 2, CRC_TABLES + 3 * 1024) ^
    load<u32>(<usize>((d >>> 8) & 0xff) << 2, CRC_TABLES + 2 * 1024) ^
    load<u32>(<usize>((d >>> 16) & 0xff) << 2, CRC_TABLES + 1 * 1024) ^
    load<u32>(<usize>(d >>> 24) << 2, CRC_TABLES + 0 * 1024)
  );
}

/**
 * Folding ([MS-PST] 5.3's CRC is plain polynomial division, so any message with the same
 * remainder mod P has the same CRC). P divides
 *   Q = x^(128*89) + x^(128*88) + x^(128*41) + x^(128*36) + x^(128*16) + x^(128*13) + x^(128*5) + 1,
 * found by a meet-in-the-middle search over sums of x^(128t) mod P (test/codec-crc-fold.test.ts
 * checks it). So a 128-bit chunk whose bits all lie at least 128*89 bits before the message's end
 * may be XORed into the chunks FOLD_GAPS later and dropped: seven 16-byte XORs into a small ring
 * instead of sixteen table lookups. The last 1424-1439 bytes, with the chunks folded into them,
 * go through the tables. With the seed XORed into the first four bytes first (the register is
 * linear, no pre/post inversion), the result equals crcTable's. About 1.3x crcTable's speed on
 * 8 KiB blocks (the tail is a sixth of one).
 */
const FOLD_CHUNKS: usize = 89;
/** Shortest input folded: the tail plus one chunk. */
export const FOLD_MIN: usize = (FOLD_CHUNKS + 1) << 4;
/** What earlier chunks folded into each chunk, indexed by chunk number mod 128. */
const ACC: usize = memory.data(128 * 16, 64);

/** What the folded chunks put into chunk `c` of the tail (read by foldTail and crcPermuteDecode). */
// @ts-ignore: decorator
@inline export function foldedInto(c: usize): v128 {
  return v128.load(ACC + ((c & 127) << 4));
}
/** The tail with the folds applied, for the table CRC. */
const TAIL: usize = memory.data(<i32>((FOLD_CHUNKS + 1) << 4), 64);

// @ts-ignore: decorator
@inline function accXor(c: usize, w: v128): void {
  const a = ACC + ((c & 127) << 4);
  v128.store(a, v128.xor(v128.load(a), w));
}

/**
 * Fold chunk `c` (bytes `d` at ptr + 16c): the chunk with what earlier chunks folded into it,
 * XORed into the chunks 89, 84, 76, 73, 53 and 48 later; returned for the chunk right after
 * (gap 1), which takes it as `carry` (a register, not the ring). Gap 89 is always the first
 * write to its slot after the slot was last read (chunks 0-88 excepted: foldStart zeroes theirs),
 * so it stores instead of XORing and no slot is ever cleared.
 */
// @ts-ignore: decorator
@inline export function foldChunk(c: usize, d: v128, carry: v128): v128 {
  const w = v128.xor(v128.xor(d, carry), v128.load(ACC + ((c & 127) << 4)));
  // The first write to chunk c + 89's slot since chunk c - 39 read it: a store, no clearing.
  v128.store(ACC + (((c + 89) & 127) << 4), w);
  accXor(c + 84, w);
  accXor(c + 76, w);
  accXor(c + 73, w);
  accXor(c + 53, w);
  accXor(c + 48, w);
  return w;
}

/** Chunks folded for `len` bytes (len >= FOLD_MIN), after seeding the ring with `crc`. */
// @ts-ignore: decorator
@inline export function foldStart(len: usize, crc: u32): usize {
  v128.store(ACC, i32x4.replace_lane(i32x4.splat(0), 0, crc));
  for (let c: usize = 1; c < FOLD_CHUNKS; c++) v128.store(ACC + (c << 4), i32x4.splat(0));
  return (len - (FOLD_CHUNKS << 4)) >> 4;
}

/**
 * The CRC of the tail after `h` folded chunks: its bytes with the folds applied, through the
 * tables from a zero seed.
 */
// @ts-ignore: decorator
@inline export function foldTail(ptr: usize, len: usize, h: usize, carry: v128): u32 {
  accXor(h, carry);
  const t0 = ptr + (h << 4);
  const tlen = len - (h << 4);
  let u: usize = 0;
  for (; (u + 1) << 4 <= tlen; u++) {
    v128.store(TAIL + (u << 4), v128.xor(v128.load(t0 + (u << 4)), foldedInto(h + u)));
  }
  // The partial last chunk: nothing is folded into it (the gaps end 89 chunks on).
  for (let j: usize = u << 4; j < tlen; j++) store<u8>(TAIL + j, load<u8>(t0 + j));
  return crcTable(TAIL, tlen, 0);
}

/** CRC of `len` bytes at `ptr`, continuing from `crc` (0 for a fresh CRC). */
export function crc32(ptr: usize, len: usize, crc: u32): u32 {
  if (len < FOLD_MIN) return crcTable(ptr, len, crc);
  const h = foldStart(len, crc);
  let carry = i32x4.splat(0);
  for (let c: usize = 0; c < h; c++) carry = foldChunk(c, v128.load(ptr + (c << 4)), carry);
  return foldTail(ptr, len, h, carry);
}

/** crc32 by the tables alone (slicing-by-16). */
export function crcTable(ptr: usize, len: usize, crc: u32): u32 {
  let p = ptr;
  const end = ptr + len;
  while (p < end && (p & 7) != 0) {
    crc = crcStep1(p, crc);
    p++;
  }
  while (p + 16 <= end) {
    crc = crcStep16(p, crc);
    p += 16;
  }
  while (p < end) {
    crc = crcStep1(p, crc);
    p++;
  }
  return crc;
}
