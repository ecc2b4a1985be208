/**
 * validate --full has one fast path (one sequential pass; LTP checks from the block runs in hand,
 * blocks elsewhere read into a per-node side cache and the node checked again) and two ways out
 * of it: nodes whose outside blocks exceed the side budget go through the reader's layers, and a
 * damaged or over-large B-tree sends every node there. All must report exactly the same things.
 * Tiny runs (runBytes 512: one block each) put most of a node's blocks outside the runs in hand
 * (on these fixtures 67-83 side reads per file); with sideBytes 0 such nodes go to the layers
 * (6-11 per file); keptEntries 7 disables the fast path. The fast path cut into parts (as
 * `validate --jobs N` runs them in threads; here in turn, one part's runner failing) must report
 * the same findings too, only listed part by part.
 */
import { describe, expect, test } from 'vitest';
import { generateDescription, mutate, pstCrc, writePstToBytes, type MutationKind, type MutationOptions } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import type { Finding } from '../worker/findings.ts';
import { PlanArrays, offsetOrder, validate, validatePart, type ValidateOptions, type ValidationReport } from '../worker/pst/validate.ts';
import { BtWalker } from '../worker/pst/validate-btree.ts';
import { BT_CACHE_PAGES, BTrees } from '../worker/pst/ndb/btree.ts';
import { parseHeader } from '../worker/pst/ndb/header.ts';
import { Reporter } from '../worker/pst/codes.ts';
import { loadCodecs } from '../worker/codec/index.ts';

const key = (f: Finding) => `${f.code}|${f.severity}|${f.nid ?? ''}|${f.offset ?? ''}|${f.field ?? ''}`;
const sortedCounts = (c: ValidationReport['counts']) => ({ ...c, byCode: Object.fromEntries(Object.entries(c.byCode).sort()) });

/** How many parts the last same() handed to a runner; how many windows its windowed variants took. */
let lastPartsRun = 0;
let lastWindows: number[] = [];

async function same(bytes: Uint8Array, what: string): Promise<ValidationReport> {
  let partsRun = 0;
  const parts = (count: number, failing = -1): ValidateOptions['parts'] => ({
    count,
    run: (input, onProgress) => {
      partsRun++;
      return input.part === failing ? Promise.reject(new Error('lost')) : validatePart(bytesSource(bytes), input, { onProgress });
    },
  });
  const variants: ValidateOptions[] = [
    {}, { runBytes: 512 }, { runBytes: 512, sideBytes: 0 }, { keptEntries: 7 },
    { runBytes: 512, parts: parts(2) }, { runBytes: 4096, parts: parts(3, 2) }, { runBytes: 512, sideBytes: 0, parts: parts(4) },
    // The fixtures' NBT has 100 entries, the BBT 250-280: the NBT is kept, the BBT checked in windows.
    { keptEntries: 120, windowEntries: 16 }, { keptEntries: 120, windowEntries: 5, runBytes: 512 }, { keptEntries: 120, windowEntries: 40, runBytes: 512, sideBytes: 0 },
    // Kept whole up to 200 entries, then windows of 16 (the whole index let go); and kept whole
    // because the BBT stays under keptWhole, windows or not.
    { keptWhole: 200, windowEntries: 16 }, { keptWhole: 1000, windowEntries: 16, runBytes: 512 },
  ];
  const reports: ValidationReport[] = [];
  lastWindows = [];
  for (const o of variants) {
    let between = 0;
    let windowed = 0;
    reports.push(await validate(bytesSource(bytes), {
      full: true, ...o, betweenWindows: () => between++, onPass: (pass, windows) => {
        if (pass === 'windowed') lastWindows.push((windowed = windows));
      },
    }));
    // betweenWindows: once after each window, and only in a windowed pass; once more before the
    // first window when a BBT kept whole (keptWhole past the window size) was let go for windows.
    const letGo = windowed > 0 && (o.keptWhole ?? o.windowEntries) !== o.windowEntries ? 1 : 0;
    expect(between, `${what} ${JSON.stringify(o)}`).toBe(windowed + letGo);
  }
  lastPartsRun = partsRun;
  const a = reports[0]!;
  for (let i = 1; i < reports.length; i++) {
    const b = reports[i]!;
    const w = `${what} ${JSON.stringify(variants[i])}`;
    expect(b.verdict, w).toBe(a.verdict);
    expect(sortedCounts(b.counts), w).toEqual(sortedCounts(a.counts));
    expect(b.findings.map(key).sort(), w).toEqual(a.findings.map(key).sort());
  }
  return a;
}

