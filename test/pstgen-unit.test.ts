/**
 * Unit checks of the PST/OST writer against the reference's test vectors and its own structural
 * invariants (header CRCs, block trailers, AMaps, determinism), plus the mutation helper and CLI.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDescription, mutate, pstCrc, writePstToBytes, type PstVariant } from '../cli/pstgen/index.ts';
import { cyclicCode, permuteEncode, permuteDecode } from '../cli/pstgen/crypt.ts';
import { compressRtf } from '../cli/pstgen/lzfu.ts';
import { scanBlocks } from '../cli/pstgen/mutate.ts';
import { geometry, signature } from '../cli/pstgen/ndb.ts';
import { main } from '../cli/pstgen/main.ts';

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe('pstgen: reference vectors', () => {
  it('PST CRC ([MS-PST] 5.3) matches the reference table', () => {
    expect(pstCrc(new Uint8Array(0))).toBe(0);
    expect(pstCrc(new Uint8Array(4))).toBe(0);
    expect(pstCrc(ascii('a'))).toBe(0x3ab551ce);
    expect(pstCrc(ascii('123456789'))).toBe(0x2dfd2d88);
    expect(pstCrc(ascii('!BDN'))).toBe(0x6ee17763);
    expect(pstCrc(Uint8Array.from({ length: 256 }, (_, i) => i))).toBe(0x2493092b);
    expect(pstCrc(ascii('password'))).toBe(0x50e099bc);
    // slice-by-8 path agrees with bytewise continuation at odd offsets
    const big = Uint8Array.from({ length: 1001 }, (_, i) => (i * 31 + 7) & 0xff);
    expect(pstCrc(big, 3, 1001, pstCrc(big, 0, 3))).toBe(pstCrc(big));
  });

  it('permute and cyclic encodings ([MS-PST] 5.1, 5.2) match the vectors', () => {
    const p = ascii('Hello, World!');
    permuteEncode(p);
    expect(hex(p)).toBe('07eafdfd86d84c4b8606fdfa7d');
    permuteDecode(p);
    expect(new TextDecoder().decode(p)).toBe('Hello, World!');
    const c = ascii('Hello, World!');
    cyclicCode(c, 0x12345678);
    expect(hex(c)).toBe('fbeadc706bc52303d153f068ce');
    cyclicCode(c, 0x12345678);
    expect(new TextDecoder().decode(c)).toBe('Hello, World!');
  });

  it('compressed RTF round-trips through an independent LZFu decoder ([MS-OXRTFCP])', () => {
    const rtf = ascii('{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n'.repeat(30));
    const z = compressRtf(rtf);
    const d = dv(z);
    expect(d.getUint32(8, true)).toBe(0x75465a4c);
    expect(d.getUint32(0, true)).toBe(z.length - 4);
    expect(d.getUint32(4, true)).toBe(rtf.length);
    expect(d.getUint32(12, true)).toBe(pstCrc(z, 16));
    expect(hex(lzfuDecode(z))).toBe(hex(rtf));
  });
});

/** Minimal LZFu decoder written from [MS-OXRTFCP] 2.1.3 for the round trip above. */
function lzfuDecode(z: Uint8Array): Uint8Array {
  const init =
    '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx';
  const dict = new Uint8Array(4096);
  dict.set(ascii(init));
  let w = init.length;
  const out: number[] = [];
  let i = 16;
  const end = 4 + dv(z).getUint32(0, true);
  for (;;) {
    if (i >= end) break;
    const ctrl = z[i++]!;
    for (let b = 0; b < 8; b++) {
      if (i >= end) return Uint8Array.from(out);
      if (ctrl & (1 << b)) {
        const ref = (z[i]! << 8) | z[i + 1]!;
        i += 2;
        const off = ref >> 4;
        const len = (ref & 15) + 2;
        if (off === w) return Uint8Array.from(out);
        for (let k = 0; k < len; k++) {
          const c = dict[(off + k) % 4096]!;
          out.push(c);
          dict[w] = c;
          w = (w + 1) % 4096;
        }
      } else {
        const c = z[i++]!;
        out.push(c);
        dict[w] = c;
        w = (w + 1) % 4096;
      }
    }
  }
  return Uint8Array.from(out);
}

