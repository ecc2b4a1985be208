/**
 * The wasm codec kernels against spec vectors ([MS-PST] 5.1-5.3 as quoted in pst-format.md §5/§6,
 * [MS-OXRTFCP] section 3 examples as quoted in §11) and against node:zlib as an independent
 * implementation (CRC with the seed/result inversion of §5, inflate of deflate output for many
 * sizes, levels and strategies).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { constants, crc32 as zlibCrc32, deflateRawSync, deflateSync } from 'node:zlib';
import { CodecError, type Codecs, codecErrorMessage, loadCodecs, MAX_CALL_BYTES } from '../worker/codec/index.ts';
import { BitWriter, concat, firstDiff, mailText, randomBytes, rng, runsData, zlibWrap } from './codec-helpers.ts';

let c: Codecs;
beforeAll(async () => {
  c = await loadCodecs();
});

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** PST CRC via zlib: seed the standard CRC with ~state and invert the result (pst-format.md §5). */
const zlibPstCrc = (data: Uint8Array, state = 0) => (zlibCrc32(data, ~state >>> 0) ^ 0xffffffff) >>> 0;

test('loadCodecs is memoised', async () => {
  expect(await loadCodecs()).toBe(c);
  expect(loadCodecs()).toBe(loadCodecs());
});

test('codecErrorMessage names every code', () => {
  for (const code of [1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 30, 31]) {
    expect(codecErrorMessage(code)).not.toMatch(/^unknown codec error/);
  }
  expect(codecErrorMessage(0)).toBe('no error');
  expect(codecErrorMessage(99)).toBe('unknown codec error 99');
});

describe('PST CRC-32 ([MS-PST] 5.3)', () => {
  test('reference vectors', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const cases: [Uint8Array, number][] = [
      [new Uint8Array(0), 0],
      [new Uint8Array(4), 0],
      [ascii('a'), 0x3ab551ce],
      [ascii('123456789'), 0x2dfd2d88],
      [ascii('!BDN'), 0x6ee17763],
      [all, 0x2493092b],
      [ascii('password'), 0x50e099bc],
      [ascii('pass12345'), 0xb1031b28],
    ];
    for (const [data, crc] of cases) expect(c.crc32(data).toString(16)).toBe(crc.toString(16));
  });

  test('running seed: crc(a ‖ b) = crc(b, crc(a))', () => {
    const data = mailText(5000, 7);
    const whole = c.crc32(data);
    for (const cut of [0, 1, 7, 8, 15, 16, 17, 1000, 4999, 5000]) {
      expect(c.crc32(data.subarray(cut), c.crc32(data.subarray(0, cut)))).toBe(whole);
    }
  });

  test('matches node:zlib crc32 on random data, lengths, alignments and seeds', () => {
    const r = rng(11);
    const pool = randomBytes(70_000, 12);
    for (let i = 0; i < 600; i++) {
      const len = i < 100 ? i : (r() * 65_536) | 0;
      const off = (r() * 64) | 0;
      const seed = i % 3 === 0 ? 0 : (r() * 2 ** 32) >>> 0;
      const data = pool.subarray(off, off + len);
      expect(c.crc32(data, seed)).toBe(zlibPstCrc(data, seed));
    }
  });

  test('inputs larger than one 1 MiB wasm chunk', () => {
    const data = randomBytes(3 * 1024 * 1024 + 13, 13);
    expect(c.crc32(data, 0x12345678)).toBe(zlibPstCrc(data, 0x12345678));
  });
});