function fixture(variant: 'ansi' | 'unicode' | 'ost4k', crypt: 'none' | 'permute' | 'cyclic', seed: number) {
  return writePstToBytes(generateDescription({ variant, crypt, messages: 30, attachmentMiB: 0.2, seed, attachmentKind: 'text' })).bytes;
}

describe('validate --full: fast path, side cache, reader layers agree', () => {
  for (const [variant, crypt, seed] of [['unicode', 'permute', 41], ['ansi', 'cyclic', 42], ['ost4k', 'none', 43], ['ost4k', 'permute', 44]] as const) {
    test(`${variant}/${crypt}: sound and damaged files`, async () => {
      const sound = fixture(variant, crypt, seed);
      expect((await same(sound, `${variant} sound`)).verdict).toBe('ok');
      expect(lastPartsRun).toBe(1 + 2 + 3); // sound B-trees: every parts variant cut the pass
      // ... and every windowed variant took its windows (the BBT's entries over the window size;
      // keptWhole: 1000 keeps it whole).
      const bbt = (await validate(bytesSource(sound), { full: true })).counts.bbtEntries;
      expect(bbt).toBeGreaterThan(200);
      expect(lastWindows).toEqual([16, 5, 40, 16].map((w) => Math.ceil(bbt / w)));
      const combos: { kind: MutationKind; target?: MutationOptions['target'] }[] = [
        { kind: 'flip', target: 'node' }, { kind: 'zero', target: 'node' }, { kind: 'corrupt-hnmap', target: 'node' },
        { kind: 'flip', target: 'nbt' }, { kind: 'zero', target: 'bbt' }, { kind: 'break-btree', target: 'nbt' }, { kind: 'truncate' },
      ];
      for (const c of combos) {
        for (let k = 1; k <= 3; k++) {
          const res = await mutate(sound, { ...c, seed: k });
          const r = await same(res.bytes!, `${variant} ${res.description}`);
          expect(r.verdict, res.description).not.toBe('ok');
        }
      }
      // Scattered bit flips anywhere past the header.
      for (let k = 0; k < 4; k++) {
        const m = sound.slice();
        for (let i = 0; i < 6; i++) m[4096 + ((i * 7919 + k * 104729) * seed) % (m.length - 8192)]! ^= 1 << ((i + k) % 8);
        await same(m, `${variant} flips ${k}`);
      }
    }, 120_000);
  }
});

describe('validate --full in windows keeps NBT leaf pages, not entries', () => {
  test('an NBT of more nodes than keptEntries is still checked in windows, with the same findings', async () => {
    for (const [variant, crypt, seed] of [['unicode', 'permute', 41], ['ost4k', 'none', 43]] as const) {
      const sound = fixture(variant, crypt, seed);
      const whole = await validate(bytesSource(sound), { full: true });
      // 30 messages: about 100 NBT entries on a handful of leaf pages.
      expect(whole.counts.nbtEntries).toBeGreaterThan(60);
      const damaged = (await mutate(sound, { kind: 'flip', target: 'node', seed: 2 })).bytes!;
      for (const bytes of [sound, damaged]) {
        const a = await validate(bytesSource(bytes), { full: true });
        let pass = '';
        const b = await validate(bytesSource(bytes), { full: true, keptEntries: 60, windowEntries: 40, onPass: (p, w) => (pass = `${p} ${w}`) });
        expect(pass).toBe(`windowed ${Math.ceil(whole.counts.bbtEntries / 40)}`);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }
    }
  });
});