describe('pstgen: structural invariants of written files', () => {
  for (const variant of ['ansi', 'unicode', 'ost4k'] as PstVariant[]) {
    it(`${variant}: header CRCs, block trailers, AMap`, () => {
      const { bytes, result } = writePstToBytes(generateDescription({ variant, crypt: 'cyclic', messages: 30, attachmentMiB: 0.1, seed: 3 }));
      const g = geometry(variant);
      const h = dv(bytes);
      expect(h.getUint32(0, true)).toBe(0x4e444221);
      expect(h.getUint16(10, true)).toBe(g.wVer);
      expect(h.getUint32(4, true)).toBe(pstCrc(bytes, 8, 479));
      if (!g.ansi) expect(h.getUint32(524, true)).toBe(pstCrc(bytes, 8, 524));
      expect(bytes[g.ansi ? 461 : 513]).toBe(2);
      const eof = g.ansi ? h.getUint32(168, true) : Number(h.getBigUint64(184, true));
      expect(eof).toBe(bytes.length);
      // every block: trailer cb, wSig, CRC over stored bytes, bid; AMap bit set
      const blocks = scanBlocks(bytes);
      expect(blocks.length).toBe(result.blocks);
      const amapBit = (pos: number) => {
        const rel = pos - g.amapFirst;
        const k = Math.floor(rel / g.amapSpan);
        const amap = g.amapFirst + k * g.amapSpan;
        const bit = Math.floor((pos - amap) / g.amapSlot);
        return (bytes[amap + g.amapBitmapAt + (bit >> 3)]! & (0x80 >> (bit & 7))) !== 0;
      };
      for (const b of blocks) {
        const span = Math.ceil((b.cb + g.blockTrailer) / g.blockAlign) * g.blockAlign;
        const t = b.ib + span - g.blockTrailer;
        expect(h.getUint16(t, true)).toBe(b.cb);
        expect(h.getUint16(t + 2, true)).toBe(signature(b.ib, b.bid));
        const crc = g.ansi ? h.getUint32(t + 8, true) : h.getUint32(t + 4, true);
        expect(crc).toBe(pstCrc(bytes, b.ib, b.ib + b.cb));
        const bid = g.ansi ? h.getUint32(t + 4, true) : Number(h.getBigUint64(t + 8, true));
        expect(bid).toBe(b.bid);
        if (variant === 'ost4k') expect(h.getUint16(t + 18, true)).toBe(b.cbInflated);
        expect(amapBit(b.ib)).toBe(true);
      }
      // first AMap page: ptype 0x84 twice, bid = own offset, CRC
      const pt = g.pageSize - (g.ansi ? 12 : g.variant === 'ost4k' ? 24 : 16);
      expect(bytes[g.amapFirst + pt]).toBe(0x84);
      expect(bytes[g.amapFirst + pt + 1]).toBe(0x84);
      expect(bytes[g.amapFirst + g.amapBitmapAt]! & 0x80).toBe(0x80);
      const pcrc = g.ansi ? h.getUint32(g.amapFirst + pt + 8, true) : h.getUint32(g.amapFirst + pt + 4, true);
      expect(pcrc).toBe(pstCrc(bytes, g.amapFirst, g.amapFirst + pt));
    });
  }

  it('is deterministic: same seed → same bytes, other seed → other bytes', () => {
    const a = writePstToBytes(generateDescription({ variant: 'ost4k', crypt: 'permute', messages: 20, attachmentMiB: 0.05, seed: 7 })).bytes;
    const b = writePstToBytes(generateDescription({ variant: 'ost4k', crypt: 'permute', messages: 20, attachmentMiB: 0.05, seed: 7 })).bytes;
    const c = writePstToBytes(generateDescription({ variant: 'ost4k', crypt: 'permute', messages: 20, attachmentMiB: 0.05, seed: 8 })).bytes;
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
  });

  it('lazy generation (messages made while writing) writes the same bytes as listed messages', () => {
    for (const [variant, messages, attachmentMiB] of [['unicode', 61, 0.3], ['ansi', 7, 0], ['ost4k', 25, 0.05]] as const) {
      const opts = { variant, crypt: 'cyclic', messages, attachmentMiB, seed: 3 } as const;
      const listed = generateDescription(opts);
      const lazy = generateDescription({ ...opts, lazy: true });
      // Nothing is listed: the mail folders only carry generators, iterable more than once.
      const mail = lazy.folders.flatMap(function all(f): typeof lazy.folders { return [f, ...(f.folders ?? []).flatMap(all)]; });
      expect(mail.every((f) => !f.messages?.length)).toBe(true);
      expect(mail.reduce((n, f) => n + (f.generated?.count ?? 0), 0)).toBe(messages);
      const inbox = mail.find((f) => f.special === 'inbox')!;
      expect([...inbox.generated!].map((m) => m.subject)).toEqual([...inbox.generated!].map((m) => m.subject));
      const a = writePstToBytes(listed);
      const b = writePstToBytes(lazy);
      expect(sha(b.bytes), variant).toBe(sha(a.bytes));
      expect(b.result.items).toEqual(a.result.items);
    }
  });
});