describe('block ciphers ([MS-PST] 5.1, 5.2)', () => {
  const hello = () => ascii('Hello, World!');

  test('permute encode vector and decode', () => {
    const d = hello();
    c.permuteEncode(d);
    expect(toHex(d)).toBe('07eafdfd86d84c4b8606fdfa7d');
    c.permuteDecode(d);
    expect(new TextDecoder().decode(d)).toBe('Hello, World!');
  });

  test('cyclic vector, key 0x12345678, and self-inverse', () => {
    const d = hello();
    c.cyclicEncode(d, 0x12345678);
    expect(toHex(d)).toBe('fbeadc706bc52303d153f068ce');
    c.cyclicDecode(d, 0x12345678);
    expect(new TextDecoder().decode(d)).toBe('Hello, World!');
  });

  test('permute is a bijection: decode(encode(x)) = x for all bytes, and changes the data', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const enc = all.slice();
    c.permuteEncode(enc);
    expect(new Set(enc).size).toBe(256);
    expect(firstDiff(enc, all)).not.toBe(-1);
    c.permuteDecode(enc);
    expect(firstDiff(enc, all)).toBe(-1);
  });

  test('random round trips, lengths 0..5000, many keys', () => {
    const r = rng(21);
    for (let i = 0; i < 200; i++) {
      const data = randomBytes((r() * 5000) | 0, 100 + i);
      const key = (r() * 2 ** 32) >>> 0;
      const p = data.slice();
      c.permuteEncode(p);
      c.permuteDecode(p);
      expect(firstDiff(p, data)).toBe(-1);
      const y = data.slice();
      c.cyclicEncode(y, key);
      if (data.length > 16) expect(firstDiff(y, data)).not.toBe(-1);
      c.cyclicDecode(y, key);
      expect(firstDiff(y, data)).toBe(-1);
    }
  });

  test('cyclic key word carries across the wrapper’s 1 MiB chunks', () => {
    const data = randomBytes(2 * 1024 * 1024 + 777, 22);
    const key = 0x00002618; // high half 0: the key word is the key itself
    const whole = data.slice();
    c.cyclicDecode(whole, key);
    // A tail starting at offset o is the same as a fresh decode with key word (key + o) mod 2^16.
    for (const o of [1, 1024 * 1024 - 1, 1024 * 1024 + 5, 2 * 1024 * 1024 + 3]) {
      const tail = data.slice(o);
      c.cyclicDecode(tail, (key + o) & 0xffff);
      expect(firstDiff(tail, whole.subarray(o))).toBe(-1);
    }
  });
});