// validate-btree.ts mirrors ndb/btree.ts's page checks and its page cache shared by both walks;
// walk the NBT then the BBT with each and compare pages, entries and findings.
async function walks(bytes: Uint8Array) {
  const codecs = await loadCodecs();
  const crc32 = (d: Uint8Array) => codecs.crc32(d);
  const src = bytesSource(bytes);
  const { header } = parseHeader(bytes.slice(0, 564), bytes.length, crc32);
  const out: { findings: string[]; pages: number[]; entries: number[] }[] = [];
  for (const own of [false, true]) {
    const findings: Finding[] = [];
    const rep = new Reporter((f) => findings.push(f));
    const pages: number[] = [];
    const entries: number[] = [];
    if (own) {
      const w = new BtWalker(src, header.layout, rep, crc32);
      for (const which of ['bbt', 'nbt'] as const) {
        await w.walk(which, which === 'bbt' ? header.bbtRoot : header.nbtRoot, {
          page: (ib) => pages.push(ib),
          leaf: (n, keys) => {
            for (let i = 0; i < n; i++) entries.push(keys[i]!);
          },
        });
      }
    } else {
      const bt = new BTrees(src, header.layout, rep, { crc32, verifyCrc: true }, header.nbtRoot, header.bbtRoot);
      for (const which of ['bbt', 'nbt'] as const) {
        for await (const p of bt.walk(which)) {
          pages.push(p.ib);
          if (p.level === 0) for (const k of p.keys) entries.push(k);
        }
      }
    }
    out.push({ findings: findings.map(key).sort(), pages, entries });
  }
  return out;
}

describe("validate's B-tree walker finds what BTrees.walk finds", () => {

  for (const [variant, crypt, seed] of [['unicode', 'permute', 51], ['ansi', 'none', 52], ['ost4k', 'cyclic', 53]] as const) {
    test(`${variant}: sound and damaged B-trees`, async () => {
      const sound = fixture(variant, crypt, seed);
      const cases: { what: string; bytes: Uint8Array }[] = [{ what: 'sound', bytes: sound }];
      const combos: { kind: MutationKind; target?: MutationOptions['target']; level?: number }[] = [
        { kind: 'flip', target: 'nbt' }, { kind: 'flip', target: 'bbt' }, { kind: 'zero', target: 'nbt' }, { kind: 'zero', target: 'bbt' },
        { kind: 'break-btree', target: 'nbt' }, { kind: 'break-btree', target: 'bbt' }, { kind: 'truncate' },
      ];
      for (const c of combos) {
        for (let k = 1; k <= 4; k++) {
          const res = await mutate(sound, { ...c, seed: k });
          cases.push({ what: res.description, bytes: res.bytes! });
        }
      }
      // Targeted damage to every field the page checks read, on a spread of pages of both trees.
      const L = parseHeader(sound.slice(0, 564), sound.length).header.layout;
      const pageIbs: { ib: number; level: number }[] = [];
      const head = parseHeader(sound.slice(0, 564), sound.length).header;
      const bt = new BTrees(bytesSource(sound), L, new Reporter(undefined), { verifyCrc: false }, head.nbtRoot, head.bbtRoot);
      for (const which of ['bbt', 'nbt'] as const) for await (const p of bt.walk(which)) pageIbs.push({ ib: p.ib, level: p.level });
      const t = L.pageTrailerAt;
      const e = L.btEntriesEnd;
      const id = L.idSize;
      const edits: [string, (b: Uint8Array, ib: number, level: number) => void][] = [
        ['wSig', (b, ib) => (b[ib + t + 2]! ^= 0x11)],
        ['ptype', (b, ib) => (b[ib + t]! ^= 0x01)],
        ['ptypeRepeat', (b, ib) => (b[ib + t + 1]! ^= 0x01)],
        ['trailer bid', (b, ib) => (b[ib + t + (L.ansi ? 4 : 8)]! ^= 0x40)],
        ['cEnt', (b, ib) => (b[ib + e]! = 0xff)],
        ['cbEnt', (b, ib) => (b[ib + e + (L.fourK ? 4 : 2)]! ^= 0x04)],
        ['cLevel', (b, ib) => (b[ib + e + (L.fourK ? 5 : 3)]! ^= 0x01)],
        ['key order', (b, ib) => (b[ib + (L.ansi ? 12 : 24) + 1]! = 0)],
        ['first key', (b, ib) => (b[ib + id - 1]! = 0x7f)],
        ['child ib: itself', (b, ib, level) => {
          if (level > 0) for (let k = 0; k < id; k++) b[ib + 2 * id + k] = Math.floor(ib / 256 ** k) % 256;
        }],
        ['child ib: past the end', (b, ib, level) => {
          if (level > 0) b[ib + 2 * id + id - 2]! = 0x7f;
        }],
        ['child ib: misaligned', (b, ib, level) => {
          if (level > 0) b[ib + 2 * id]! ^= 0x08;
        }],
        ['child bid', (b, ib, level) => {
          if (level > 0) b[ib + id]! ^= 0x40;
        }],
      ];
      const picks = [0, 1, Math.floor(pageIbs.length / 2), pageIbs.length - 1];
      for (const [name, edit] of edits) {
        for (const k of picks) {
          const p = pageIbs[k]!;
          const m = sound.slice();
          edit(m, p.ib, p.level);
          cases.push({ what: `${name} of page ${k} (level ${p.level})`, bytes: m });
        }
      }
      let damaged = 0;
      for (const { what, bytes } of cases) {
        const [ref, own] = await walks(bytes);
        expect(own!.findings, what).toEqual(ref!.findings);
        expect(own!.pages, what).toEqual(ref!.pages);
        expect(own!.entries, what).toEqual(ref!.entries);
        if (ref!.findings.length) damaged++;
      }
      // The mutations really damage the trees (the comparison is not between two empty lists).
      expect(damaged).toBeGreaterThan(40);
    }, 60_000);
  }
});

