/**
 * Small blocks are decoded into shared arenas (Blocks.alloc); a caller done with everything it
 * read since Blocks.arenaMark() hands the space back with arenaRewind(): the next block is carved
 * where the mark was, blocks read before the mark keep their bytes, and once a new arena has been
 * started the rewind does nothing.
 */
import { describe, expect, test } from 'vitest';
import { generateDescription, writePstToBytes } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { openPst } from '../worker/pst/index.ts';
import { isArenaView, isInternal } from '../worker/pst/ndb/blocks.ts';
import type { PstFileImpl } from '../worker/pst/messaging/pst-file.ts';

async function open() {
  const { bytes } = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'permute', messages: 40, seed: 7 }));
  const pst = (await openPst(bytesSource(bytes))) as PstFileImpl;
  // Data blocks small enough for an arena (at most 16 KiB decoded), in BBT order.
  const bids: number[] = [];
  for await (const page of pst.bt.walk('bbt')) for (const e of page.bbt ?? []) if (!isInternal(e.bid) && e.cb <= 2048) bids.push(e.bid);
  return { pst, bids };
}

const read = async (pst: PstFileImpl, bid: number) => {
  const v = await pst.blocks.read(bid);
  expect(v && isArenaView(v), `block ${bid} decodes into an arena`).toBe(true);
  return v!;
};

describe('block arena rewind', () => {
  test('the block after a rewind takes the space of the blocks read since the mark', async () => {
    const { pst, bids } = await open();
    expect(bids.length).toBeGreaterThan(200);
    const before = await read(pst, bids[0]!);
    const kept = before.slice();
    const mark = pst.blocks.arenaMark();
    const dead = await read(pst, bids[1]!);
    await read(pst, bids[2]!);
    pst.blocks.arenaRewind(mark);
    const next = await read(pst, bids[3]!);
    expect(next.buffer).toBe(dead.buffer);
    expect(next.byteOffset).toBe(dead.byteOffset);
    expect(Buffer.compare(before, kept)).toBe(0);
    // Without a rewind the next block goes after the last one.
    const after = await read(pst, bids[4]!);
    expect(after.byteOffset).toBeGreaterThan(next.byteOffset);
    // The bytes are the block's own either way.
    expect(Buffer.compare(next, (await pst.blocks.read(bids[3]!))!)).toBe(0);
  });

  test('a rewind past the start of a new arena does nothing', async () => {
    const { pst, bids } = await open();
    const first = await read(pst, bids[0]!);
    const mark = pst.blocks.arenaMark();
    let last = first;
    let k = 1;
    // Read until a block lands in another arena (128 KiB each), and on in it past where the
    // mark lay in the first one: a rewind there would carve over live blocks.
    const markAt = first.byteOffset + first.length;
    while ((last.buffer === first.buffer || last.byteOffset <= markAt + 64) && k < 100_000) last = await read(pst, bids[k++ % bids.length]!);
    expect(last.buffer, 'a new arena was started').not.toBe(first.buffer);
    pst.blocks.arenaRewind(mark);
    const next = await read(pst, bids[k % bids.length]!);
    expect(next.buffer).toBe(last.buffer);
    expect(next.byteOffset).toBeGreaterThan(last.byteOffset);
  });
});
