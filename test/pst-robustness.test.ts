/**
 * Robustness: damaged files never crash, hang or outgrow the cache budget; findings name the
 * damaged structure; items that do not use the damaged structure still read exactly as before.
 * Damage comes from targeted mutations (one block of one message, a B-tree page, the header) and
 * from many seeded random mutations (bit flips, zeroed ranges, truncation) over generated files of
 * every variant; the PST writer's own mutation helper is used for every kind it offers once it
 * exports one.
 */
import { describe, expect, test } from 'vitest';
import { generateDescription, mutate, pstCrc, writePstToBytes, type MutationKind, type MutationOptions } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { openPst, PstOpenError, type Folder, type PstFile } from '../worker/pst/index.ts';
import type { PstFileImpl } from '../worker/pst/messaging/pst-file.ts';
import { validate } from '../worker/pst/validate.ts';
import type { Finding } from '../worker/findings.ts';
import { walkMessage } from './pst-helpers.ts';

const BUDGET = 2 * 1024 * 1024;

interface Outcome {
  messages: Map<number, string>;
  failed: number[];
  findings: Finding[];
  peak: number;
}

/** An error our API may throw on purpose; anything else (TypeError, RangeError ...) is a bug. */
function expected(e: unknown): boolean {
  return e instanceof PstOpenError || (e instanceof Error && e.constructor === Error && /cannot be read|not in the node B-tree/.test(e.message));
}

async function walkAll(bytes: Uint8Array): Promise<Outcome | 'refused'> {
  const findings: Finding[] = [];
  let pst: PstFile;
  try {
    pst = await openPst(bytesSource(bytes), { cacheBytes: BUDGET, slabBytes: 4096, onFinding: (f) => findings.push(f) });
  } catch (e) {
    if (e instanceof PstOpenError) return 'refused';
    throw e;
  }
  const out: Outcome = { messages: new Map(), failed: [], findings, peak: 0 };
  const rec = async (f: Folder, depth: number) => {
    for (const assoc of [false, true]) {
      for await (const ref of f.messages({ assoc })) {
        try {
          out.messages.set(ref.nid, JSON.stringify(walkMessage(await pst.readMessage(ref.nid))));
        } catch (e) {
          if (!expected(e)) throw e;
          out.failed.push(ref.nid);
        }
      }
    }
    if (depth < 20) for (const s of await f.subfolders()) await rec(s, depth + 1);
  };
  try {
    await rec(await pst.rootFolder(), 0);
  } catch (e) {
    if (!expected(e)) throw e;
  }
  await pst.store();
  await pst.namedProps();
  out.peak = pst.stats().peakCachedBytes;
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`hang: ${what}`)), ms))]);
}

function fixture(variant: 'ansi' | 'unicode' | 'ost4k', crypt: 'none' | 'permute' | 'cyclic', seed: number) {
  const desc = generateDescription({ variant, crypt, messages: 40, attachmentMiB: 0.3, seed, attachmentKind: 'text' });
  return writePstToBytes(desc).bytes;
}