describe('B-tree cycles (validate-btree.ts PageBits)', () => {
  // A child pointer back to a page already walked (the page itself, the root, a sibling), with the
  // page's CRC made good again so the pointer is the only damage: validate and both walkers report
  // PST-BTREE-CYCLE at that page once and go on.
  for (const [variant, seed] of [['unicode', 61], ['ansi', 62], ['ost4k', 63]] as const) {
    test(`${variant}: a page referenced twice is found, in both trees`, async () => {
      const sound = fixture(variant, 'permute', seed);
      const head = parseHeader(sound.slice(0, 564), sound.length).header;
      const L = head.layout;
      const id = L.idSize;
      const bt = new BTrees(bytesSource(sound), L, new Reporter(undefined), { verifyCrc: false }, head.nbtRoot, head.bbtRoot);
      let checked = 0;
      for (const which of ['bbt', 'nbt'] as const) {
        const pages: { ib: number; level: number }[] = [];
        for await (const p of bt.walk(which)) pages.push({ ib: p.ib, level: p.level });
        const root = pages[0]!;
        if (root.level === 0) continue;
        const cEnt = sound[root.ib + L.btEntriesEnd]!;
        expect(cEnt).toBeGreaterThan(1);
        const entry = L.ansi ? 12 : 24;
        const put = (b: Uint8Array, at: number, v: number) => {
          for (let k = 0; k < id; k++) b[at + k] = Math.floor(v / 256 ** k) % 256;
        };
        const get = (b: Uint8Array, at: number) => {
          let v = 0;
          for (let k = id - 1; k >= 0; k--) v = v * 256 + b[at + k]!;
          return v;
        };
        const crcAt = L.pageTrailerAt + (L.ansi ? 8 : 4);
        for (const target of ['root', 'sibling'] as const) {
          const m = sound.slice();
          // The root's last entry points back at the root, or at the child of its first entry.
          const last = root.ib + (cEnt - 1) * entry;
          const to = target === 'root' ? { bid: get(sound, L.pageTrailerAt + root.ib + (L.ansi ? 4 : 8)), ib: root.ib } : { bid: get(sound, root.ib + id), ib: get(sound, root.ib + 2 * id) };
          put(m, last + id, to.bid);
          put(m, last + 2 * id, to.ib);
          const crc = pstCrc(m, root.ib, root.ib + L.pageTrailerAt);
          new DataView(m.buffer).setUint32(root.ib + crcAt, crc, true);
          const [ref, own] = await walks(m);
          const what = `${variant} ${which} root entry ${cEnt - 1} → ${target}`;
          expect(own!.findings, what).toEqual(ref!.findings);
          expect(own!.findings.filter((f) => f.startsWith('PST-BTREE-CYCLE|')), what).toEqual([`PST-BTREE-CYCLE|error||${to.ib}|BTENTRY.bref`]);
          const r = await validate(bytesSource(m), { full: true });
          expect(r.verdict, what).toBe('damaged');
          expect(r.findings.some((f) => f.code === 'PST-BTREE-CYCLE' && f.offset === to.ib), what).toBe(true);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(2);
    }, 60_000);
  }
});

describe('offsetOrder (the fused pass\'s blocks in file order)', () => {
  test('equals a comparison sort by offset, ties by index, for small, 16-bit-straddling and full u32 offsets', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const arrays = new PlanArrays();
    for (const range of [5, 70_000, 2 ** 32 - 1]) {
      for (const n of [1, 2, 17, 20, 4096, 30_000]) {
        const ibq = new Uint32Array(n);
        for (let i = 0; i < n; i++) ibq[i] = Math.floor(rnd() * range);
        const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => ibq[a]! - ibq[b]! || a - b);
        expect(Array.from(offsetOrder(ibq, n)), `range ${range}, n ${n}`).toEqual(want);
        // Into the arrays of a windowed pass, left over from the sorts before (larger ones too).
        expect(Array.from(offsetOrder(ibq, n, arrays)), `reused arrays, range ${range}, n ${n}`).toEqual(want);
      }
    }
  });
});

