/**
 * Codecs.decodeBlock (the fused read-path call: CRC of the stored bytes, inflate or copy, then
 * undo the cipher) against the separate kernels and against independent references: node:zlib's
 * CRC-32 (PST CRC = standard CRC without the inversions, pst-format.md §5) and a byte table
 * inverted from the encoder, for every length class the 16-byte and 8-byte loops split on and for
 * unaligned views.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { crc32 as zlibCrc32, deflateSync } from 'node:zlib';
import { BlockCrypt, CodecError, type Codecs, loadCodecs } from '../worker/codec/index.ts';
import { randomBytes } from './codec-helpers.ts';

let c: Codecs;
let inverse: Uint8Array;
beforeAll(async () => {
  c = await loadCodecs();
  // NDB_CRYPT_PERMUTE decode table, inverted from the encoder byte by byte (independent of the
  // decoder's 16-bit table).
  const enc = Uint8Array.from({ length: 256 }, (_, i) => i);
  c.permuteEncode(enc);
  inverse = new Uint8Array(256);
  for (let i = 0; i < 256; i++) inverse[enc[i]!] = i;
});

const zlibPstCrc = (data: Uint8Array) => (zlibCrc32(data, 0xffffffff) ^ 0xffffffff) >>> 0;
const lengths = [0, 1, 7, 8, 9, 15, 16, 17, 31, 100, 511, 4096, 8176, 8192, 65000];

describe('decodeBlock', () => {
  test('permute: CRC of the stored bytes and the decoded bytes match the references', () => {
    for (const len of lengths) {
      for (const shift of [0, 1, 3]) {
        const backing = randomBytes(len + shift, len * 4 + shift);
        const stored = backing.subarray(shift);
        const copy = stored.slice();
        const out = new Uint8Array(len);
        const res = c.decodeBlock!(stored, out, { crypt: BlockCrypt.PERMUTE });
        expect(res.error).toBe(CodecError.OK);
        expect(res.crc).toBe(zlibPstCrc(copy));
        expect(Buffer.compare(out, copy.map((b) => inverse[b]!))).toBe(0);
        expect(Buffer.compare(stored, copy)).toBe(0); // input untouched
        // The in-place kernel agrees.
        const inPlace = copy.slice();
        c.permuteDecode(inPlace);
        expect(Buffer.compare(inPlace, out)).toBe(0);
      }
    }
  });

  test('cyclic and none agree with the separate kernels; crc: false skips the CRC', () => {
    for (const len of lengths) {
      const stored = randomBytes(len, 11 + len);
      const key = 0x12345 + len;
      const out = new Uint8Array(len);
      const res = c.decodeBlock!(stored, out, { crypt: BlockCrypt.CYCLIC, key });
      const ref = stored.slice();
      c.cyclicDecode(ref, key);
      expect(res.crc).toBe(zlibPstCrc(stored));
      expect(Buffer.compare(out, ref)).toBe(0);
      const plain = new Uint8Array(len);
      expect(c.decodeBlock!(stored, plain, { crypt: BlockCrypt.NONE, crc: false })).toEqual({ error: CodecError.OK, crc: 0 });
      expect(Buffer.compare(plain, stored)).toBe(0);
    }
  });

  test('inflate then decrypt (OST 2013+ blocks); a short stream is an error', () => {
    const plain = randomBytes(5000, 3);
    const encoded = plain.slice();
    c.permuteEncode(encoded);
    const z = new Uint8Array(deflateSync(encoded));
    const out = new Uint8Array(plain.length);
    const res = c.decodeBlock!(z, out, { crypt: BlockCrypt.PERMUTE, inflate: true });
    expect(res).toEqual({ error: CodecError.OK, crc: zlibPstCrc(z) });
    expect(Buffer.compare(out, plain)).toBe(0);
    const tooBig = new Uint8Array(plain.length + 1);
    expect(c.decodeBlock!(z, tooBig, { crypt: BlockCrypt.PERMUTE, inflate: true }).error).toBe(CodecError.OUTPUT_SHORT);
  });

  test('without inflate the output must match the input length', () => {
    expect(() => c.decodeBlock!(new Uint8Array(4), new Uint8Array(5), { crypt: BlockCrypt.NONE })).toThrow(RangeError);
  });
});