/** Deterministic PRNG for the random mutations (independent of the writer's). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

describe('targeted damage stays local and is named', () => {
  for (const variant of ['ansi', 'unicode', 'ost4k'] as const) {
    test(`${variant}: a flipped byte in one message's block affects only that message`, async () => {
      const bytes = fixture(variant, variant === 'ansi' ? 'permute' : variant === 'ost4k' ? 'none' : 'cyclic', 5);
      const base = await walkAll(bytes);
      if (base === 'refused') throw new Error('baseline refused');
      expect(base.failed).toEqual([]);
      // Pick a message and find its first data block through the reader's own B-trees.
      const pst = (await openPst(bytesSource(bytes))) as PstFileImpl;
      const victim = [...base.messages.keys()][7]!;
      const nbt = (await pst.bt.nbt(victim))!;
      const bbt = (await pst.bt.bbt(nbt.bidData))!;
      const damaged = bytes.slice();
      damaged[bbt.ib + Math.min(20, bbt.cb - 1)]! ^= 0x5a;
      const after = await withTimeout(walkAll(damaged), 30_000, variant);
      if (after === 'refused') throw new Error('damaged file refused');
      const crc = after.findings.find((f) => f.code === 'PST-BLOCK-CRC');
      expect(crc, 'PST-BLOCK-CRC reported').toBeDefined();
      expect(crc!.offset).toBe(bbt.ib);
      expect(crc!.nid).toBe(victim);
      expect(crc!.field).toBe('BLOCKTRAILER.dwCRC');
      for (const [nid, json] of base.messages) {
        if (nid === victim) continue;
        expect(after.messages.get(nid), `message 0x${nid.toString(16)}`).toBe(json);
      }
    });
  }

  test('a damaged NBT leaf page is named (PST-PAGE-CRC at the page) and the validator says damaged', async () => {
    const bytes = fixture('unicode', 'permute', 9);
    const pst = (await openPst(bytesSource(bytes))) as PstFileImpl;
    let leaf: number | undefined;
    for await (const p of pst.bt.walk('nbt')) if (p.level === 0) leaf = p.ib;
    const damaged = bytes.slice();
    damaged[leaf! + 40]! ^= 0xff;
    const r = await validate(bytesSource(damaged));
    expect(r.verdict).toBe('damaged');
    const f = r.findings.find((x) => x.code === 'PST-PAGE-CRC');
    expect(f?.offset).toBe(leaf);
    expect(f?.field).toBe('PAGETRAILER.dwCRC');
  });

  /** The NBT entries of normal messages: leaf page offset, entry index, NID (NBT order). */
  async function messageEntries(bytes: Uint8Array) {
    const pst = (await openPst(bytesSource(bytes))) as PstFileImpl;
    const hits: { ib: number; i: number; nid: number }[] = [];
    for await (const p of pst.bt.walk('nbt')) {
      p.nbt?.forEach((e, i) => {
        if ((e.nid & 0x1f) === 0x04) hits.push({ ib: p.ib, i, nid: e.nid });
      });
    }
    return hits;
  }

  /** `bytes` with NBTENTRY.nidParent of the given entries set, their pages resealed (PAGETRAILER.dwCRC). */
  function withNidParents(bytes: Uint8Array, edits: { ib: number; i: number; parent: number }[]) {
    const damaged = bytes.slice();
    const dv = new DataView(damaged.buffer);
    for (const e of edits) dv.setUint32(e.ib + e.i * 32 + 24, e.parent, true);
    for (const ib of new Set(edits.map((e) => e.ib))) dv.setUint32(ib + 496 + 4, pstCrc(damaged.subarray(ib, ib + 496)), true);
    return damaged;
  }

  test('an orphaned message (nidParent names no node) is reported as PST-ORPHAN', async () => {
    const bytes = fixture('unicode', 'none', 12);
    const hit = (await messageEntries(bytes))[0]!;
    const r = await validate(bytesSource(withNidParents(bytes, [{ ...hit, parent: 0x7fffffe2 }])));
    expect(r.verdict).toBe('warnings');
    const f = r.findings.find((x) => x.code === 'PST-ORPHAN');
    expect(f?.nid).toBe(hit.nid);
    expect(f?.field).toBe('NBTENTRY.nidParent');
  });

  test('a message whose nidParent names another node (not a folder) is no orphan; one naming no node is', async () => {
    const bytes = fixture('unicode', 'none', 12);
    const hits = await messageEntries(bytes);
    const [first, second, last] = [hits[0]!, hits[1]!, hits[hits.length - 1]!];
    // The first message names the last (a node further on), the second names a NID between two.
    const damaged = withNidParents(bytes, [{ ...first, parent: last.nid }, { ...second, parent: last.nid - 32 + 1 }]);
    const r = await validate(bytesSource(damaged));
    expect(r.findings.filter((x) => x.code === 'PST-ORPHAN').map((f) => f.nid)).toEqual([second.nid]);
  });

  test('a destroyed contents or hierarchy table loses no messages or folders (NBT fallback)', async () => {
    const bytes = fixture('unicode', 'permute', 14);
    const base = await walkAll(bytes);
    if (base === 'refused') throw new Error('refused');
    const pst = (await openPst(bytesSource(bytes))) as PstFileImpl;
    const ipm = await pst.folder((await pst.storeInfo()).ipmSubtreeNid!);
    const inbox = (await ipm.subfolders()).find((f) => f.name === 'Inbox')!;
    for (const table of [(inbox.nid & ~0x1f) | 0x0e, (ipm.nid & ~0x1f) | 0x0d]) {
      // Located with the reader's own B-trees (the writer's target 'node' confuses NIDs that
      // differ only in bit 0, e.g. a contents table and the FAI contents table after it).
      const block = (await pst.bt.bbt((await pst.bt.nbt(table))!.bidData))!;
      const res = await mutate(bytes, { kind: 'zero', target: 'offset', offset: block.ib, length: block.cb });
      const out = await withTimeout(walkAll(res.bytes!), 30_000, 'table fallback');
      if (out === 'refused') throw new Error('refused');
      expect(out.findings.some((f) => f.code === 'PST-CONTENTS-RECOVERED' && f.nid === table), `0x${table.toString(16)}`).toBe(true);
      expect(out.messages.size).toBe(base.messages.size);
      for (const [nid, json] of base.messages) expect(out.messages.get(nid)).toBe(json);
    }
  });

  test('a contents table missing one row-matrix block: listed rows once, the rest through the NBT', async () => {
    const bytes = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'none', messages: 900, attachmentMiB: 0, seed: 15 })).bytes;
    const pst = (await openPst(bytesSource(bytes))) as PstFileImpl;
    const ipm = await pst.folder((await pst.storeInfo()).ipmSubtreeNid!);
    // The folder with the most messages: its row matrix spans several blocks.
    let big: Folder | undefined;
    let most = 0;
    for (const f of await ipm.subfolders()) {
      let n = 0;
      for await (const _ of f.messages()) n++;
      if (n > most) [big, most] = [f, n];
    }
    const tnid = (big!.nid & ~0x1f) | 0x0e;
    const node = (await pst.node(tnid, 'Contents table'))!;
    const hnidRows = new DataView(node.heap.get(node.heap.hidUserRoot)!.buffer, node.heap.get(node.heap.hidUserRoot)!.byteOffset).getUint32(14, true);
    const sub = (await node.subnode(hnidRows))!;
    const tree = (await pst.blocks.dataTree(sub.bidData))!;
    expect(tree.bids.length).toBeGreaterThan(1);
    // The data tree's XBLOCK names a block that is not in the BBT instead of the second one
    // (its CRC made good again): the rows of that block cannot be read.
    const x = (await pst.bt.bbt(sub.bidData))!;
    const damaged = bytes.slice();
    const dv = new DataView(damaged.buffer);
    expect(dv.getUint32(x.ib + 8 + 8, true)).toBe(tree.bids[1]);
    dv.setUint32(x.ib + 8 + 8, 0x7ffffff8, true);
    const trailer = x.ib + ((x.cb + 16 + 63) & ~63) - 16;
    dv.setUint32(trailer + 4, pstCrc(damaged.subarray(x.ib, x.ib + x.cb)), true);
    const findings: Finding[] = [];
    const hurt = await openPst(bytesSource(damaged), { onFinding: (f) => findings.push(f) });
    const folder = await hurt.folder(big!.nid);
    const seen = new Map<number, number>();
    const fromNbt: number[] = [];
    for await (const m of folder.messages()) {
      seen.set(m.nid, (seen.get(m.nid) ?? 0) + 1);
      if (!m.row.length) fromNbt.push(m.nid);
    }
    // Every message once: the rows of the readable blocks from the table, the others recovered.
    expect(seen.size).toBe(most);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(fromNbt.length).toBeGreaterThan(0);
    expect(fromNbt.length).toBeLessThan(most);
    expect(findings.some((f) => f.code === 'PST-CONTENTS-RECOVERED' && f.nid === tnid && f.message?.includes(`${fromNbt.length} message(s)`))).toBe(true);
  });

  test('header damage: CRC mismatch reported, file still read', async () => {
    const bytes = fixture('unicode', 'none', 2);
    const damaged = bytes.slice();
    damaged[300]! ^= 1; // inside rgbFM: covered by both header CRCs, not used by readers
    const out = await walkAll(damaged);
    if (out === 'refused') throw new Error('refused');
    expect(out.findings.filter((f) => f.code === 'PST-HEADER-CRC').map((f) => f.field).sort()).toEqual(['HEADER.dwCRCFull', 'HEADER.dwCRCPartial']);
    expect(out.messages.size).toBeGreaterThan(40);
  });

  test('truncated file: PST-FILE-TRUNCATED, the readable part still reads', async () => {
    const bytes = fixture('unicode', 'permute', 4);
    const cut = bytes.slice(0, Math.floor(bytes.length * 0.9));
    const out = await walkAll(cut);
    if (out === 'refused') return; // roots in the missing tail: refused with a clear error
    expect(out.findings.some((f) => f.code === 'PST-FILE-TRUNCATED')).toBe(true);
    const r = await validate(bytesSource(cut));
    expect(r.verdict).toBe('damaged');
  });

  test('zeroed tail (half-copied file) is reported as PST-ZERO-RUN', async () => {
    const desc = generateDescription({ variant: 'unicode', crypt: 'permute', messages: 50, attachmentMiB: 6, seed: 8 });
    const bytes = writePstToBytes(desc).bytes.slice();
    bytes.fill(0, Math.floor(bytes.length / 2));
    const r = await validate(bytesSource(bytes));
    expect(r.verdict).toBe('damaged');
    expect(r.findings.some((f) => f.code === 'PST-ZERO-RUN')).toBe(true);
  });
});

