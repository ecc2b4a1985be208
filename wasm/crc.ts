/**
 * PST CRC-32 ([MS-PST] 5.3 "CRC Calculation"; pst-format.md §5).
 *
 * Reflected polynomial 0xEDB88320, no pre/post inversion, so the running value of one call is the
 * seed of the next. MS-PST prints eight 256-entry tables (slicing-by-8); we go one step further and
 * slice by 16 (16 tables, 16 KiB, built once at instantiation) because the CRC runs over every page
 * and block of a 50 GB file and the wasm version has to beat a plain-JS slicing-by-8 loop.
 */

/** T[k][i] at CRC_TABLES + (k * 256 + i) * 4; T[0] is the ordinary byte table. */
const CRC_TABLES: usize = memory.data(16 * 256 * 4, 64);

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
  return load<u32>(CRC_TABLES + ((<usize>(k << 8) + <usize>i) << 2));
}

/** CRC of `len` bytes at `ptr`, continuing from `crc` (0 for a fresh CRC). */
export function crc32(ptr: usize, len: usize, crc: u32): u32 {
  let p = ptr;
  const end = ptr + len;
  while (p < end && (p & 7) != 0) {
    crc = T(0, (crc ^ load<u8>(p)) & 0xff) ^ (crc >>> 8);
    p++;
  }
  while (p + 16 <= end) {
    const a = load<u32>(p) ^ crc;
    const b = load<u32>(p, 4);
    const c = load<u32>(p, 8);
    const d = load<u32>(p, 12);
    crc =
      T(15, a & 0xff) ^ T(14, (a >>> 8) & 0xff) ^ T(13, (a >>> 16) & 0xff) ^ T(12, a >>> 24) ^
      T(11, b & 0xff) ^ T(10, (b >>> 8) & 0xff) ^ T(9, (b >>> 16) & 0xff) ^ T(8, b >>> 24) ^
      T(7, c & 0xff) ^ T(6, (c >>> 8) & 0xff) ^ T(5, (c >>> 16) & 0xff) ^ T(4, c >>> 24) ^
      T(3, d & 0xff) ^ T(2, (d >>> 8) & 0xff) ^ T(1, (d >>> 16) & 0xff) ^ T(0, d >>> 24);
    p += 16;
  }
  while (p < end) {
    crc = T(0, (crc ^ load<u8>(p)) & 0xff) ^ (crc >>> 8);
    p++;
  }
  return crc;
}
