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
  const a = load<u32>(p) ^ crc;
  const b = load<u32>(p, 4);
  const c = load<u32>(p, 8);
  const d = load<u32>(p, 12);
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

/** CRC of `len` bytes at `ptr`, continuing from `crc` (0 for a fresh CRC). */
export function crc32(ptr: usize, len: usize, crc: u32): u32 {
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
