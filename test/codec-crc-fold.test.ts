/**
 * The wasm CRC folds 16-byte chunks of long inputs instead of running them through the tables
 * (wasm/crc.ts): it relies on P dividing Q = x^(128*89) + x^(128*88) + x^(128*41) + x^(128*36)
 * + x^(128*16) + x^(128*13) + x^(128*5) + 1, and on its ring of folded chunks being set up anew
 * by every call. Checked here: the divisibility itself, and the kernels (crc32 alone and fused
 * with the permute decoding) against a plain byte-table CRC for every length across the point
 * where folding starts, seeds with high bits set, unaligned inputs, and calls of different
 * lengths one after another.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BlockCrypt, type Codecs, loadCodecs } from '../worker/codec/index.ts';
import { randomBytes } from './codec-helpers.ts';

/** [MS-PST] 5.3, one byte at a time: the reference. */
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crcRef(b: Uint8Array, crc = 0): number {
  for (let i = 0; i < b.length; i++) crc = (TABLE[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8)) >>> 0;
  return crc;
}

let c: Codecs;
beforeAll(async () => {
  c = await loadCodecs();
});

describe('CRC by folding', () => {
  test('P divides the folding polynomial', () => {
    // x^k mod P for P = x^32 + 0x04C11DB7 (normal bit order), summed over Q's exponents.
    const P = 0x04c11db7;
    const xPow = (k: number) => {
      let r = 1;
      for (let i = 0; i < k; i++) r = (r & 0x80000000 ? ((r << 1) ^ P) : r << 1) >>> 0;
      return r;
    };
    const exps = [89, 88, 41, 36, 16, 13, 5, 0].map((t) => 128 * t);
    expect(exps.reduce((acc, e) => (acc ^ xPow(e)) >>> 0, 0)).toBe(0);
    // A polynomial it does not divide gives a non-zero remainder (the check can fail).
    expect(exps.slice(1).reduce((acc, e) => (acc ^ xPow(e)) >>> 0, 0)).not.toBe(0);
  });

  test('crc32 and the fused permute kernel equal the byte-table CRC around and beyond the fold threshold', () => {
    const data = randomBytes(70_000, 99);
    const seeds = [0, 0xffffffff, 0x80000001, 0x12345678];
    const lengths: number[] = [];
    for (let n = 1380; n <= 1520; n++) lengths.push(n); // folding starts at 1440 bytes
    lengths.push(0, 1, 16, 1000, 2047, 4096, 8176, 8192, 65_536, 69_990);
    let k = 0;
    for (const n of lengths) {
      const off = n % 7; // unaligned views too
      const input = data.subarray(off, off + n);
      const seed = seeds[k++ % seeds.length]!;
      const want = crcRef(input, seed);
      expect(c.crc32(input, seed), `crc32 n=${n} seed=${seed}`).toBe(want);
      // The fused kernel (crcDecodeInto with the permute cipher) returns the CRC of the stored bytes.
      const out = new Uint8Array(n);
      expect(c.crcDecodeInto!(input, out, BlockCrypt.PERMUTE, 0), `fused n=${n}`).toBe(crcRef(input));
      const plain = new Uint8Array(n);
      c.decodeBlock!(input, plain, { crypt: BlockCrypt.PERMUTE, key: 0, inflate: false, crc: false });
      expect(Buffer.compare(out, plain), `fused n=${n}: bytes`).toBe(0);
    }
  });

  test('a long call after a short one and after one of another length gives the same CRC', () => {
    const a = randomBytes(9000, 5);
    const b = randomBytes(3000, 6);
    const want = crcRef(a);
    expect(c.crc32(a)).toBe(want);
    c.crc32(b, 0xdeadbeef);
    expect(c.crc32(a)).toBe(want);
    c.crc32(a.subarray(0, 1441), 7);
    expect(c.crc32(a)).toBe(want);
  });
});
