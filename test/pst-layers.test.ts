/**
 * Unit tests per reader layer on real bytes: the corpus fragments (ANSI/Unicode/4K pages and
 * blocks, a zlib-compressed 4K block), header cases (not a PST, empty, cut at 512 bytes), the
 * slab cache's budget, and the bounded-access promise (opening and listing folders reads only a
 * small part of a large file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCodecs } from '../worker/codec/index.ts';
import { bytesSource, type ByteSource } from '../worker/io/byte-source.ts';
import { SlabCache } from '../worker/io/slab-cache.ts';
import { Reporter } from '../worker/pst/codes.ts';
import { BTrees, PTYPE_BBT, PTYPE_NBT } from '../worker/pst/ndb/btree.ts';
import { Blocks } from '../worker/pst/ndb/blocks.ts';
import { LAYOUT_4K, LAYOUT_ANSI, LAYOUT_UNICODE, parseHeader, sniffFormat, type Layout } from '../worker/pst/ndb/header.ts';
import { Heap } from '../worker/pst/ltp/heap.ts';
import { bthRecords } from '../worker/pst/ltp/bth.ts';
import { decodeValue } from '../worker/pst/ltp/values.ts';
import { openPst, PstOpenError } from '../worker/pst/index.ts';
import type { Finding } from '../worker/findings.ts';
import { generateDescription, writePstToBytes } from '../cli/pstgen/index.ts';
import { corpusDir, describeCorpus } from './corpus.ts';

const frag = (name: string) => new Uint8Array(readFileSync(join(corpusDir, 'pst', 'fragments', name)));
const corpus = (name: string) => new Uint8Array(readFileSync(join(corpusDir, 'pst', name)));

function trailerBid(b: Uint8Array, L: Layout): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const t = L.pageTrailerAt;
  return L.ansi ? dv.getUint32(t + 4, true) : dv.getUint32(t + 8, true) + dv.getUint32(t + 12, true) * 2 ** 32;
}

async function pageOf(name: string, L: Layout, ptype: number) {
  const codecs = await loadCodecs();
  const b = frag(name);
  const findings: Finding[] = [];
  const rep = new Reporter((f) => findings.push(f));
  const bt = new BTrees(bytesSource(b), L, rep, { crc32: (d) => codecs.crc32(d), verifyCrc: true }, { bid: 0, ib: 0 }, { bid: 0, ib: 0 });
  const page = await bt.page(0, trailerBid(b, L), ptype);
  return { page, findings, codes: findings.map((f) => f.code) };
}

describeCorpus('NDB: pages from real files', () => {
  test('ANSI NBT page (libpff index_node.1): CRC verifies, entries parse in order', async () => {
    const { page, codes } = await pageOf('libpff__index_node.1', LAYOUT_ANSI, PTYPE_NBT);
    expect(page).not.toBeNull();
    expect(codes).not.toContain('PST-PAGE-CRC');
    expect(codes).not.toContain('PST-BTREE-ORDER');
    expect(page!.keys.length).toBeGreaterThan(0);
  });

  test('Unicode NBT page (libpff index_node.2)', async () => {
    const { page, codes } = await pageOf('libpff__index_node.2', LAYOUT_UNICODE, PTYPE_NBT);
    expect(page).not.toBeNull();
    expect(codes).not.toContain('PST-PAGE-CRC');
    expect(page!.keys.length).toBeGreaterThan(0);
  });

  test('4K NBT branch page (libpff index_node.3): u16 counts, 3 entries, level 1', async () => {
    const { page, codes } = await pageOf('libpff__index_node.3', LAYOUT_4K, PTYPE_NBT);
    expect(codes).not.toContain('PST-PAGE-CRC');
    expect(page!.level).toBe(1);
    expect(page!.keys.length).toBe(3);
  });

  test('4K BBT leaf (Windows 11 OST): 100 entries, 39 compressed (cbStored < cbInflated)', async () => {
    const { page, codes } = await pageOf('artemis__win11_btree_leaf_block.raw', LAYOUT_4K, PTYPE_BBT);
    expect(codes).not.toContain('PST-PAGE-CRC');
    expect(codes).not.toContain('PST-BTREE-ORDER');
    expect(page!.bbt!.length).toBe(100);
    expect(page!.bbt!.filter((e) => e.cb < e.cbInflated).length).toBe(39);
  });

  test('4K NBT leaf (Windows 11 OST): 117 entries of 32 bytes', async () => {
    const { page, codes } = await pageOf('artemis__win11_btree_leaf_node.raw', LAYOUT_4K, PTYPE_NBT);
    expect(codes).not.toContain('PST-PAGE-CRC');
    expect(page!.nbt!.length).toBe(117);
  });

  test('4K branch pages (Windows 11 OST): BBT branch with 31 entries; NBT branch level 1', async () => {
    const bbt = await pageOf('artemis__win11_block.raw', LAYOUT_4K, PTYPE_BBT);
    expect(bbt.codes).not.toContain('PST-PAGE-CRC');
    expect(bbt.page!.level).toBe(1);
    expect(bbt.page!.keys.length).toBe(31);
    const nbt = await pageOf('artemis__win11_node.raw', LAYOUT_4K, PTYPE_NBT);
    expect(nbt.page!.level).toBe(1);
  });

  test('a page of the wrong type is refused with PST-PAGE-TYPE naming the field', async () => {
    const { page, findings } = await pageOf('libpff__allocation_table.3', LAYOUT_4K, PTYPE_NBT);
    expect(page).toBeNull();
    expect(findings[0]!.code).toBe('PST-PAGE-TYPE');
    expect(findings[0]!.field).toMatch(/PAGETRAILER\.ptype/);
  });

  test('a flipped byte makes PST-PAGE-CRC', async () => {
    const codecs = await loadCodecs();
    const b = frag('libpff__index_node.2');
    b[10]! ^= 0x40;
    const findings: Finding[] = [];
    const bt = new BTrees(bytesSource(b), LAYOUT_UNICODE, new Reporter((f) => findings.push(f)), { crc32: (d) => codecs.crc32(d), verifyCrc: true }, { bid: 0, ib: 0 }, { bid: 0, ib: 0 });
    await bt.page(0, trailerBid(b, LAYOUT_UNICODE), PTYPE_NBT);
    expect(findings.map((f) => f.code)).toContain('PST-PAGE-CRC');
  });
});

describeCorpus('NDB: blocks from real files', () => {
  async function block(name: string, L: Layout, e: { bid: number; cb: number; cbInflated?: number }, encryption: 'none' | 'permute' = 'none') {
    const codecs = await loadCodecs();
    const b = frag(name);
    const findings: Finding[] = [];
    const rep = new Reporter((f) => findings.push(f));
    const src = bytesSource(b);
    const bt = new BTrees(src, L, rep, { verifyCrc: true }, { bid: 0, ib: 0 }, { bid: 0, ib: 0 });
    const blocks = new Blocks(src, L, bt, rep, codecs, encryption, true);
    const data = await blocks.readEntry({ bid: e.bid, ib: 0, cb: e.cb, cbInflated: e.cbInflated ?? e.cb, cRef: 2 }, {}, b);
    return { data, codes: findings.map((f) => f.code) };
  }

  test('4K compressed block (libpff data_block.3): CRC over stored bytes, inflates 7992 → 11866 into a PC heap', async () => {
    const { data, codes } = await block('libpff__data_block.3', LAYOUT_4K, { bid: 0x2618, cb: 7992, cbInflated: 11866 });
    expect(codes).not.toContain('PST-BLOCK-CRC');
    expect(codes).not.toContain('PST-BLOCK-INFLATE');
    expect(codes).not.toContain('PST-BLOCK-SIZE');
    expect(data!.length).toBe(11866);
    expect(data![2]).toBe(0xec);
    expect(data![3]).toBe(0xbc);
    // The heap parses with the 4K HID split and holds a PC BTH (cbKey 2, cbEnt 6).
    const heap = Heap.open([data!], LAYOUT_4K.hidBlockShift, new Reporter(undefined))!;
    const bth = bthRecords(heap, heap.hidUserRoot, new Reporter(undefined))!;
    expect(bth.header.cbKey).toBe(2);
    expect(bth.header.cbEnt).toBe(6);
    expect(bth.records.length).toBeGreaterThan(10);
  });

  test('4K block with cbInflated == cbStored is not inflated (Windows 11 block_raw.raw)', async () => {
    const { data, codes } = await block('artemis__win11_block_raw.raw', LAYOUT_4K, { bid: 0x110bc, cb: 456, cbInflated: 456 });
    expect(codes).not.toContain('PST-BLOCK-CRC');
    expect(data!.length).toBe(456);
    expect(data![2]).toBe(0xec);
    expect(data![3]).toBe(0xbc);
  });

  test('wrong cbInflated is reported as PST-BLOCK-INFLATE, not guessed around', async () => {
    const { data, codes } = await block('libpff__data_block.3', LAYOUT_4K, { bid: 0x2618, cb: 7992, cbInflated: 11000 });
    expect(data).toBeNull();
    expect(codes).toContain('PST-BLOCK-INFLATE');
  });

  test('ANSI permuted block (libpff data_block.1) decodes to a heap; Unicode block (data_block.2) CRC verifies', async () => {
    const a = await block('libpff__data_block.1', LAYOUT_ANSI, { bid: 0xf38, cb: 1384 }, 'permute');
    expect(a.codes).not.toContain('PST-BLOCK-CRC');
    expect(a.data![2]).toBe(0xec);
    const u = await block('libpff__data_block.2', LAYOUT_UNICODE, { bid: 0x1160, cb: 3128 });
    expect(u.codes).not.toContain('PST-BLOCK-CRC');
  });
});

describe('LTP values', () => {
  const s8 = (b: Uint8Array) => new TextDecoder('windows-1252').decode(b);
  test('multi-valued variable types: count, offsets, data', () => {
    const b = new Uint8Array([2, 0, 0, 0, 12, 0, 0, 0, 16, 0, 0, 0, 0x61, 0, 0x62, 0, 0x63, 0]);
    expect(decodeValue(0x101f, b, s8)).toEqual(['ab', 'c']);
    expect(decodeValue(0x1102, b.subarray(0, 12), s8)).toBeUndefined(); // offsets past the end
  });
  test('every fixed type and its multi-valued form', () => {
    const le = (n: number, size: number) => Array.from({ length: size }, (_, i) => Number((BigInt.asUintN(64, BigInt(n)) >> BigInt(8 * i)) & 0xffn));
    const f32 = Array.from(new Uint8Array(new Float32Array([1.5]).buffer));
    const f64 = Array.from(new Uint8Array(new Float64Array([-2.25]).buffer));
    const cases: [number, number[], unknown][] = [
      [0x0002, le(0xfffe, 2), 0xfffe],
      [0x0003, le(0xfffffffe, 4), 0xfffffffe],
      [0x0004, f32, 1.5],
      [0x0005, f64, -2.25],
      [0x0006, le(-50000, 8), -50000n],
      [0x0007, f64, -2.25],
      [0x000a, le(0x8004010f, 4), 0x8004010f],
      [0x000b, [0], false],
      [0x0014, le(-7, 8), -7n],
      [0x0040, le(132000000000000000, 8), 132000000000000000n],
    ];
    for (const [type, bytes, want] of cases) {
      expect(decodeValue(type, Uint8Array.from(bytes), s8), `type 0x${type.toString(16)}`).toEqual(want);
      if (type === 0x000a || type === 0x000b) continue; // no multi-valued form
      expect(decodeValue(0x1000 | type, Uint8Array.from([...bytes, ...bytes]), s8), `type 0x${(0x1000 | type).toString(16)}`).toEqual([want, want]);
    }
    const guid = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(decodeValue(0x0048, guid, s8)).toEqual(guid);
    expect(decodeValue(0x1048, Uint8Array.from([...guid, ...guid]), s8)).toEqual([guid, guid]);
    expect(decodeValue(0x001e, new TextEncoder().encode('abc'), s8)).toBe('abc');
    expect(decodeValue(0x001f, Uint8Array.from([0x3d, 0xd8, 0x00, 0xde]), s8)).toBe('\u{1f600}');
    expect(decodeValue(0x001f, Uint8Array.from([0x00, 0xd8]), s8)).toBe('\ufffd'); // lone surrogate
    expect(decodeValue(0x0102, Uint8Array.from([1, 2]), s8)).toEqual(Uint8Array.from([1, 2]));
    expect(decodeValue(0x101e, Uint8Array.from([2, 0, 0, 0, 12, 0, 0, 0, 13, 0, 0, 0, 0x78, 0x79, 0x7a]), s8)).toEqual(['x', 'yz']);
  });

  test('an impossible count never allocates', () => {
    const b = new Uint8Array([0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]);
    expect(decodeValue(0x101e, b, s8)).toBeUndefined();
  });
  test('fixed types', () => {
    expect(decodeValue(0x0040, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0x80]), s8)).toBe(0x8000000000000001n);
    expect(decodeValue(0x0014, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), s8)).toBe(-1n);
    expect(decodeValue(0x000b, new Uint8Array([1, 0, 0, 0]), s8)).toBe(true);
    expect(decodeValue(0x1003, new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]), s8)).toEqual([1, 2]);
    expect(decodeValue(0x0003, new Uint8Array([1, 0]), s8)).toBeUndefined();
  });
});

describe('header: one clear error for files that are not usable PSTs', () => {
  test('empty file', async () => {
    await expect(openPst(bytesSource(new Uint8Array(0)))).rejects.toMatchObject({ code: 'PST-EMPTY' });
  });
  test('mbox, HTML and zero-filled files are named', async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    await expect(openPst(bytesSource(enc('From - Mon Jan 01 00:00:00 2024\nSubject: x\n')))).rejects.toThrow(/mbox mailbox, not a PST/);
    await expect(openPst(bytesSource(enc('<!DOCTYPE html><html><body>404</body></html>')))).rejects.toThrow(/HTML page/);
    await expect(openPst(bytesSource(new Uint8Array(4096)))).rejects.toThrow(/zero bytes/);
    expect(sniffFormat(Uint8Array.from([0x50, 0x4b, 3, 4]))?.kind).toBe('zip');
  });
  test('a PST cut off after 512 bytes', async () => {
    const { bytes } = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'permute', messages: 2 }));
    const e = await openPst(bytesSource(bytes.slice(0, 512))).catch((x) => x);
    expect(e).toBeInstanceOf(PstOpenError);
    expect(e.code).toBe('PST-TRUNCATED-HEADER');
    expect(e.message).toMatch(/cut off after 512 bytes/);
    const ansi = writePstToBytes(generateDescription({ variant: 'ansi', crypt: 'none', messages: 2 })).bytes;
    const e2 = await openPst(bytesSource(ansi.slice(0, 512))).catch((x) => x);
    expect(e2.code).toBe('PST-TRUNCATED-HEADER');
    expect(e2.message).toMatch(/cut off after 512 bytes/);
  });
  test('ANSI header fragment parses as wVer 14 with the ANSI layout', () => {
    if (!describeCorpusAvailable()) return;
    const { header } = parseHeader(frag('libpff__file_header.1'), 1 << 20);
    expect(header.wVer).toBe(14);
    expect(header.layout.ansi).toBe(true);
    expect(header.variant).toBe('ansi');
  });
});

function describeCorpusAvailable(): boolean {
  try {
    frag('libpff__file_header.1');
    return true;
  } catch {
    return false;
  }
}

/** `count` reads of up to 9000 bytes spread over `data`: every length is exact, every `every`-th read byte-exact. */
async function scatteredReads(cache: SlabCache, data: Uint8Array, count: number, every: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const off = (i * 7919) % (data.length - 10000);
    const len = (i * 31) % 9000;
    const got = await cache.read(off, len);
    expect(got.length).toBe(len);
    if (i % every === 0) expect(Array.from(got)).toEqual(Array.from(data.subarray(off, off + len)));
  }
}