describe('random mutations never crash, hang or exceed the budget', () => {
  const kinds = ['flip', 'zero', 'truncate', 'burst'] as const;
  for (const variant of ['ansi', 'unicode', 'ost4k'] as const) {
    test(`${variant}: ${kinds.length} kinds x 12 seeds`, async () => {
      const bytes = fixture(variant, variant === 'unicode' ? 'permute' : 'none', 21);
      for (const kind of kinds) {
        for (let seed = 1; seed <= 12; seed++) {
          const r = rng(seed * 977 + kind.length);
          let m = bytes.slice();
          const at = 512 + Math.floor(r() * (bytes.length - 600));
          if (kind === 'flip') for (let i = 0; i < 8; i++) m[512 + Math.floor(r() * (bytes.length - 512))]! ^= 1 << Math.floor(r() * 8);
          else if (kind === 'zero') m.fill(0, at, at + 512 + Math.floor(r() * 8192));
          else if (kind === 'truncate') m = m.slice(0, at);
          else for (let i = 0; i < 256; i++) m[at + i] = Math.floor(r() * 256);
          const what = `${variant} ${kind} seed ${seed}`;
          const out = await withTimeout(walkAll(m), 30_000, what);
          if (out !== 'refused') expect(out.peak, what).toBeLessThanOrEqual(BUDGET);
          const v = await withTimeout(validate(bytesSource(m), { full: true, cacheBytes: BUDGET }), 30_000, what);
          expect(['ok', 'warnings', 'damaged']).toContain(v.verdict);
        }
      }
    }, 300_000);
  }

});

