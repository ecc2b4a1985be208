/**
 * Damaged input for inflate and LZFu: every truncation, bit flips, garbage and hand-made broken
 * DEFLATE headers. Each case must come back as a CodecError code (the specific one where the damage
 * determines it), never throw, never report more output than the buffer holds, and leave the kernel
 * usable for the next call.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { deflateRawSync, deflateSync, constants } from 'node:zlib';
import { CodecError, type Codecs, loadCodecs } from '../worker/codec/index.ts';
import { BitWriter, CL_ORDER, firstDiff, mailText, randomBytes, rng, runsData, zlibWrap } from './codec-helpers.ts';

let c: Codecs;
beforeAll(async () => {
  c = await loadCodecs();
});

const INFLATE_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const LZFU_CODES = new Set([0, 7, 9, 20, 21, 22]);

/** Inflate that must not throw and must stay within the output. */
function tryInflate(input: Uint8Array, size: number, raw: boolean, exact = true) {
  const out = new Uint8Array(size);
  const r = c.inflate(input, out, { raw, exact });
  expect(r.written).toBeGreaterThanOrEqual(0);
  expect(r.written).toBeLessThanOrEqual(size);
  return { ...r, out };
}

/** A sane call after damage proves the kernel state was not left broken. */
function stillWorks() {
  const plain = mailText(3000, 99);
  const out = new Uint8Array(plain.length);
  expect(c.inflate(deflateSync(plain), out, { exact: true }).error).toBe(0);
  expect(firstDiff(out, plain)).toBe(-1);
}

describe('inflate: truncation', () => {
  const samples: [string, Uint8Array, boolean][] = [];
  const text = mailText(2500, 1);
  samples.push(['zlib dynamic', deflateSync(text), false]);
  samples.push(['raw dynamic', deflateRawSync(text), true]);
  samples.push(['zlib fixed', deflateSync(text, { strategy: constants.Z_FIXED }), false]);
  samples.push(['zlib stored', deflateSync(randomBytes(700, 2), { level: 0 }), false]);
  samples.push(['raw stored', deflateRawSync(randomBytes(700, 3), { level: 0 }), true]);
  samples.push(['raw runs', deflateRawSync(runsData(5000, 4)), true]);

  for (const [name, full, raw] of samples) {
    test(`${name}: every proper prefix is TRUNCATED`, () => {
      const size = name.includes('stored') ? 700 : name.includes('runs') ? 5000 : 2500;
      expect(tryInflate(full, size, raw).error).toBe(0);
      for (let n = 0; n < full.length; n++) {
        const r = tryInflate(full.subarray(0, n), size, raw);
        expect(r.error, `${name} cut at ${n}/${full.length}`).toBe(CodecError.TRUNCATED);
      }
      stillWorks();
    });
  }
});