describe('slab cache', () => {
  test('reads across slab boundaries are exact and the budget holds', async () => {
    const data = new Uint8Array(1 << 20).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
    const cache = new SlabCache(bytesSource(data), { slabBytes: 4096, budgetBytes: 64 * 1024 });
    await scatteredReads(cache, data, 2000, 100);
    const s = cache.stats();
    expect(s.peakCachedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(s.hits).toBeGreaterThan(0);
    expect((await cache.read(data.length - 3, 10)).length).toBe(3);
  });

  test('recycle: an evicted slab buffer is reused only after the quarantine, and reads stay exact', async () => {
    const data = new Uint8Array(1 << 20).map((_, i) => (i * 13 + (i >> 12)) & 0xff);
    // 16 slabs in the budget: quarantine of 4 loads.
    const cache = new SlabCache(bytesSource(data), { slabBytes: 4096, budgetBytes: 16 * 4096, recycle: true });
    const view = await cache.read(0, 4096);
    const before = view.slice();
    // Slabs 1..16: the 16th evicts slab 0 (load 17); its buffer waits 4 more loads.
    for (let i = 1; i <= 16; i++) await cache.read(i * 4096, 10);
    for (let i = 17; i <= 19; i++) await cache.read(i * 4096, 10);
    expect(view).toEqual(before);
    // Loads 21.. take spares: slab 0's buffer now holds another slab's bytes.
    for (let i = 20; i <= 24; i++) await cache.read(i * 4096, 10);
    expect(view).not.toEqual(before);
    await scatteredReads(cache, data, 3000, 50);
    expect(cache.stats().peakCachedBytes).toBeLessThanOrEqual(16 * 4096);
  });

  test('the reader recycles slabs: a walk with two 512-byte slabs reads what a 32 MiB cache reads', async () => {
    const { bytes } = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'cyclic', messages: 60, attachmentMiB: 0.2, seed: 11 }));
    const walk = async (opts: { cacheBytes?: number; slabBytes?: number }) => {
      const findings: Finding[] = [];
      const pst = await openPst(bytesSource(bytes), { ...opts, onFinding: (f) => findings.push(f) });
      const out: unknown[] = [];
      const rec = async (f: Awaited<ReturnType<typeof pst.rootFolder>>) => {
        for await (const ref of f.messages()) {
          const m = await pst.readMessage(ref.nid);
          out.push([f.name, m.props.length, m.recipients.length, m.attachments.map((a) => a.props.length)]);
          out.push(m.props.map((p) => (p.value instanceof Uint8Array ? Array.from(p.value) : p.value)));
        }
        for (const s of await f.subfolders()) await rec(s);
      };
      await rec(await pst.rootFolder());
      expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
      return out;
    };
    const small = await walk({ cacheBytes: 1024, slabBytes: 512 });
    expect(small.length).toBe(120);
    expect(small).toEqual(await walk({}));
  });
});

describe('bounded access', () => {
  test('opening and listing the folder tree of a 40 MiB file reads a small fraction of it', async () => {
    const { bytes } = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'permute', messages: 400, attachmentMiB: 40, seed: 3 }));
    let read = 0;
    const counting: ByteSource = { size: bytes.length, read: async (o, l) => { read += Math.min(l, bytes.length - o); return bytes.subarray(o, o + l); } };
    const pst = await openPst(counting, { slabBytes: 4096 });
    const names: string[] = [];
    const rec = async (f: Awaited<ReturnType<typeof pst.rootFolder>>) => {
      names.push(f.name);
      for (const s of await f.subfolders()) await rec(s);
    };
    await rec(await pst.rootFolder());
    expect(names).toContain('Inbox');
    expect(bytes.length).toBeGreaterThan(40 << 20);
    expect(read).toBeLessThan(1 << 20);
  });
});
