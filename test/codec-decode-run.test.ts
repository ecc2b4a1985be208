/**
 * Codecs.decodeRunInto (the reader's attachment runs: many blocks in one wasm call) against
 * decodeBlock block by block: blocks of assorted sizes (around the CRC's folding threshold of
 * 1440 bytes, and full 8176-byte ones) with trailer-sized and larger gaps between them, each
 * with its own cipher and key, written back to back into an output at an offset. The CRCs, the
 * payload bytes, the byte count and the untouched input must all match; so must a run too large
 * for one call, which goes block by block.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BlockCrypt, type Codecs, MAX_CALL_BYTES, loadCodecs } from '../worker/codec/index.ts';
import { randomBytes } from './codec-helpers.ts';

let c: Codecs;
beforeAll(async () => {
  c = await loadCodecs();
});

/** A run of `sizes` blocks with the gaps after each, ciphers rotating; the descriptor and the expected output. */
function run(sizes: number[], gaps: number[], seed: number) {
  const offs: number[] = [];
  let end = 0;
  for (let k = 0; k < sizes.length; k++) {
    offs.push(end);
    end += sizes[k]! + gaps[k % gaps.length]!;
  }
  const raw = randomBytes(end, seed);
  const desc = new Uint32Array(4 * sizes.length + 4).fill(0xdeadbeef);
  const want: Uint8Array[] = [];
  const crcs: number[] = [];
  for (let k = 0; k < sizes.length; k++) {
    const crypt = [BlockCrypt.PERMUTE, BlockCrypt.NONE, BlockCrypt.CYCLIC][(k + seed) % 3]!;
    const bid = (0x10004 + 8 * k + seed * 977) >>> 0;
    const stored = raw.subarray(offs[k]!, offs[k]! + sizes[k]!);
    const out = new Uint8Array(stored.length);
    crcs.push(c.decodeBlock!(stored, out, { crypt, key: bid, inflate: false, crc: true }).crc);
    want.push(out);
    desc[4 * k] = offs[k]!;
    desc[4 * k + 1] = sizes[k]!;
    desc[4 * k + 2] = crypt === BlockCrypt.CYCLIC ? (crypt << 16) | ((bid ^ (bid >>> 16)) & 0xffff) : crypt << 16;
  }
  return { raw, desc, want, crcs };
}

describe('decodeRunInto', () => {
  test('same CRCs and bytes as decodeBlock per block, payloads back to back', () => {
    expect(c.decodeRunInto).toBeTypeOf('function');
    const cases: [number[], number[]][] = [
      [[8176, 8176, 8176, 8176], [16]],
      [[1, 15, 16, 17, 1439, 1440, 1441, 3000, 8176], [16, 0, 200, 7]],
      [[8176, 100, 8176, 2000, 8176], [4096 + 16, 48]],
      [Array.from({ length: 300 }, (_, k) => 8176 - (k % 5) * 1000), [16, 24]],
    ];
    cases.forEach(([sizes, gaps], seed) => {
      const { raw, desc, want, crcs } = run(sizes, gaps, seed + 1);
      const before = raw.slice();
      const total = sizes.reduce((a, b) => a + b, 0);
      const outAt = 37;
      const out = new Uint8Array(outAt + total + 9).fill(0x5a);
      const n = c.decodeRunInto!(raw, desc, sizes.length, out, outAt);
      expect(n, `case ${seed}`).toBe(total);
      let at = outAt;
      for (let k = 0; k < sizes.length; k++) {
        expect(desc[4 * k + 3], `case ${seed} block ${k}: CRC`).toBe(crcs[k]);
        expect(Buffer.compare(out.subarray(at, at + sizes[k]!), want[k]!), `case ${seed} block ${k}: bytes`).toBe(0);
        at += sizes[k]!;
      }
      expect(out.subarray(0, outAt).every((b) => b === 0x5a), 'bytes before outAt untouched').toBe(true);
      expect(out.subarray(at).every((b) => b === 0x5a), 'bytes after the payloads untouched').toBe(true);
      expect(desc[4 * sizes.length], 'descriptor past n untouched').toBe(0xdeadbeef);
      expect(Buffer.compare(raw, before), 'input untouched').toBe(0);
    });
  });

  test('overlapping blocks and a short output are refused, not decoded', () => {
    const { raw, desc } = run([3000, 3000], [16], 9);
    desc[4] = 2000; // the second block starts inside the first one's payload
    expect(() => c.decodeRunInto!(raw, desc, 2, new Uint8Array(6000), 0)).toThrow(RangeError);
    const ok = run([3000, 3000], [16], 9);
    expect(() => c.decodeRunInto!(ok.raw, ok.desc, 2, new Uint8Array(5999), 0)).toThrow(RangeError);
  });

  test('a run larger than one call goes block by block with the same result', () => {
    const sizes = [65536, 65536];
    const { desc, want, crcs } = run(sizes, [16], 4);
    // Stretch the run past MAX_CALL_BYTES with a gap after the first block.
    const raw = new Uint8Array(MAX_CALL_BYTES + 65536 * 2 + 16);
    const small = run(sizes, [16], 4).raw;
    raw.set(small.subarray(0, 65536 + 16));
    const second = MAX_CALL_BYTES;
    raw.set(small.subarray(65536 + 16, 65536 * 2 + 16), second);
    desc[4] = second;
    const out = new Uint8Array(65536 * 2);
    expect(c.decodeRunInto!(raw, desc, 2, out, 0)).toBe(65536 * 2);
    expect(desc[3]).toBe(crcs[0]);
    expect(desc[7]).toBe(crcs[1]);
    expect(Buffer.compare(out.subarray(0, 65536), want[0]!)).toBe(0);
    expect(Buffer.compare(out.subarray(65536), want[1]!)).toBe(0);
  });
});