describe('inflate: bit flips and garbage', () => {
  test('single bit flips in zlib streams: an error code, or OK with the original bytes', () => {
    const r0 = rng(5);
    for (const [plain, opts] of [
      [mailText(6000, 6), {}],
      [runsData(6000, 7), { strategy: constants.Z_FIXED }],
      [randomBytes(2000, 8), { level: 0 }],
    ] as const) {
      const z = deflateSync(plain, opts);
      for (let i = 0; i < 1500; i++) {
        const bad = z.slice();
        const bit = (r0() * bad.length * 8) | 0;
        bad[bit >>> 3]! ^= 1 << (bit & 7);
        const r = tryInflate(bad, plain.length, false);
        if (r.error === 0) expect(firstDiff(r.out, plain), `flip of bit ${bit}`).toBe(-1);
        else expect(INFLATE_CODES.has(r.error), `code ${r.error}`).toBe(true);
      }
    }
    stillWorks();
  });

  test('flipping the Adler-32 trailer is BAD_CHECKSUM', () => {
    const plain = mailText(4000, 9);
    const z = deflateSync(plain);
    for (let k = 1; k <= 4; k++) {
      const bad = z.slice();
      bad[bad.length - k]! ^= 0x10;
      expect(tryInflate(bad, plain.length, false).error).toBe(CodecError.BAD_CHECKSUM);
    }
  });

  test('random garbage, raw and behind a valid zlib header, never throws', () => {
    const r0 = rng(10);
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const len = (r0() * 3000) | 0;
      const g = randomBytes(len, 1000 + i);
      const raw = i % 2 === 0;
      if (!raw && len >= 2) {
        g[0] = 0x78;
        g[1] = 0x9c;
      }
      const r = tryInflate(g, (r0() * 70_000) | 0, raw, i % 3 === 0);
      if (r.error !== 0) {
        errors++;
        expect(INFLATE_CODES.has(r.error), `code ${r.error}`).toBe(true);
      }
    }
    expect(errors).toBeGreaterThan(2900);
    stillWorks();
  });

  test('garbage made of valid-looking fixed-Huffman symbols (long decode paths)', () => {
    const r0 = rng(11);
    for (let i = 0; i < 500; i++) {
      const w = new BitWriter().bits(i % 2, 1).bits(1, 2);
      const n = 10 + ((r0() * 400) | 0);
      for (let k = 0; k < n; k++) {
        if (r0() < 0.7) w.fixedLiteral((r0() * 256) | 0);
        else w.fixedMatch(3 + ((r0() * 256) | 0), 1 + ((r0() * 32768) | 0));
      }
      const r = tryInflate(w.finish(), (r0() * 20_000) | 0, true, false);
      expect([0, ...INFLATE_CODES].includes(r.error), `code ${r.error}`).toBe(true);
    }
    stillWorks();
  });
});