describe('inflate against node:zlib', () => {
  const sources: [string, (n: number, s: number) => Uint8Array][] = [
    ['mail text', mailText],
    ['random', randomBytes],
    ['runs', runsData],
  ];
  const sizes = [0, 1, 2, 3, 7, 8, 9, 100, 257, 1000, 4095, 8192, 33_000, 70_000, 300_000];
  const strategies: [string, number][] = [
    ['default', constants.Z_DEFAULT_STRATEGY],
    ['fixed', constants.Z_FIXED],
    ['huffman-only', constants.Z_HUFFMAN_ONLY],
    ['rle', constants.Z_RLE],
    ['filtered', constants.Z_FILTERED],
  ];

  for (const [name, gen] of sources) {
    test(`${name}: sizes x levels 0-9 x strategies, zlib and raw`, () => {
      let cases = 0;
      for (const size of sizes) {
        const plain = gen(size, size * 31 + name.length);
        for (const level of [0, 1, 2, 4, 6, 9]) {
          for (const [sname, strategy] of strategies) {
            if (level === 0 && strategy !== constants.Z_DEFAULT_STRATEGY) continue;
            for (const raw of [false, true]) {
              const z = raw ? deflateRawSync(plain, { level, strategy }) : deflateSync(plain, { level, strategy });
              const out = new Uint8Array(size);
              const r = c.inflate(z, out, { raw, exact: true });
              const label = `${name} size=${size} level=${level} ${sname} raw=${raw}`;
              expect(r, label).toEqual({ error: CodecError.OK, written: size });
              expect(firstDiff(out, plain), label).toBe(-1);
              cases++;
            }
          }
        }
      }
      expect(cases).toBeGreaterThan(300);
    });
  }

  test('one 5 MiB stream (many blocks, long matches, memory growth)', () => {
    const plain = concat(mailText(3 * 1024 * 1024, 5), runsData(2 * 1024 * 1024, 6));
    const out = new Uint8Array(plain.length);
    const r = c.inflate(deflateSync(plain, { level: 9 }), out, { exact: true });
    expect(r).toEqual({ error: 0, written: plain.length });
    expect(firstDiff(out, plain)).toBe(-1);
  });

  test('small windows and memLevels', () => {
    const plain = mailText(200_000, 8);
    for (const windowBits of [9, 10, 12, 15]) {
      for (const memLevel of [1, 9]) {
        const out = new Uint8Array(plain.length);
        const r = c.inflate(deflateRawSync(plain, { windowBits, memLevel }), out, { raw: true, exact: true });
        expect(r.error).toBe(0);
        expect(firstDiff(out, plain)).toBe(-1);
      }
    }
  });

  test('without `exact` a larger output is fine and `written` tells the size', () => {
    const plain = mailText(5000, 9);
    const out = new Uint8Array(9000).fill(0xaa);
    expect(c.inflate(deflateSync(plain), out)).toEqual({ error: 0, written: 5000 });
    expect(firstDiff(out.subarray(0, 5000), plain)).toBe(-1);
    expect(out[5000]).toBe(0xaa);
    expect(c.inflate(deflateSync(plain), new Uint8Array(9000), { exact: true })).toEqual({
      error: CodecError.OUTPUT_SHORT,
      written: 5000,
    });
  });

  test('output one byte too small is OUTPUT_OVERRUN, with what fitted written', () => {
    for (const [plain, level] of [
      [mailText(20_000, 10), 6],
      [randomBytes(3000, 11), 0],
      [runsData(20_000, 12), 9],
    ] as const) {
      const out = new Uint8Array(plain.length - 1);
      const r = c.inflate(deflateSync(plain, { level }), out);
      expect(r.error).toBe(CodecError.OUTPUT_OVERRUN);
      expect(r.written).toBeLessThanOrEqual(out.length);
      expect(firstDiff(out.subarray(0, r.written), plain.subarray(0, r.written))).toBe(-1);
    }
  });

  test('hand-made streams: stored then fixed block reaching back into it, 258-byte runs', () => {
    const head = ascii('abcdefgh-stored-');
    const w = new BitWriter().stored(head, false);
    w.bits(1, 1).bits(1, 2); // final fixed block
    w.fixedMatch(16, 16); // copy the whole stored block
    w.fixedLiteral(0x5a).fixedMatch(258, 1).fixedMatch(3, 33).fixedSymbol(256);
    const raw = w.finish();
    // Expected output by LZ77 semantics, byte by byte.
    const ref: number[] = [...head, ...head, 0x5a];
    for (let i = 0; i < 258; i++) ref.push(ref[ref.length - 1]!);
    for (let i = 0; i < 3; i++) ref.push(ref[ref.length - 33]!);
    const out = new Uint8Array(ref.length);
    expect(c.inflate(raw, out, { raw: true, exact: true })).toEqual({ error: 0, written: ref.length });
    expect(firstDiff(out, new Uint8Array(ref))).toBe(-1);
    const zout = new Uint8Array(ref.length);
    expect(c.inflate(zlibWrap(raw, new Uint8Array(ref)), zout, { exact: true }).error).toBe(0);
    expect(firstDiff(zout, new Uint8Array(ref))).toBe(-1);
  });

  test('a distance of exactly the output so far is allowed, one more is not', () => {
    const ok = new BitWriter().bits(1, 1).bits(1, 2).fixedLiteral(1).fixedLiteral(2).fixedMatch(4, 2).fixedSymbol(256).finish();
    const out = new Uint8Array(6);
    expect(c.inflate(ok, out, { raw: true, exact: true }).error).toBe(0);
    expect([...out]).toEqual([1, 2, 1, 2, 1, 2]);
    const far = new BitWriter().bits(1, 1).bits(1, 2).fixedLiteral(1).fixedLiteral(2).fixedMatch(4, 3).fixedSymbol(256).finish();
    expect(c.inflate(far, new Uint8Array(6), { raw: true }).error).toBe(CodecError.DISTANCE_TOO_FAR);
  });

  test('TOO_LARGE above the per-call limit, before touching the data', () => {
    const r = c.inflate(new Uint8Array(10), new Uint8Array(MAX_CALL_BYTES + 1));
    expect(r).toEqual({ error: CodecError.TOO_LARGE, written: 0 });
  });
});