describe("validate's B-tree walker mirrors BTrees' page cache, evictions included", () => {
  // The NBT root's last entry is pointed at the first BBT leaf (its CRC made good again). The BBT
  // is walked first, so that page was parsed as a BBT page more than BT_CACHE_PAGES pages before
  // the NBT walk reaches it: BTrees has dropped it and parses it again (PST-PAGE-TYPE), and the
  // walker must have dropped it too (still cached, it would read as unusable, silently).
  test('a BBT page reached again from the NBT after more than BT_CACHE_PAGES others', async () => {
    const sound = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'none', messages: 9000, attachmentMiB: 0, seed: 71 })).bytes;
    const head = parseHeader(sound.slice(0, 564), sound.length).header;
    const L = head.layout;
    const bt = new BTrees(bytesSource(sound), L, new Reporter(undefined), { verifyCrc: false }, head.nbtRoot, head.bbtRoot);
    const bbt: { ib: number; bid: number; level: number }[] = [];
    for await (const p of bt.walk('bbt')) bbt.push({ ib: p.ib, bid: p.bid, level: p.level });
    expect(bbt.length).toBeGreaterThan(BT_CACHE_PAGES + 50);
    const leaf = bbt.find((p) => p.level === 0)!;
    const root = head.nbtRoot.ib;
    const cEnt = sound[root + L.btEntriesEnd]!;
    expect(sound[root + L.btEntriesEnd + 3]).toBeGreaterThan(0); // the NBT root is a branch
    const m = sound.slice();
    const dv = new DataView(m.buffer);
    const last = root + (cEnt - 1) * 24;
    dv.setBigUint64(last + 8, BigInt(leaf.bid), true);
    dv.setBigUint64(last + 16, BigInt(leaf.ib), true);
    dv.setUint32(root + L.pageTrailerAt + 4, pstCrc(m, root, root + L.pageTrailerAt), true);
    const [ref, own] = await walks(m);
    expect(ref!.findings.some((f) => f.startsWith('PST-PAGE-TYPE|'))).toBe(true);
    expect(own!.findings).toEqual(ref!.findings);
    expect(own!.pages).toEqual(ref!.pages);
  }, 60_000);
});