describe('pstgen: mutation helper', () => {
  const base = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'permute', messages: 40, seed: 9 })).bytes;
  const g = geometry('unicode');

  it('flip damages the first block of a message and leaves its CRC stale', async () => {
    const r = await mutate(base, { kind: 'flip', seed: 1, count: 3 });
    expect(r.structure).toBe('block');
    expect((r.nid! & 0x1f)).toBe(0x04);
    const out = r.bytes!;
    expect(hex(out.subarray(r.offset, r.offset + r.length))).not.toBe(hex(base.subarray(r.offset, r.offset + r.length)));
    const blk = scanBlocks(out).find((b) => b.ib === r.structureOffset)!;
    const t = blk.ib + Math.ceil((blk.cb + g.blockTrailer) / g.blockAlign) * g.blockAlign - g.blockTrailer;
    expect(dv(out).getUint32(t + 4, true)).not.toBe(pstCrc(out, blk.ib, blk.ib + blk.cb));
    expect(base.length).toBe(out.length);
  });

  it('zero and truncate report the range they destroyed', async () => {
    const z = await mutate(base, { kind: 'zero', target: 'offset', offset: 0x5000, length: 300 });
    expect(z.bytes!.subarray(0x5000, 0x5000 + 300).every((x) => x === 0)).toBe(true);
    const t = await mutate(base, { kind: 'truncate', offset: 40000 });
    expect(t.bytes!.length).toBe(40000);
    expect(t.length).toBe(base.length - 40000);
  });

  it('break-btree rewrites a pointer but keeps the page CRC valid', async () => {
    const r = await mutate(base, { kind: 'break-btree', target: 'nbt', seed: 2 });
    const out = r.bytes!;
    expect(r.structure).toBe('nbt-page');
    const p = r.structureOffset!;
    expect(hex(out.subarray(p, p + 512))).not.toBe(hex(base.subarray(p, p + 512)));
    expect(out[p + 496]).toBe(0x81);
    expect(dv(out).getUint32(p + 500, true)).toBe(pstCrc(out, p, p + 496));
  });

  it('corrupt-hnmap points a heap allocation past the page map with a valid block CRC', async () => {
    const r = await mutate(base, { kind: 'corrupt-hnmap', seed: 4 });
    const out = r.bytes!;
    const blk = scanBlocks(out).find((b) => b.ib === r.structureOffset)!;
    const data = out.slice(blk.ib, blk.ib + blk.cb);
    const t = blk.ib + Math.ceil((blk.cb + g.blockTrailer) / g.blockAlign) * g.blockAlign - g.blockTrailer;
    expect(dv(out).getUint32(t + 4, true)).toBe(pstCrc(data));
    permuteDecode(data);
    expect(data[2]).toBe(0xec);
    const ibHnpm = dv(data).getUint16(0, true);
    const cAlloc = dv(data).getUint16(ibHnpm, true);
    const ends = Array.from({ length: cAlloc }, (_, k) => dv(data).getUint16(ibHnpm + 6 + 2 * k, true));
    expect(ends.some((e) => e > ibHnpm)).toBe(true);
  });
});

describe('pstgen: CLI', () => {
  it('writes the requested variant and encryption; --describe reads a JSON description', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pstgen-cli-'));
    const f = join(dir, 'a.ost');
    expect(await main(['--variant', 'ost4k', '--crypt', 'none', '--messages', '5', '--seed', '3', '-q', '-o', f])).toBe(0);
    const b = readFileSync(f);
    expect(dv(b).getUint16(10, true)).toBe(36);
    expect(b.subarray(8, 10).toString('latin1')).toBe('SO');
    const desc = generateDescription({ variant: 'ansi', crypt: 'cyclic', messages: 2, seed: 1 });
    writeFileSync(join(dir, 'd.json'), JSON.stringify(desc));
    expect(await main(['--describe', join(dir, 'd.json'), '-q', '-o', join(dir, 'd.pst')])).toBe(0);
    const d = readFileSync(join(dir, 'd.pst'));
    expect(dv(d).getUint16(10, true)).toBe(14);
    expect(d[461]).toBe(2);
    expect(await main(['--variant', 'bogus', '-o', join(dir, 'x.pst')])).toBe(2);
    expect(await main(['--messages', '3'])).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });
});
