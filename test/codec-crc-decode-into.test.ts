/**
 * Codecs.crcDecodeInto (the block reader's hot path) against decodeBlock, the general kernel: for
 * every cipher, block sizes around the wasm kernels' 16-byte steps and a block larger than the
 * I/O area starts out with, alone or followed by trailer-like bytes, the returned CRC and the
 * decoded bytes must be the same.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BlockCrypt, type Codecs, loadCodecs } from '../worker/codec/index.ts';
import { randomBytes } from './codec-helpers.ts';

let c: Codecs;
beforeAll(async () => {
  c = await loadCodecs();
});

describe('crcDecodeInto', () => {
  for (const crypt of [BlockCrypt.NONE, BlockCrypt.PERMUTE, BlockCrypt.CYCLIC]) {
    test(`cipher ${crypt}: same CRC and bytes as decodeBlock`, () => {
      expect(c.crcDecodeInto).toBeTypeOf('function');
      for (const n of [0, 1, 15, 16, 17, 63, 500, 8176, 300_000]) {
        const stored = randomBytes(n, n + crypt * 7);
        const key = (n * 2654435761) >>> 0;
        const want = new Uint8Array(n);
        const r = c.decodeBlock!(stored, want, { crypt, key, inflate: false, crc: true });
        const got = new Uint8Array(n);
        const before = stored.slice();
        const crc = c.crcDecodeInto!(stored, got, crypt, key);
        // The block followed by a trailer and padding (as the reader passes it) or by much more.
        for (const extra of [16, 200, 5000]) {
          const src = new Uint8Array(n + extra);
          src.set(stored);
          src.fill(0xa5, n);
          const got2 = new Uint8Array(n);
          expect(c.crcDecodeInto!(src, got2, crypt, key), `n=${n}+${extra}`).toBe(r.crc);
          expect(Buffer.compare(got2, want), `n=${n}+${extra}: bytes`).toBe(0);
        }
        expect(crc, `n=${n}`).toBe(r.crc);
        expect(crc, `n=${n}`).toBe(c.crc32(stored));
        const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
        expect(same(got, want), `n=${n}: bytes`).toBe(true);
        expect(same(stored, before), `n=${n}: input untouched`).toBe(true);
        if (crypt !== BlockCrypt.NONE && n > 16) expect(same(got, stored), `n=${n}: decrypted`).toBe(false);
      }
    });
  }
});
