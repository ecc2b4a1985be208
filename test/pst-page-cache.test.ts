/**
 * BTrees' page cache (worker/pst/ndb/page-lru.ts, ndb/btree.ts): the LRU index agrees with a Map
 * used as an LRU under random use (its hash table deletes by shifting entries back, where a slip
 * loses or misfiles an entry), and lookups on a file with many more B-tree pages than the cache
 * holds, where every page is dropped and its object reused many times over, return each node's
 * and block's own entry.
 */
import { describe, expect, test } from 'vitest';
import { PageLru } from '../worker/pst/ndb/page-lru.ts';
import { BT_CACHE_PAGES, BTrees, type BbtEntry, type NbtEntry } from '../worker/pst/ndb/btree.ts';
import { generateDescription, writePstToBytes } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { parseHeader } from '../worker/pst/ndb/header.ts';
import { Reporter } from '../worker/pst/codes.ts';

/** The behaviour PageLru replaces: a Map in use order (a use re-inserts). */
class MapLru {
  readonly m = new Map<number, number>();
  constructor(readonly cap: number) {}
  get(ib: number): number | undefined {
    const v = this.m.get(ib);
    if (v !== undefined) {
      this.m.delete(ib);
      this.m.set(ib, v);
    }
    return v;
  }
  set(ib: number, v: number): number | undefined {
    if (this.m.has(ib)) {
      this.m.delete(ib);
      this.m.set(ib, v);
      return undefined;
    }
    this.m.set(ib, v);
    if (this.m.size <= this.cap) return undefined;
    const [k, old] = this.m.entries().next().value!;
    this.m.delete(k);
    return old;
  }
}

describe('PageLru', () => {
  test('agrees with a Map LRU over random uses, offsets clustered to collide', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (const cap of [1, 3, 64, 1024]) {
      const lru = new PageLru<number>(cap);
      const ref = new MapLru(cap);
      for (let i = 0; i < 20000; i++) {
        // Page offsets (multiples of 512) from a few dense runs and some far above 2^32.
        const ib = (rnd(4) === 0 ? 2 ** 40 : 0) + 512 * rnd(3 * cap + 5);
        const at = lru.find(ib);
        const want = ref.get(ib);
        if (want === undefined) {
          expect(at).toBe(-1);
          expect(lru.set(ib, i)).toBe(ref.set(ib, i));
        } else {
          expect(at).toBeGreaterThanOrEqual(0);
          expect(lru.value(at)).toBe(want);
          lru.touch(at);
        }
        expect(lru.size).toBe(ref.m.size);
      }
      for (const [ib, v] of ref.m) expect(lru.value(lru.find(ib))).toBe(v);
      expect([...lru.entries()].sort((a, b) => a - b)).toEqual([...ref.m.values()].sort((a, b) => a - b));
      lru.clear();
      expect(lru.size).toBe(0);
      for (const ib of ref.m.keys()) expect(lru.find(ib)).toBe(-1);
    }
  });
});

describe('BTrees lookups with pages dropped and reused', () => {
  test('every node and block of a file of many more pages than the cache holds', async () => {
    const bytes = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'none', messages: 9000, attachmentMiB: 0, seed: 71 })).bytes;
    const head = parseHeader(bytes.slice(0, 564), bytes.length).header;
    const open = () => new BTrees(bytesSource(bytes), head.layout, new Reporter(undefined), { verifyCrc: false }, head.nbtRoot, head.bbtRoot);
    const nodes: NbtEntry[] = [];
    const blocks: BbtEntry[] = [];
    const walker = open();
    let pages = 0;
    for await (const p of walker.walk('nbt')) {
      pages++;
      for (const e of p.nbt ?? []) nodes.push({ ...e });
    }
    for await (const p of walker.walk('bbt')) {
      pages++;
      for (const e of p.bbt ?? []) blocks.push({ ...e });
    }
    expect(pages).toBeGreaterThan(BT_CACHE_PAGES + 50);
    // Lookups in an order that jumps between the trees and across the key space, so the cache
    // keeps dropping pages (and the hints pointing at them) and parses others into their objects.
    const bt = open();
    const n = Math.max(nodes.length, blocks.length);
    for (let k = 0; k < n; k++) {
      const i = (k * 7919) % n;
      if (i < nodes.length) expect(await bt.nbt(nodes[i]!.nid)).toEqual(nodes[i]);
      if (i < blocks.length) expect(await bt.bbt(blocks[i]!.bid)).toEqual(blocks[i]);
    }
    expect(bt.pagesRead).toBeGreaterThan(BT_CACHE_PAGES * 2);
    // Keys between entries are absent.
    expect(await bt.nbt(nodes[nodes.length - 1]!.nid + 1)).toBeNull();

    // Many lookups in flight at once, each descent's pages parsed between the steps of others.
    const c = open();
    for (let k0 = 0; k0 < n; k0 += 500) {
      const batch: Promise<void>[] = [];
      for (let k = k0; k < Math.min(n, k0 + 500); k++) {
        const i = (k * 7919) % n;
        if (i < nodes.length) batch.push(Promise.resolve(c.nbt(nodes[i]!.nid)).then((e) => expect(e).toEqual(nodes[i])));
        if (i < blocks.length) batch.push(Promise.resolve(c.bbt(blocks[i]!.bid)).then((e) => expect(e).toEqual(blocks[i])));
      }
      await Promise.all(batch);
    }

    // A leaf found through a hint is not moved up in the cache: it is dropped while still hinted,
    // and its object is reused for the next NBT leaf parsed. The hint must go with it.
    const hot = nodes[0]!;
    const far = nodes.slice(Math.floor(nodes.length / 2));
    const t = open();
    await t.nbt(hot.nid);
    expect(await t.nbt(hot.nid)).toEqual(hot); // a synchronous descent: hinted from here on
    for (let k = 0; k < blocks.length; k++) {
      expect(await t.bbt(blocks[k]!.bid)).toEqual(blocks[k]);
      if (k % 64 === 0) expect(await t.nbt(hot.nid)).toEqual(hot);
    }
    for (let k = 0; k < far.length; k += 97) {
      expect(await t.nbt(far[k]!.nid)).toEqual(far[k]);
      expect(await t.nbt(hot.nid)).toEqual(hot);
    }
  }, 60_000);
});
