/**
 * validate --full's packed NBT (worker/pst/nbt-packed.ts): every entry comes back as pushed, in
 * order, whatever the deltas (NIDs and BIDs at the ends of the u32 range, falling BIDs, no
 * subnode tree), and an NBT as a writer lays it out packs into a few bytes per entry.
 */
import { describe, expect, test } from 'vitest';
import { NbtPacked } from '../worker/pst/nbt-packed.ts';

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
