/**
 * Mutation helper for robustness tests: damages one structure of a PST/OST written by this writer
 * (or any well-formed file) and reports exactly what it hit, so a reader test can assert that the
 * matching Finding (NID, offset) is produced and everything else is still read.
 *
 * It carries its own minimal NDB walker (header → NBT/BBT pages → block) written from [MS-PST]
 * 2.2; it shares nothing with the project's reader. Semantic damage (break-btree, corrupt-hnmap)
 * keeps CRCs valid, so the reader must detect the inconsistency itself; flip/zero leave CRCs stale.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import type { MutationOptions, MutationResult } from './api.ts';
import { Rng } from './description.ts';
import { pstCrc } from './crc.ts';
import { cyclicCode, permuteDecode, permuteEncode } from './crypt.ts';
import { geometry, signature, type Geometry } from './ndb.ts';

interface Io {
  size: number;
  read(off: number, len: number): Uint8Array;
  write(off: number, data: Uint8Array): void;
  truncate(size: number): void;
}

function fileIo(path: string): Io & { close(): void } {
  const fd = openSync(path, 'r+');
  return {
    size: fstatSync(fd).size,
    read(off, len) {
      const b = new Uint8Array(len);
      readSync(fd, b, 0, len, off);
      return b;
    },
    write(off, data) {
      writeSync(fd, data, 0, data.length, off);
    },
    truncate(size) {
      ftruncateSync(fd, size);
      this.size = size;
    },
    close: () => closeSync(fd),
  };
}

function bytesIo(bytes: Uint8Array): Io & { bytes: Uint8Array } {
  const io = {
    bytes,
    size: bytes.length,
    read(off: number, len: number) {
      return io.bytes.slice(off, off + len);
    },
    write(off: number, data: Uint8Array) {
      io.bytes.set(data, off);
    },
    truncate(size: number) {
      io.bytes = io.bytes.slice(0, size);
      io.size = size;
    },
  };
  return io;
}

const u64 = (dv: DataView, o: number) => dv.getUint32(o, true) + dv.getUint32(o + 4, true) * 0x100000000;

class Walker {
  readonly g: Geometry;
  readonly crypt: number;
  readonly nbtRoot: number;
  readonly bbtRoot: number;
  constructor(readonly io: Io) {
    const h = io.read(0, 564);
    const dv = new DataView(h.buffer);
    if (dv.getUint32(0, true) !== 0x4e444221) throw new Error('mutate: not a PST/OST (bad dwMagic)');
    const wVer = dv.getUint16(10, true);
    this.g = geometry(wVer <= 15 ? 'ansi' : wVer >= 36 ? 'ost4k' : 'unicode');
    if (this.g.ansi) {
      this.nbtRoot = dv.getUint32(188, true);
      this.bbtRoot = dv.getUint32(196, true);
      this.crypt = h[461]!;
    } else {
      this.nbtRoot = u64(dv, 224);
      this.bbtRoot = u64(dv, 240);
      this.crypt = h[513]!;
    }
  }
  trailerAt() {
    return this.g.pageSize - (this.g.ansi ? 12 : this.g.variant === 'ost4k' ? 24 : 16);
  }
  page(ib: number) {
    const b = this.io.read(ib, this.g.pageSize);
    const dv = new DataView(b.buffer);
    const m = this.g.btEntryBytes;
    const four = this.g.variant === 'ost4k';
    const cEnt = four ? dv.getUint16(m, true) : b[m]!;
    const cbEnt = four ? b[m + 4]! : b[m + 2]!;
    const level = four ? b[m + 5]! : b[m + 3]!;
    return { ib, b, dv, cEnt, cbEnt, level };
  }
  id(dv: DataView, o: number) {
    return this.g.idSize === 4 ? dv.getUint32(o, true) : u64(dv, o);
  }
  /** Rewrite a page's CRC after an in-place edit. */
  resealPage(p: { ib: number; b: Uint8Array; dv: DataView }) {
    const at = this.trailerAt();
    const crc = pstCrc(p.b, 0, at);
    p.dv.setUint32(at + (this.g.ansi ? 8 : 4), crc, true);
    this.io.write(p.ib, p.b);
  }
  /** Pages of a tree at `level` (0 = leaves), left to right. */
  pagesAt(rootIb: number, level: number) {
    let cur = [this.page(rootIb)];
    while (cur.length && cur[0]!.level > level) {
      const next: ReturnType<Walker['page']>[] = [];
      for (const p of cur) for (let i = 0; i < p.cEnt; i++) next.push(this.page(this.id(p.dv, i * p.cbEnt + 2 * this.g.idSize)));
      cur = next;
    }
    return cur;
  }
  /** Leaf lookup: the page and entry index of `key` (last entry ≤ key on branch levels). */
  lookup(rootIb: number, key: number) {
    let p = this.page(rootIb);
    for (;;) {
      let k = -1;
      for (let i = 0; i < p.cEnt; i++) if ((this.id(p.dv, i * p.cbEnt) & ~1) <= key) k = i;
      if (k < 0) return undefined;
      if (p.level === 0) return (this.id(p.dv, k * p.cbEnt) & ~1) === key ? { page: p, index: k } : undefined;
      p = this.page(this.id(p.dv, k * p.cbEnt + 2 * this.g.idSize));
    }
  }
  firstNidOfType(type: number) {
    for (const p of this.pagesAt(this.nbtRoot, 0)) for (let i = 0; i < p.cEnt; i++) {
      const nid = this.id(p.dv, i * p.cbEnt);
      if ((nid & 0x1f) === type) return nid;
    }
    return undefined;
  }
  /** The first data block of a node (descending XBLOCKs). */
  nodeBlock(nid: number) {
    const n = this.lookup(this.nbtRoot, nid);
    if (!n) throw new Error(`mutate: NID 0x${nid.toString(16)} not in the NBT`);
    let bid = this.id(n.page.dv, n.index * n.page.cbEnt + this.g.idSize);
    for (;;) {
      const e = this.lookup(this.bbtRoot, bid & ~1);
      if (!e) throw new Error(`mutate: BID 0x${bid.toString(16)} not in the BBT`);
      const ib = this.id(e.page.dv, e.index * e.page.cbEnt + this.g.idSize);
      const cb = e.page.dv.getUint16(e.index * e.page.cbEnt + 2 * this.g.idSize, true);
      const cbInflated = this.g.variant === 'ost4k' ? e.page.dv.getUint16(e.index * e.page.cbEnt + 18, true) : cb;
      if (bid & 2) {
        const x = this.io.read(ib, cb);
        if (x[0] === 0x01) {
          bid = this.id(new DataView(x.buffer), 8);
          continue;
        }
      }
      return { bid, ib, cb, cbInflated, entry: e };
    }
  }
}

