/**
 * validate's packed NBT data (worker/pst/nbt-packed.ts): every entry comes back as pushed, in
 * order, whatever the deltas (NIDs and BIDs at the ends of the u32 range, falling BIDs, no
 * subnode tree), and an NBT as a writer lays it out packs into a few bytes per entry; the NID
 * set answers membership exactly, ascending (about a byte per NID) or not; a leaf-page list gives
 * its offsets back in order, about a byte each when the pages are neighbours.
 */
import { describe, expect, test } from 'vitest';
import { LeafList, NbtPacked, NidSet } from '../worker/pst/nbt-packed.ts';

const unpackAll = (p: NbtPacked) => {
  const out: [number, number, number][] = [];
  p.forEach((nid, data, sub, i) => {
    expect(i).toBe(out.length);
    out.push([nid, data, sub]);
  });
  return out;
};

describe('NbtPacked', () => {
  test('round trip of edge values and random entries', () => {
    const want: [number, number, number][] = [
      [0x21, 0, 0],
      [0xffffffff, 0xffffffff, 0],
      [0, 0xffffffff, 4],
      [0x122, 4, 0xffffffff],
      [0x122, 0x80000000, 0x7fffffff],
      [0x7f, 0x7f, 0x80],
      [0x80, 0x3fff, 0x4000],
    ];
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed);
    for (let i = 0; i < 5000; i++) want.push([rnd(), rnd() % 3 === 0 ? 0 : rnd(), rnd() % 2 === 0 ? 0 : rnd()]);
    const p = new NbtPacked();
    for (const [n, d, s] of want) p.push(n, d, s);
    expect(p.length).toBe(want.length);
    expect(unpackAll(p)).toEqual(want);
    expect(unpackAll(p)).toEqual(want); // forEach leaves nothing behind
    expect(p.byteLength).toBeLessThanOrEqual(15 * want.length);
  });

  test('an NBT in NID order with neighbouring BIDs takes a few bytes per entry', () => {
    const p = new NbtPacked();
    const want: [number, number, number][] = [];
    let bid = 0x1000;
    for (let i = 0; i < 100_000; i++) {
      const nid = ((i + 0x400) << 5) | 0x04; // normal messages
      const data = bid;
      const sub = i % 5 === 0 ? 0 : bid + 12;
      bid += 4 * (3 + (i % 7));
      want.push([nid >>> 0, data, sub]);
      p.push(nid >>> 0, data, sub);
    }
    expect(unpackAll(p)).toEqual(want);
    expect(p.byteLength / p.length).toBeLessThanOrEqual(4);
  });
});

describe('NidSet', () => {
  const messages = (n: number) => Array.from({ length: n }, (_, i) => ((((i + 0x400) << 5) | (i % 3 === 0 ? 0x0e : 0x04)) >>> 0));

  test('ascending NIDs take about a byte each and answer membership exactly', () => {
    const nids = [0, 1, 0x21, 0x122, ...messages(50_000), 0x7fffffe2, 0xfffffffe, 0xffffffff];
    const set = new NidSet();
    for (const n of nids) set.add(n);
    expect(set.size).toBe(nids.length);
    expect(set.byteLength / set.size).toBeLessThan(1.1);
    const asked = [...nids.filter((_, i) => i % 7 === 0), 2, 0x20, 0x123, 0x7fffffe1, 0xfffffffd, ...nids.slice(0, 5)];
    const found = set.hasEach(asked);
    const all = new Set(nids);
    for (const n of asked) expect(found.has(n), n.toString(16)).toBe(all.has(n));
    expect(found.size).toBe(new Set(asked.filter((n) => all.has(n))).size);
    expect(set.hasEach([]).size).toBe(0);
  });

  test('NIDs out of order (a damaged tree) are kept as a list and still answered exactly', () => {
    const nids = messages(3000);
    const set = new NidSet();
    nids.slice(0, 2000).forEach((n) => set.add(n));
    set.add(0x44); // falls: from here a list
    set.add(nids[5]!); // repeated
    nids.slice(2000).forEach((n) => set.add(n));
    set.add(0x10);
    expect(set.size).toBe(3003);
    expect(set.byteLength).toBe(3003 * 4);
    const all = new Set([...nids, 0x44, 0x10]);
    const asked = [0x10, 0x11, 0x44, 0x45, ...nids.filter((_, i) => i % 11 === 0), nids[2999]! + 32];
    const found = set.hasEach(asked);
    for (const n of asked) expect(found.has(n), n.toString(16)).toBe(all.has(n));
  });
});

describe('LeafList', () => {
  test('offsets come back in the order pushed, rising or falling, near or far', () => {
    const want = [512, 1024, 1536, 0x10000, 0x200, 0x7_0000_0000, 0x7_0000_0200, 4096, 0xf_ffff_fe00];
    const l = new LeafList();
    for (const ib of want) l.push(ib);
    expect(l.length).toBe(want.length);
    expect(l.offsets()).toEqual(want);
    expect(l.offsets()).toEqual(want);
  });

  test('neighbouring pages take a byte each', () => {
    const l = new LeafList();
    const want: number[] = [];
    for (let i = 0, ib = 0x4000_0000; i < 5000; i++, ib += 512 * (1 + (i % 3))) want.push(ib);
    for (const ib of want) l.push(ib);
    expect(l.offsets()).toEqual(want);
    expect(l.byteLength).toBeLessThanOrEqual(want.length + 8);
  });
});