describe("the writer's mutation helper: every kind and target, many seeds", () => {
  const combos: { kind: MutationKind; target?: MutationOptions['target'] }[] = [
    { kind: 'flip', target: 'node' }, { kind: 'flip', target: 'nbt' }, { kind: 'flip', target: 'bbt' }, { kind: 'flip', target: 'header' },
    { kind: 'zero', target: 'node' }, { kind: 'zero', target: 'nbt' }, { kind: 'zero', target: 'bbt' },
    { kind: 'break-btree', target: 'nbt' }, { kind: 'break-btree', target: 'bbt' },
    { kind: 'corrupt-hnmap', target: 'node' }, { kind: 'truncate' },
  ];
  for (const variant of ['ansi', 'unicode', 'ost4k'] as const) {
    test(`${variant}: ${combos.length} kinds/targets x 6 seeds`, async () => {
      const bytes = fixture(variant, variant === 'ost4k' ? 'none' : 'permute', 33);
      const base = await walkAll(bytes);
      if (base === 'refused') throw new Error('baseline refused');
      for (const c of combos) {
        for (let seed = 1; seed <= 6; seed++) {
          const res = await mutate(bytes, { ...c, seed });
          const m = res.bytes!;
          const what = `${variant} ${res.description}`;
          const out = await withTimeout(walkAll(m), 30_000, what);
          if (out !== 'refused') expect(out.peak, what).toBeLessThanOrEqual(BUDGET);
          const v = await withTimeout(validate(bytesSource(m), { full: true, cacheBytes: BUDGET }), 30_000, what);
          expect(v.verdict, what).not.toBe('ok');
          // The findings name the damaged structure.
          const named = v.findings.some((f) =>
            res.structure === 'header' ? f.code === 'PST-HEADER-CRC'
            : res.structure === 'eof' ? f.code === 'PST-FILE-TRUNCATED' || f.code === 'PST-TRUNCATED-HEADER' || f.code === 'PST-HEADER-UNUSABLE'
            : res.structure === 'block' ? f.nid === res.nid || f.offset === res.structureOffset
            : f.offset === res.structureOffset || (res.nid !== undefined && f.nid === res.nid) || (res.structure === 'bbt-page' && f.code === 'PST-BTREE-RANGE'));
          expect(named, `${what}: ${v.findings.slice(0, 5).map((f) => f.code + '@' + f.offset).join(', ')}`).toBe(true);
          // Items that do not use the damaged block read exactly as before.
          if (res.structure === 'block' && out !== 'refused') {
            for (const [nid, json] of base.messages) if (nid !== res.nid) expect(out.messages.get(nid), `${what}: 0x${nid.toString(16)}`).toBe(json);
          }
        }
      }
    }, 300_000);
  }
});

describe('validate --full with a small keptEntries cap', () => {
  // Above the cap the later passes walk the B-trees again instead of using the kept lists; both
  // paths must find exactly the same things, on sound and on damaged files.
  const key = (f: Finding) => `${f.code}|${f.severity}|${f.nid ?? ''}|${f.offset ?? ''}|${f.field ?? ''}`;
  for (const [variant, crypt, seed] of [['unicode', 'permute', 21], ['ansi', 'none', 22], ['ost4k', 'cyclic', 23]] as const) {
    test(`${variant}/${crypt}: same verdict, counts and findings as the default`, async () => {
      const sound = fixture(variant, crypt, seed);
      const damaged = sound.slice();
      for (let i = 0; i < 6; i++) damaged[4096 + ((i * 7919 * seed) % (damaged.length - 8192))]! ^= 0x5a;
      for (const bytes of [sound, damaged]) {
        const a = await validate(bytesSource(bytes), { full: true });
        const b = await validate(bytesSource(bytes), { full: true, keptEntries: 7 });
        expect(b.verdict).toBe(a.verdict);
        expect(b.counts).toEqual(a.counts);
        expect(b.findings.map(key).sort()).toEqual(a.findings.map(key).sort());
      }
    });
  }
});
