/**
 * The codec kernels on real bytes: the page and block fragments of corpus/pst/fragments (see
 * corpus/pst/PROVENANCE.md §4). Trailer positions follow pst-format.md §4.1 (PAGETRAILER) and §7.1
 * (BLOCKTRAILER) for the ANSI (12-byte), Unicode (16-byte) and 4K (24-byte) variants; the 4K block
 * libpff__data_block.3 is zlib-compressed (§7.2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, expect, test } from 'vitest';
import { CodecError, type Codecs, loadCodecs } from '../worker/codec/index.ts';
import { corpusDir, describeCorpus } from './corpus.ts';
import { firstDiff } from './codec-helpers.ts';

let c: Codecs;
beforeAll(async () => {
  c = await loadCodecs();
});

const fragment = (name: string) => new Uint8Array(readFileSync(join(corpusDir, 'pst', 'fragments', name)));
const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

type Variant = 'ansi' | 'unicode' | '4k';
const BLOCK_TRAILER = { ansi: 12, unicode: 16, '4k': 24 } as const;
const PAGE_TRAILER_AT = { ansi: 500, unicode: 496, '4k': 4072 } as const;

/** BLOCKTRAILER at the end of the block: cb, wSig, then bid/dwCRC (ANSI) or dwCRC/bid. */
function blockTrailer(b: Uint8Array, v: Variant) {
  const t = b.length - BLOCK_TRAILER[v];
  return {
    cb: u16(b, t),
    crc: v === 'ansi' ? u32(b, t + 8) : u32(b, t + 4),
    bidLow: v === 'ansi' ? u32(b, t + 4) : u32(b, t + 8),
    cbInflated: v === '4k' ? u16(b, t + 18) : undefined,
  };
}

describeCorpus('codec kernels on real PST/OST fragments', () => {
  const blocks: [string, Variant][] = [
    ['libpff__data_block.1', 'ansi'],
    ['libpff__data_block.2', 'unicode'],
    ['libpff__data_block.3', '4k'],
    ['artemis__win11_block_raw.raw', '4k'],
  ];
  for (const [name, v] of blocks) {
    test(`block CRC verifies: ${name} (${v} trailer)`, () => {
      const b = fragment(name);
      const t = blockTrailer(b, v);
      expect(t.cb).toBeGreaterThan(0);
      expect(t.cb).toBeLessThanOrEqual(b.length - BLOCK_TRAILER[v]);
      expect(c.crc32(b.subarray(0, t.cb)).toString(16)).toBe(t.crc.toString(16));
      // A one-bit change must be caught.
      const bad = b.slice(0, t.cb);
      bad[t.cb >>> 1]! ^= 0x04;
      expect(c.crc32(bad)).not.toBe(t.crc);
    });
  }

  const pages: [string, Variant][] = [
    ['libpff__index_node.1', 'ansi'],
    ['libpff__index_node.2', 'unicode'],
    ['libpff__index_node.3', '4k'],
    ['libpff__allocation_table.1', 'ansi'],
    ['libpff__allocation_table.2', 'unicode'],
    ['libpff__allocation_table.3', '4k'],
    ['artemis__win11_btree_leaf_block.raw', '4k'],
    ['artemis__win11_btree_leaf_node.raw', '4k'],
    ['artemis__win11_node.raw', '4k'],
    ['artemis__win11_block.raw', '4k'],
  ];
  for (const [name, v] of pages) {
    test(`page CRC verifies: ${name} (${v} PAGETRAILER)`, () => {
      const b = fragment(name);
      const at = PAGE_TRAILER_AT[v];
      expect(b[at]).toBe(b[at + 1]); // ptype == ptypeRepeat
      expect([0x80, 0x81, 0x84]).toContain(b[at]);
      const crc = v === 'ansi' ? u32(b, at + 8) : u32(b, at + 4);
      expect(c.crc32(b.subarray(0, at)).toString(16)).toBe(crc.toString(16));
    });
  }

  test('ANSI file header dwCRCPartial (bytes 8..478) verifies', () => {
    const h = fragment('libpff__file_header.1');
    expect(String.fromCharCode(...h.subarray(0, 4))).toBe('!BDN');
    expect(c.crc32(h.subarray(8, 479))).toBe(u32(h, 4));
  });

  test('4K OST block libpff__data_block.3 inflates to cbInflated and is a heap-on-node', () => {
    const b = fragment('libpff__data_block.3');
    const t = blockTrailer(b, '4k');
    expect(t.cb).toBe(7992);
    expect(t.cbInflated).toBe(11866);
    const out = new Uint8Array(t.cbInflated!);
    const r = c.inflate(b.subarray(0, t.cb), out, { exact: true });
    expect(r).toEqual({ error: CodecError.OK, written: 11866 });
    // HNHDR ([MS-PST] 2.3.1.2): ibHnpm within the block, bSig 0xEC, bClientSig 0xBC (PC).
    expect(out[2]).toBe(0xec);
    expect(out[3]).toBe(0xbc);
    expect(u16(out, 0)).toBeLessThan(out.length);
    expect(firstDiff(out, new Uint8Array(inflateSync(b.subarray(0, t.cb))))).toBe(-1);
    // One byte short of the stated size is an overrun, a wrong size an error: sizes are checked.
    expect(c.inflate(b.subarray(0, t.cb), new Uint8Array(11865), { exact: true }).error).toBe(CodecError.OUTPUT_OVERRUN);
    expect(c.inflate(b.subarray(0, t.cb - 1), new Uint8Array(11866), { exact: true }).error).toBe(CodecError.TRUNCATED);
  });

  test('uncompressed 4K block (cbInflated == cb) is a plain heap-on-node', () => {
    const b = fragment('artemis__win11_block_raw.raw');
    const t = blockTrailer(b, '4k');
    expect(t.cbInflated).toBe(t.cb);
    expect(b[2]).toBe(0xec);
  });

  for (const name of ['libpff__data_block.1', 'libpff__data_block.2']) {
    test(`permute-encoded block ${name} decodes to a heap-on-node and re-encodes to the stored bytes`, () => {
      const b = fragment(name);
      const v: Variant = name.endsWith('.1') ? 'ansi' : 'unicode';
      const t = blockTrailer(b, v);
      const stored = b.slice(0, t.cb);
      expect(stored[2]).not.toBe(0xec);
      const d = stored.slice();
      c.permuteDecode(d);
      expect(d[2]).toBe(0xec);
      expect(d[3]).toBe(0xbc);
      c.permuteEncode(d);
      expect(firstDiff(d, stored)).toBe(-1);
    });
  }

  test('libpff__deflate.1 (78 DA zlib stream) inflates exactly like node:zlib', () => {
    const z = fragment('libpff__deflate.1');
    expect(z[0]).toBe(0x78);
    const ref = new Uint8Array(inflateSync(z));
    const out = new Uint8Array(ref.length);
    expect(c.inflate(z, out, { exact: true })).toEqual({ error: 0, written: ref.length });
    expect(firstDiff(out, ref)).toBe(-1);
  });
});