describe('LZFu / compressed RTF ([MS-OXRTFCP])', () => {
  const ex1 = hex('2d000000 2b000000 4c5a4675 f1c5c7a7 03000a00 72637067 31323542 320af320 68656c09 00206277 05b06c64 7d0a800f a0');
  const ex2 = hex('1a000000 1c000000 4c5a4675 e2d44b51 41000420 5758595a 0d6e7d01 0eb0');
  const ex1Text = '{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n';
  const ex2Text = '{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}';

  test('spec example 1 (dictionary prefix references) decompresses and its CRC checks', () => {
    const r = c.lzfuDecompress(ex1);
    expect(r.error).toBe(0);
    expect(new TextDecoder().decode(r.data)).toBe(ex1Text);
    expect(c.crc32(ex1.subarray(16))).toBe(0xa7c7c5f1);
  });

  test('spec example 2 (run crossing the write position) decompresses; our compressor reproduces it', () => {
    const r = c.lzfuDecompress(ex2);
    expect(r.error).toBe(0);
    expect(new TextDecoder().decode(r.data)).toBe(ex2Text);
    expect(toHex(c.lzfuCompress!(ascii(ex2Text)))).toBe(toHex(ex2));
  });

  test('our compressor reproduces spec example 1 byte for byte (2-byte matches are references)', () => {
    const z = c.lzfuCompress!(ascii(ex1Text));
    expect(toHex(z)).toBe(toHex(ex1));
    const r = c.lzfuDecompress(z);
    expect(r.error).toBe(0);
    expect(new TextDecoder().decode(r.data)).toBe(ex1Text);
  });

  test('MELA (uncompressed) form', () => {
    const body = ascii('{\\rtf1\\ansi plain}');
    const s = new Uint8Array(16 + body.length);
    const dv = new DataView(s.buffer);
    dv.setUint32(0, body.length + 12, true);
    dv.setUint32(4, body.length, true);
    dv.setUint32(8, 0x414c454d, true);
    s.set(body, 16);
    const r = c.lzfuDecompress(s);
    expect(r.error).toBe(0);
    expect(firstDiff(r.data, body)).toBe(-1);
  });

  test('round trips: RTF-like text, random bytes, runs, sizes across the 4 KiB ring', () => {
    const r = rng(31);
    for (let i = 0; i < 80; i++) {
      const size = i < 20 ? i : (r() * 70_000) | 0;
      const kind = i % 3;
      const body =
        kind === 0
          ? concat(ascii('{\\rtf1\\ansi\\ansicpg1252\\fromtext \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\\pard\\plain '), mailText(size, i))
          : kind === 1
            ? randomBytes(size, i)
            : runsData(size, i);
      const z = c.lzfuCompress!(body);
      const d = c.lzfuDecompress(z);
      expect(d.error, `case ${i}`).toBe(0);
      expect(firstDiff(d.data, body), `case ${i}`).toBe(-1);
      if (kind !== 1 && size > 1000) expect(z.length).toBeLessThan(body.length * 0.7);
    }
  });

  test('spec vectors still decode after large calls, and compression is deterministic', () => {
    const body = mailText(3 * 1024 * 1024, 40);
    const first = c.lzfuCompress!(body);
    c.inflate(deflateSync(mailText(100_000, 41)), new Uint8Array(100_000));
    expect(new TextDecoder().decode(c.lzfuDecompress(ex1).data)).toBe(ex1Text);
    expect(toHex(c.lzfuCompress!(ascii(ex1Text)))).toBe(toHex(ex1));
    expect(toHex(c.lzfuCompress!(ascii(ex2Text)))).toBe(toHex(ex2));
    expect(firstDiff(c.lzfuCompress!(body), first)).toBe(-1);
  });

  test('RAWSIZE smaller than the stream: OK, output cut to RAWSIZE (trailing data ignored)', () => {
    const s = ex1.slice();
    new DataView(s.buffer).setUint32(4, 20, true);
    const r = c.lzfuDecompress(s);
    expect(r.error).toBe(0);
    expect(new TextDecoder().decode(r.data)).toBe(ex1Text.slice(0, 20));
  });

  test('RAWSIZE larger than the stream: OUTPUT_SHORT with the data up to the end marker', () => {
    const s = ex1.slice();
    new DataView(s.buffer).setUint32(4, 60, true);
    const r = c.lzfuDecompress(s);
    expect(r.error).toBe(CodecError.OUTPUT_SHORT);
    expect(new TextDecoder().decode(r.data)).toBe(ex1Text);
  });
});

describe('wrapper safety net', () => {
  test('a trapping kernel becomes CodecError.INTERNAL, not an exception', async () => {
    const { wrapKernels } = await import('../worker/codec/index.ts');
    const memory = new WebAssembly.Memory({ initial: 1 });
    const trap = () => {
      throw new WebAssembly.RuntimeError('unreachable');
    };
    const broken = wrapKernels({
      memory,
      ioBase: () => 1024,
      crc32: () => 0,
      permuteDecode: () => {},
      permuteEncode: () => {},
      cyclic: () => {},
      inflate: trap,
      inflateWritten: () => 0,
      lzfuDecode: trap,
      lzfuWritten: () => 0,
      lzfuCompress: () => 0,
    });
    expect(broken.inflate(deflateSync(ascii('abc')), new Uint8Array(3))).toEqual({ error: CodecError.INTERNAL, written: 0 });
    const s = c.lzfuCompress!(ascii('{\\rtf1 abc}'));
    const r = broken.lzfuDecompress(s);
    expect(r.error).toBe(CodecError.INTERNAL);
    expect(r.data.length).toBe(0);
  });
});