const hex = (n: number) => '0x' + n.toString(16);

/**
 * Damage one structure of the file at `input` (modified in place) or of a copy of `input` bytes
 * (returned in `bytes`). Deterministic for a given seed.
 */
export async function mutate(input: string | Uint8Array, opts: MutationOptions): Promise<MutationResult> {
  const io = typeof input === 'string' ? fileIo(input) : bytesIo(new Uint8Array(input));
  try {
    const r = apply(io, opts);
    if ('bytes' in io) r.bytes = io.bytes;
    return r;
  } finally {
    if ('close' in io) io.close();
  }
}

function apply(io: Io, o: MutationOptions): MutationResult {
  const rng = new Rng(o.seed ?? 1);
  if (o.kind === 'truncate') {
    const newSize = o.offset ?? o.length ?? Math.floor(io.size / 2);
    const removed = io.size - newSize;
    io.truncate(newSize);
    return { kind: 'truncate', offset: newSize, length: removed, structure: 'eof', description: `truncated to ${newSize} bytes (${removed} removed)` };
  }
  const w = new Walker(io);
  const g = w.g;
  const target = o.target ?? (o.kind === 'break-btree' ? 'nbt' : 'node');

  if (o.kind === 'break-btree') {
    const root = target === 'bbt' ? w.bbtRoot : w.nbtRoot;
    const rootLevel = w.page(root).level;
    const level = o.level ?? (rootLevel > 0 ? 1 : 0);
    const pages = w.pagesAt(root, level);
    const p = pages[rng.int(pages.length)]!;
    const k = rng.int(p.cEnt);
    const at = k * p.cbEnt;
    let what: string;
    if (p.level > 0) {
      // child page pointer → an offset inside the header area (valid alignment, wrong page)
      const bogus = g.pageSize * (1 + rng.int(4));
      const off = at + 2 * g.idSize;
      if (g.idSize === 4) p.dv.setUint32(off, bogus, true);
      else {
        p.dv.setUint32(off, bogus, true);
        p.dv.setUint32(off + 4, 0, true);
      }
      what = `child pointer ib of entry ${k} → ${hex(bogus)}`;
    } else if (target === 'bbt') {
      const off = at + g.idSize;
      const bogus = io.size + g.blockAlign * (1 + rng.int(64));
      if (g.idSize === 4) p.dv.setUint32(off, bogus, true);
      else {
        p.dv.setUint32(off, bogus % 0x100000000, true);
        p.dv.setUint32(off + 4, Math.floor(bogus / 0x100000000), true);
      }
      what = `BBT entry ${k} ib → ${hex(bogus)} (beyond EOF)`;
    } else {
      const off = at + g.idSize;
      const bogus = 0x7ffffffc;
      if (g.idSize === 4) p.dv.setUint32(off, bogus, true);
      else {
        p.dv.setUint32(off, bogus, true);
        p.dv.setUint32(off + 4, 0, true);
      }
      what = `NBT entry ${k} bidData → ${hex(bogus)} (not in the BBT)`;
    }
    const key = w.id(p.dv, at);
    w.resealPage(p);
    return {
      kind: 'break-btree',
      offset: p.ib + at,
      length: p.cbEnt,
      structure: target === 'bbt' ? 'bbt-page' : 'nbt-page',
      structureOffset: p.ib,
      ...(target !== 'bbt' && p.level === 0 ? { nid: key } : {}),
      ...(target === 'bbt' && p.level === 0 ? { bid: BigInt(key) } : {}),
      description: `${target.toUpperCase()} page at ${hex(p.ib)} (level ${p.level}): ${what}; page CRC resealed`,
    };
  }

  // Range-based kinds: resolve the target structure
  let start: number;
  let len: number;
  let structure: MutationResult['structure'];
  let nid: number | undefined;
  let bid: number | undefined;
  let structureOffset: number | undefined;
  let block: ReturnType<Walker['nodeBlock']> | undefined;
  if (target === 'header') {
    start = 8;
    len = g.ansi ? 471 : 516;
    structure = 'header';
    structureOffset = 0;
  } else if (target === 'nbt' || target === 'bbt') {
    const pages = w.pagesAt(target === 'bbt' ? w.bbtRoot : w.nbtRoot, o.level ?? 0);
    const p = pages[rng.int(pages.length)]!;
    start = p.ib;
    len = p.cEnt * p.cbEnt || g.btEntryBytes;
    structure = target === 'bbt' ? 'bbt-page' : 'nbt-page';
    structureOffset = p.ib;
  } else if (target === 'offset') {
    start = o.offset ?? 0;
    len = o.length ?? 1;
    structure = 'range';
  } else {
    nid = o.nid ?? w.firstNidOfType(0x04);
    if (nid === undefined) throw new Error('mutate: no message node to damage');
    block = w.nodeBlock(nid);
    bid = block.bid;
    start = block.ib;
    len = block.cb;
    structure = 'block';
    structureOffset = block.ib;
  }
  const base = { structure, ...(nid !== undefined ? { nid } : {}), ...(bid !== undefined ? { bid: BigInt(bid) } : {}), ...(structureOffset !== undefined ? { structureOffset } : {}) };
  const where = nid !== undefined ? `first block ${hex(bid!)} of NID ${hex(nid)} at ${hex(start)}` : `${structure} at ${hex(start)}`;

  if (o.kind === 'zero') {
    const zlen = target === 'offset' ? len : Math.min(len, o.length ?? len);
    io.write(start, new Uint8Array(zlen));
    return { kind: 'zero', offset: start, length: zlen, ...base, description: `zeroed ${zlen} bytes of ${where}` };
  }
  if (o.kind === 'flip') {
    const count = Math.max(1, o.count ?? 1);
    let first = Infinity;
    let last = -1;
    for (let i = 0; i < count; i++) {
      const pos = start + rng.int(Math.max(1, len));
      const b = io.read(pos, 1);
      b[0] = b[0]! ^ (1 + rng.int(255));
      io.write(pos, b);
      first = Math.min(first, pos);
      last = Math.max(last, pos);
    }
    return { kind: 'flip', offset: first, length: last - first + 1, ...base, description: `flipped ${count} byte(s) in ${where}` };
  }
  if (o.kind === 'corrupt-hnmap') {
    if (!block) throw new Error("mutate: corrupt-hnmap needs target 'node'");
    let data = io.read(block.ib, block.cb);
    const compressed = g.variant === 'ost4k' && block.cbInflated !== block.cb;
    if (compressed) data = new Uint8Array(inflateSync(data));
    const decode = (d: Uint8Array) => {
      if (w.crypt === 1) permuteDecode(d);
      else if (w.crypt === 2) cyclicCode(d, block!.bid % 0x100000000);
    };
    const encode = (d: Uint8Array) => {
      if (w.crypt === 1) permuteEncode(d);
      else if (w.crypt === 2) cyclicCode(d, block!.bid % 0x100000000);
    };
    decode(data);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const ibHnpm = dv.getUint16(0, true);
    if (data[2] !== 0xec || ibHnpm + 4 > data.length) throw new Error('mutate: first block is not a heap page');
    const cAlloc = dv.getUint16(ibHnpm, true);
    // Point one allocation's end offset past the page map: an allocation overlapping the map.
    const k = 1 + rng.int(Math.max(1, cAlloc));
    const mapAt = ibHnpm + 4 + 2 * k;
    dv.setUint16(mapAt, Math.min(0xffff, data.length + 0x100 + rng.int(0x100)));
    encode(data);
    let stored = data;
    if (compressed) {
      stored = new Uint8Array(deflateSync(data));
      const span = Math.ceil((block.cb + g.blockTrailer) / g.blockAlign) * g.blockAlign;
      if (stored.length + g.blockTrailer > span) throw new Error('mutate: recompressed block does not fit');
    }
    const span = Math.ceil((block.cb + g.blockTrailer) / g.blockAlign) * g.blockAlign;
    const buf = io.read(block.ib, span);
    buf.fill(0, 0, span - g.blockTrailer);
    buf.set(stored, 0);
    const tdv = new DataView(buf.buffer);
    const t = span - g.blockTrailer;
    tdv.setUint16(t, stored.length, true);
    tdv.setUint16(t + 2, signature(block.ib, block.bid), true);
    tdv.setUint32(t + (g.ansi ? 8 : 4), pstCrc(stored), true);
    io.write(block.ib, buf);
    if (stored.length !== block.cb) {
      const e = block.entry;
      e.page.dv.setUint16(e.index * e.page.cbEnt + 2 * g.idSize, stored.length, true);
      w.resealPage(e.page);
    }
    return {
      kind: 'corrupt-hnmap',
      offset: block.ib,
      length: stored.length,
      ...base,
      description: `heap page map of ${where}: rgibAlloc[${k}] points past the page map at ${ibHnpm}; block CRC resealed`,
    };
  }
  throw new Error(`mutate: unknown kind ${(o as { kind: string }).kind}`);
}

/** Every BBT leaf entry of a file (BID, offset, stored and inflated size, first stored byte). */
export function scanBlocks(bytes: Uint8Array): Array<{ bid: number; ib: number; cb: number; cbInflated: number; firstByte: number }> {
  const w = new Walker(bytesIo(new Uint8Array(bytes)));
  const out: Array<{ bid: number; ib: number; cb: number; cbInflated: number; firstByte: number }> = [];
  for (const p of w.pagesAt(w.bbtRoot, 0))
    for (let i = 0; i < p.cEnt; i++) {
      const at = i * p.cbEnt;
      const ib = w.id(p.dv, at + w.g.idSize);
      const cb = p.dv.getUint16(at + 2 * w.g.idSize, true);
      const cbInflated = w.g.variant === 'ost4k' ? p.dv.getUint16(at + 18, true) : cb;
      out.push({ bid: w.id(p.dv, at), ib, cb, cbInflated, firstByte: bytes[ib]! });
    }
  return out;
}