describe('inflate: specific damage gives the specific code', () => {
  const dynamicHeader = (hlit: number, hdist: number, clLens: number[]) => {
    const w = new BitWriter().bits(1, 1).bits(2, 2).bits(hlit - 257, 5).bits(hdist - 1, 5).bits(clLens.length - 4, 4);
    for (const l of clLens) w.bits(l, 3);
    return w;
  };
  /** CL code where symbols 0 and 8 both have length 1: 0 -> '0', 8 -> '1'. */
  const clZeroEight = () => {
    const lens = new Array(19).fill(0);
    lens[CL_ORDER.indexOf(0)] = 1;
    lens[CL_ORDER.indexOf(8)] = 1;
    return lens.slice(0, CL_ORDER.indexOf(8) + 1);
  };

  test('zlib header: bad method, bad FCHECK, preset dictionary, window > 32K', () => {
    const good = deflateSync(mailText(100, 12));
    for (const [a, b] of [
      [0x77, 0x9c], // CM 7
      [0x78, 0x9d], // FCHECK wrong
      [0x78, 0xbb], // FDICT set (0x78bb % 31 == 0)
      [0x88, 0x98], // CINFO 8 (0x8898 % 31 == 0)
    ]) {
      const bad = good.slice();
      bad[0] = a!;
      bad[1] = b!;
      expect(tryInflate(bad, 100, false).error, `${a!.toString(16)} ${b!.toString(16)}`).toBe(CodecError.BAD_HEADER);
    }
  });

  test('block type 3 is BAD_BLOCK_TYPE', () => {
    expect(tryInflate(new BitWriter().bits(1, 1).bits(3, 2).bits(0, 13).finish(), 10, true).error).toBe(CodecError.BAD_BLOCK_TYPE);
  });

  test('stored LEN/NLEN mismatch is BAD_STORED_LENGTH', () => {
    const raw = new BitWriter().stored(new Uint8Array([1, 2, 3]), true, 0x1234).finish();
    expect(tryInflate(raw, 3, true).error).toBe(CodecError.BAD_STORED_LENGTH);
  });

  test('reserved length symbols 286/287 and distance symbols 30/31 are BAD_HUFFMAN', () => {
    for (const sym of [286, 287]) {
      const raw = new BitWriter().bits(1, 1).bits(1, 2).fixedLiteral(1).fixedSymbol(sym).bits(0, 16).finish();
      expect(tryInflate(raw, 10, true, false).error, `length symbol ${sym}`).toBe(CodecError.BAD_HUFFMAN);
    }
    for (const dsym of [30, 31]) {
      const raw = new BitWriter().bits(1, 1).bits(1, 2).fixedLiteral(1).fixedSymbol(257).code(dsym, 5).bits(0, 16).finish();
      expect(tryInflate(raw, 10, true, false).error, `distance symbol ${dsym}`).toBe(CodecError.BAD_HUFFMAN);
    }
  });

  test('over-subscribed and incomplete code-length codes are BAD_HUFFMAN', () => {
    const over = dynamicHeader(257, 1, [1, 1, 1, 1]).bits(0, 32).finish();
    expect(tryInflate(over, 10, true).error).toBe(CodecError.BAD_HUFFMAN);
    const incomplete = dynamicHeader(257, 1, [0, 0, 0, 2]).bits(0, 32).finish();
    expect(tryInflate(incomplete, 10, true).error).toBe(CodecError.BAD_HUFFMAN);
    const none = dynamicHeader(257, 1, [0, 0, 0, 0]).bits(0, 32).finish();
    expect(tryInflate(none, 10, true).error).toBe(CodecError.BAD_HUFFMAN);
  });

  test('too many length or distance codes is BAD_HUFFMAN', () => {
    expect(tryInflate(dynamicHeader(287, 1, clZeroEight()).bits(0, 32).finish(), 10, true).error).toBe(CodecError.BAD_HUFFMAN);
    expect(tryInflate(dynamicHeader(257, 31, clZeroEight()).bits(0, 32).finish(), 10, true).error).toBe(CodecError.BAD_HUFFMAN);
  });

  test('repeat-previous (16) as the first code length is BAD_HUFFMAN', () => {
    const lens = new Array(19).fill(0);
    lens[CL_ORDER.indexOf(16)] = 1;
    lens[CL_ORDER.indexOf(0)] = 1;
    // Canonical: 0 -> '0', 16 -> '1'.
    const w = dynamicHeader(257, 1, lens.slice(0, 4)).code(1, 1).bits(0, 2).bits(0, 32);
    expect(tryInflate(w.finish(), 10, true).error).toBe(CodecError.BAD_HUFFMAN);
  });

  test('repeat running past HLIT + HDIST is BAD_HUFFMAN', () => {
    const lens = new Array(19).fill(0);
    lens[CL_ORDER.indexOf(18)] = 1;
    lens[CL_ORDER.indexOf(0)] = 1;
    // 0 -> '0', 18 -> '1'; 3 x (18, +127) = 414 zeros > 258.
    const w = dynamicHeader(257, 1, lens.slice(0, 4));
    for (let k = 0; k < 3; k++) w.code(1, 1).bits(127, 7);
    expect(tryInflate(w.bits(0, 32).finish(), 10, true).error).toBe(CodecError.BAD_HUFFMAN);
  });

  test('no end-of-block code, and an over-subscribed literal/length code, are BAD_HUFFMAN', () => {
    // 256 literals of length 8, EOB length 0.
    const noEob = dynamicHeader(257, 1, clZeroEight());
    for (let i = 0; i < 256; i++) noEob.code(1, 1);
    noEob.code(0, 1).code(0, 1);
    expect(tryInflate(noEob.bits(0, 32).finish(), 10, true).error).toBe(CodecError.BAD_HUFFMAN);
    // 257 codes of length 8.
    const over = dynamicHeader(257, 1, clZeroEight());
    for (let i = 0; i < 257; i++) over.code(1, 1);
    over.code(0, 1);
    expect(tryInflate(over.bits(0, 32).finish(), 10, true).error).toBe(CodecError.BAD_HUFFMAN);
  });

  test('a length code in a block whose distance code is empty is BAD_HUFFMAN', () => {
    // Literal/length: all 256 literals... instead: symbols 0..255 length 9? Keep it small: use
    // lengths 8 for literals 0..127, 8 for 256..383 is impossible; so: literals 0..255 length 9
    // (512 slots) + 256 (EOB) and 257 length 9... Simpler: a complete code of 2 symbols.
    const lens = new Array(19).fill(0);
    lens[CL_ORDER.indexOf(0)] = 2;
    lens[CL_ORDER.indexOf(1)] = 2;
    lens[CL_ORDER.indexOf(18)] = 2;
    lens[CL_ORDER.indexOf(17)] = 2;
    // Canonical, all length 2: 0 -> 00, 1 -> 01, 17 -> 10, 18 -> 11.
    const w = dynamicHeader(258, 1, lens.slice(0, CL_ORDER.indexOf(1) + 1));
    // lit/len lengths: 0..255 zero (18: 11+127=138, 18: 11+107=118), 256 -> 1, 257 -> 1; dist 0 -> 0.
    w.code(3, 2).bits(127, 7).code(3, 2).bits(107, 7).code(1, 2).code(1, 2).code(0, 2);
    // Data: symbol 257 (code '1') then anything.
    w.code(1, 1).bits(0, 32);
    expect(tryInflate(w.finish(), 10, true, false).error).toBe(CodecError.BAD_HUFFMAN);
    // The same header with EOB ('0') right away is a valid empty block.
    const ok = dynamicHeader(258, 1, lens.slice(0, CL_ORDER.indexOf(1) + 1));
    ok.code(3, 2).bits(127, 7).code(3, 2).bits(107, 7).code(1, 2).code(1, 2).code(0, 2).code(0, 1);
    expect(tryInflate(ok.finish(), 0, true).error).toBe(0);
  });

  test('distance before the start of the output is DISTANCE_TOO_FAR (fixed and zlib-made)', () => {
    const raw = new BitWriter().bits(1, 1).bits(1, 2).fixedMatch(5, 1).fixedSymbol(256).finish();
    expect(tryInflate(raw, 5, true).error).toBe(CodecError.DISTANCE_TOO_FAR);
    const far = new BitWriter().bits(1, 1).bits(1, 2).fixedLiteral(65).fixedMatch(10, 32768).fixedSymbol(256).finish();
    expect(tryInflate(zlibWrap(far, new Uint8Array(11)), 11, false).error).toBe(CodecError.DISTANCE_TOO_FAR);
  });

  test('data after the final block before a short Adler trailer is TRUNCATED', () => {
    const raw = new BitWriter().bits(1, 1).bits(1, 2).fixedLiteral(65).fixedSymbol(256).finish();
    const z = zlibWrap(raw, new Uint8Array([65]));
    expect(tryInflate(z, 1, false).error).toBe(0);
    expect(tryInflate(z.subarray(0, z.length - 1), 1, false).error).toBe(CodecError.TRUNCATED);
  });
});

describe('LZFu: damaged streams', () => {
  const body = new TextEncoder().encode('{\\rtf1\\ansi\\ansicpg1252\\pard ' + 'hello world, hello again. '.repeat(40) + '}');
  let good: Uint8Array;
  beforeAll(() => {
    good = c.lzfuCompress!(body);
  });
  const withCrc = (s: Uint8Array) => {
    const t = s.slice();
    new DataView(t.buffer).setUint32(12, c.crc32(t.subarray(16)), true);
    return t;
  };

  test('unknown COMPTYPE is LZFU_BAD_MAGIC', () => {
    const bad = good.slice();
    bad[8] = 0x4d;
    expect(c.lzfuDecompress(bad).error).toBe(CodecError.LZFU_BAD_MAGIC);
  });

  test('a changed payload byte is LZFU_BAD_CRC (data still returned for recovery)', () => {
    const bad = good.slice();
    bad[40]! ^= 0x01;
    const r = c.lzfuDecompress(bad);
    expect(r.error).toBe(CodecError.LZFU_BAD_CRC);
    expect(r.data.length).toBeGreaterThan(0);
  });

  test('COMPSIZE beyond the input or below 12, RAWSIZE beyond 8x expansion: LZFU_BAD_SIZE', () => {
    const big = good.slice();
    new DataView(big.buffer).setUint32(0, good.length, true);
    expect(c.lzfuDecompress(big).error).toBe(CodecError.LZFU_BAD_SIZE);
    const small = good.slice();
    new DataView(small.buffer).setUint32(0, 11, true);
    expect(c.lzfuDecompress(small).error).toBe(CodecError.LZFU_BAD_SIZE);
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(4, 0xfffffff0, true);
    expect(c.lzfuDecompress(huge).error).toBe(CodecError.TOO_LARGE);
    const absurd = good.slice();
    new DataView(absurd.buffer).setUint32(4, (good.length - 16) * 8 + 1, true);
    expect(c.lzfuDecompress(absurd).error).toBe(CodecError.LZFU_BAD_SIZE);
  });

  test('every truncation is an error; with COMPSIZE and CRC fixed up it is TRUNCATED', () => {
    for (let n = 0; n < good.length; n++) {
      const cut = good.slice(0, n);
      const r = c.lzfuDecompress(cut);
      expect(r.error, `cut at ${n}`).toBe(n < 16 ? CodecError.TRUNCATED : CodecError.LZFU_BAD_SIZE);
      if (n >= 17) {
        const fixed = cut.slice();
        new DataView(fixed.buffer).setUint32(0, n - 4, true);
        const f = c.lzfuDecompress(withCrc(fixed));
        // A RAWSIZE that the shortened payload cannot reach even at the maximum 8x expansion is
        // rejected up front; otherwise the payload runs out before RAWSIZE bytes.
        // Cutting only the 2-byte end marker still yields all RAWSIZE bytes, which is accepted.
        const impossible = body.length > (n - 16) * 8;
        const onlyMarker = n >= good.length - 2;
        expect(f.error, `fixed cut at ${n}`).toBe(
          impossible ? CodecError.LZFU_BAD_SIZE : onlyMarker ? CodecError.OK : CodecError.TRUNCATED,
        );
        expect(firstDiff(f.data, body.subarray(0, f.data.length))).toBe(-1);
      }
    }
  });

  test('bit flips with a recomputed CRC: codes only, output within RAWSIZE', () => {
    const r0 = rng(50);
    for (let i = 0; i < 2000; i++) {
      const bad = good.slice();
      const bit = 128 + ((r0() * (bad.length - 16) * 8) | 0);
      bad[bit >>> 3]! ^= 1 << (bit & 7);
      const r = c.lzfuDecompress(withCrc(bad));
      expect(LZFU_CODES.has(r.error), `code ${r.error}`).toBe(true);
      expect(r.data.length).toBeLessThanOrEqual(body.length);
    }
  });

  test('garbage payloads behind a valid header never throw', () => {
    const r0 = rng(51);
    for (let i = 0; i < 2000; i++) {
      const payload = randomBytes((r0() * 2000) | 0, 5000 + i);
      const s = new Uint8Array(16 + payload.length);
      const dv = new DataView(s.buffer);
      dv.setUint32(0, payload.length + 12, true);
      dv.setUint32(4, (r0() * payload.length * 8) | 0, true);
      dv.setUint32(8, 0x75465a4c, true);
      s.set(payload, 16);
      const r = c.lzfuDecompress(withCrc(s));
      expect(LZFU_CODES.has(r.error), `code ${r.error}`).toBe(true);
      expect(r.data.length).toBeLessThanOrEqual(dv.getUint32(4, true));
    }
    expect(firstDiff(c.lzfuDecompress(good).data, body)).toBe(-1);
  });
});
