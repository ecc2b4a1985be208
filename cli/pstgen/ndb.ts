/**
 * NDB layer writer ([MS-PST] 2.2): blocks with trailers, data trees (XBLOCK/XXBLOCK), subnode trees
 * (SLBLOCK/SIBLOCK), the NBT and BBT as multi-level B-trees of pages, AMap/PMap pages and the file
 * header with both CRCs.
 *
 * Shaped for streaming: blocks are appended to the file in the order they are produced through a
 * small staging buffer, skipping the fixed AMap/PMap slots; only the B-tree entries (a few dozen
 * bytes per block/node) stay in memory. The B-tree pages follow the blocks, then the allocation
 * maps and finally the header are written in place. A multi-GiB file therefore costs memory
 * proportional to its block count, not its size.
 */
import { deflateSync } from 'node:zlib';
import type { PstCrypt, PstVariant } from './description.ts';
import type { PstOutput } from './api.ts';
import { pstCrc } from './crc.ts';
import { cyclicCode, permuteEncode } from './crypt.ts';

/** Page/block geometry per variant ([MS-PST] 2.2.2.7/2.2.2.8; 4K from the reference §1.1, §4, §7). */
export interface Geometry {
  variant: PstVariant;
  wVer: number;
  ansi: boolean;
  /** Width of BIDs/NIDs-in-entries and offsets: 4 (ANSI) or 8. */
  idSize: 4 | 8;
  pageSize: number;
  blockAlign: number;
  blockTrailer: number;
  /** Largest block payload (inflated). */
  maxBlockData: number;
  /** Largest heap page ([MS-PST] 2.3.1) and row-matrix block payload ([MS-PST] 2.3.4.4). */
  heapPageMax: number;
  rowBlockMax: number;
  /** Entry area of a BTPAGE. */
  btEntryBytes: number;
  /** Shift of hidBlockIndex inside a HID. */
  hidBlockShift: number;
  amapFirst: number;
  /** Bytes covered by one AMap (and distance between AMaps). */
  amapSpan: number;
  /** Bytes per AMap bit. */
  amapSlot: number;
  /** Offset of the bitmap inside the AMap page and its length. */
  amapBitmapAt: number;
  amapBitmapBytes: number;
  /** PMap pages present (512-byte variants). */
  pmap: boolean;
  headerSize: number;
}

export function geometry(variant: PstVariant): Geometry {
  if (variant === 'ansi')
    return {
      variant, wVer: 14, ansi: true, idSize: 4, pageSize: 512, blockAlign: 64, blockTrailer: 12,
      maxBlockData: 8180, heapPageMax: 8180, rowBlockMax: 8180, btEntryBytes: 496, hidBlockShift: 16, amapFirst: 0x4400, amapSpan: 496 * 8 * 64,
      amapSlot: 64, amapBitmapAt: 4, amapBitmapBytes: 496, pmap: true, headerSize: 512,
    };
  if (variant === 'unicode')
    return {
      variant, wVer: 23, ansi: false, idSize: 8, pageSize: 512, blockAlign: 64, blockTrailer: 16,
      maxBlockData: 8176, heapPageMax: 8176, rowBlockMax: 8176, btEntryBytes: 488, hidBlockShift: 16, amapFirst: 0x4400, amapSpan: 496 * 8 * 64,
      amapSlot: 64, amapBitmapAt: 0, amapBitmapBytes: 496, pmap: true, headerSize: 564,
    };
  return {
    variant, wVer: 36, ansi: false, idSize: 8, pageSize: 4096, blockAlign: 512, blockTrailer: 24,
    maxBlockData: 65512, heapPageMax: 65512, rowBlockMax: 65512, btEntryBytes: 4056, hidBlockShift: 19, amapFirst: 0x22000, amapSpan: 4072 * 8 * 512,
    amapSlot: 512, amapBitmapAt: 0, amapBitmapBytes: 4072, pmap: false, headerSize: 564,
  };
}

/** wSig of a page or block ([MS-PST] 5.5): low 32 bits of ib XOR bid, folded to 16 bits. */
export function signature(ib: number, bid: number): number {
  const x = (lo32(ib) ^ lo32(bid)) >>> 0;
  return ((x >>> 16) ^ (x & 0xffff)) & 0xffff;
}

const lo32 = (v: number) => v % 0x100000000 >>> 0;
const hi32 = (v: number) => Math.floor(v / 0x100000000) >>> 0;

/**
 * Little-endian writer over a byte array. Byte stores, not a DataView: a DataView needs the array's
 * ArrayBuffer, and asking a small (on-heap) typed array for it moves its bytes off the heap, which
 * made this constructor the writer's hottest line.
 */
export class Bytes {
  constructor(readonly u8: Uint8Array) {}
  u8at(o: number, v: number) {
    this.u8[o] = v;
  }
  u16(o: number, v: number) {
    const b = this.u8;
    b[o] = v;
    b[o + 1] = v >>> 8;
  }
  u32(o: number, v: number) {
    const b = this.u8;
    b[o] = v;
    b[o + 1] = v >>> 8;
    b[o + 2] = v >>> 16;
    b[o + 3] = v >>> 24;
  }
  u64(o: number, v: number) {
    this.u32(o, lo32(v));
    this.u32(o + 4, hi32(v));
  }
  /** 4- or 8-byte id/offset. */
  id(o: number, v: number, size: 4 | 8) {
    if (size === 4) this.u32(o, v);
    else this.u64(o, v);
  }
}

/** ptype values of [MS-PST] 2.2.2.7.1. */
const PTYPE_BBT = 0x80;
const PTYPE_NBT = 0x81;
const PTYPE_PMAP = 0x83;
const PTYPE_AMAP = 0x84;

interface BbtEntry {
  bid: number;
  ib: number;
  cb: number;
  cbInflated: number;
}

export interface NbtEntry {
  nid: number;
  bidData: number;
  bidSub: number;
  nidParent: number;
}

export interface SubnodeEntry {
  nid: number;
  bidData: number;
  bidSub: number;
}

export interface NdbStats {
  compressedBlocks: number;
  xxblocks: number;
}

export class NdbWriter {
  readonly g: Geometry;
  private readonly bbt: BbtEntry[] = [];
  private readonly nbt: NbtEntry[] = [];
  /** Next block BID index (BIDs step by 4; bit 1 marks internal blocks). */
  private nextBidIndex = 1;
  private nextPageBid = 4;
  /** Append cursor (end of allocated file space). */
  private cursor: number;
  /** Sequential staging buffer: bytes for [stageStart, stageStart + stageLen). */
  private stage = new Uint8Array(8 << 20);
  private stageStart: number;
  private stageLen = 0;
  /** One allocation bitmap per AMap region. */
  private amaps: Uint8Array[] = [];
  private progressMark = 0;
  readonly stats: NdbStats = { compressedBlocks: 0, xxblocks: 0 };
  /** Highest nidIndex seen per nidType, for rgnid. */
  private readonly rgnid = new Array<number>(32).fill(0);

  constructor(
    readonly variant: PstVariant,
    readonly crypt: PstCrypt,
    private readonly out: PstOutput,
    private readonly compressionLevel = 6,
    private readonly onProgress?: (bytes: number) => void,
  ) {
    this.g = geometry(variant);
    this.cursor = this.g.amapFirst;
    this.stageStart = this.cursor;
  }

  // ---- file space ---------------------------------------------------------------------------

  /** Reserved bytes (AMap, PMap) at the start of AMap region k. */
  private reservedAt(k: number): number {
    return this.g.pageSize + (this.g.pmap && k % 8 === 0 ? this.g.pageSize : 0);
  }

  /** Allocate `size` bytes aligned to `align`, never overlapping an AMap/PMap slot. */
  private alloc(size: number, align: number): number {
    const g = this.g;
    for (;;) {
      let pos = Math.ceil(this.cursor / align) * align;
      const k = Math.floor((pos - g.amapFirst) / g.amapSpan);
      const regionStart = g.amapFirst + k * g.amapSpan;
      const resEnd = regionStart + this.reservedAt(k);
      if (pos < resEnd) {
        this.cursor = resEnd;
        continue;
      }
      const nextRegion = regionStart + g.amapSpan;
      if (pos + size > nextRegion) {
        this.cursor = nextRegion;
        continue;
      }
      if (g.ansi && pos + size > 0x7fffffff) throw new Error('pstgen: ANSI files are limited to 2 GiB (32-bit offsets)');
      this.cursor = pos + size;
      this.mark(pos, size);
      return pos;
    }
  }

  private mark(pos: number, size: number) {
    const g = this.g;
    for (let s = pos; s < pos + size; s += g.amapSlot) {
      const rel = s - g.amapFirst;
      const k = Math.floor(rel / g.amapSpan);
      const bit = Math.floor((rel - k * g.amapSpan) / g.amapSlot);
      let m = this.amaps[k];
      if (!m) m = this.amaps[k] = this.newAmap(k);
      m[bit >>> 3]! |= 0x80 >>> (bit & 7);
    }
  }

  private newAmap(k: number): Uint8Array {
    const m = new Uint8Array(this.g.amapBitmapBytes);
    const reservedSlots = this.reservedAt(k) / this.g.amapSlot;
    for (let b = 0; b < reservedSlots; b++) m[b >>> 3]! |= 0x80 >>> (b & 7);
    return m;
  }

  /** Put bytes at `pos` (≥ the staged start) into the sequential stream. */
  private put(data: Uint8Array, pos: number) {
    if (pos < this.stageStart) throw new Error(`pstgen: non-sequential write at ${pos}`);
    let rel = pos - this.stageStart;
    if (rel + data.length > this.stage.length) {
      this.flush(pos);
      rel = pos - this.stageStart;
      if (data.length > this.stage.length) {
        this.out.writeAt(data, pos);
        this.stageStart = pos + data.length;
        this.stageLen = 0;
        return;
      }
    }
    this.stage.set(data, rel);
    this.stageLen = Math.max(this.stageLen, rel + data.length);
  }

  /** Write out the staged bytes; the gap up to `nextPos` becomes zeros. */
  private flush(nextPos: number) {
    if (this.stageLen > 0) this.out.writeAt(this.stage.subarray(0, this.stageLen), this.stageStart);
    const end = this.stageStart + this.stageLen;
    const gapStart = end;
    this.stage.fill(0);
    this.stageStart = Math.max(nextPos, end);
    this.stageLen = 0;
    if (nextPos > gapStart) {
      // zero the gap so the file has no holes left undefined
      const z = new Uint8Array(Math.min(nextPos - gapStart, 1 << 20));
      for (let p = gapStart; p < nextPos; p += z.length) this.out.writeAt(z.subarray(0, Math.min(z.length, nextPos - p)), p);
    }
    if (this.onProgress && this.stageStart - this.progressMark >= 64 << 20) {
      this.progressMark = this.stageStart;
      this.onProgress(this.stageStart);
    }
  }

  // ---- blocks -------------------------------------------------------------------------------

  private newBid(internal: boolean): number {
    const bid = this.nextBidIndex * 4 + (internal ? 2 : 0);
    this.nextBidIndex++;
    return bid;
  }

  /**
   * Write one block ([MS-PST] 2.2.2.8). External blocks are obfuscated per bCryptMethod and, in 4K
   * files, zlib-compressed when that is smaller; the CRC covers the stored bytes.
   */
  writeBlock(payload: Uint8Array, internal: boolean, compress = true): number {
    const g = this.g;
    if (payload.length > g.maxBlockData) throw new Error(`pstgen: block payload ${payload.length} > ${g.maxBlockData}`);
    const bid = this.newBid(internal);
    let stored = payload;
    if (!internal && this.crypt !== 'none') {
      stored = payload.slice();
      if (this.crypt === 'permute') permuteEncode(stored);
      else cyclicCode(stored, lo32(bid));
    }
    if (g.variant === 'ost4k' && !internal && compress && stored.length > 64) {
      const z = deflateSync(stored, { level: this.compressionLevel });
      if (z.length < stored.length) {
        stored = new Uint8Array(z.buffer, z.byteOffset, z.length);
        this.stats.compressedBlocks++;
      }
    }
    const cb = stored.length;
    const span = Math.ceil((cb + g.blockTrailer) / g.blockAlign) * g.blockAlign;
    const ib = this.alloc(span, g.blockAlign);
    const buf = new Uint8Array(span);
    buf.set(stored, 0);
    const t = new Bytes(buf);
    const at = span - g.blockTrailer;
    const crc = pstCrc(stored);
    t.u16(at, cb);
    t.u16(at + 2, signature(ib, bid));
    if (g.ansi) {
      t.u32(at + 4, bid);
      t.u32(at + 8, crc);
    } else {
      t.u32(at + 4, crc);
      t.u64(at + 8, bid);
      if (g.variant === 'ost4k') {
        t.u16(at + 16, 2);
        t.u16(at + 18, payload.length);
        t.u32(at + 20, 0);
      }
    }
    this.put(buf, ib);
    this.bbt.push({ bid, ib, cb, cbInflated: payload.length });
    return bid;
  }

  /** BIDs per XBLOCK/XXBLOCK. */
  get xblockCapacity(): number {
    return Math.floor((this.g.maxBlockData - 8) / this.g.idSize);
  }

  /**
   * Write a node data stream given as the payloads of its data blocks (each ≤ maxBlockData) and
   * return the BID to reference: the single block, or an XBLOCK / XXBLOCK ([MS-PST] 2.2.2.8.3.2).
   */
  writeStream(chunks: Iterable<Uint8Array>): number {
    const bids: number[] = [];
    const sizes: number[] = [];
    // Blocks are obfuscated before compression (readers inflate, then decode), so cyclic blocks
    // never compress and permute blocks do. libpff 20180714 decodes data-tree children (XBLOCK
    // entries) in the wrong order when they are both permuted and compressed, so those are stored
    // uncompressed; single-block nodes are still compressed.
    const list = Array.isArray(chunks) ? (chunks as Uint8Array[]) : null;
    const compressTree = this.crypt !== 'permute';
    for (const c of chunks) {
      const single = list !== null && list.length === 1;
      bids.push(this.writeBlock(c, false, single || compressTree));
      sizes.push(c.length);
    }
    if (bids.length === 0) throw new Error('pstgen: empty stream');
    if (bids.length === 1) return bids[0]!;
    const cap = this.xblockCapacity;
    const xblock = (level: number, ids: number[], total: number) => {
      const b = new Uint8Array(8 + ids.length * this.g.idSize);
      const w = new Bytes(b);
      w.u8at(0, 0x01);
      w.u8at(1, level);
      w.u16(2, ids.length);
      w.u32(4, total);
      ids.forEach((id, i) => w.id(8 + i * this.g.idSize, id, this.g.idSize));
      return this.writeBlock(b, true);
    };
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    if (sum(sizes) > 0xffffffff) throw new Error('pstgen: a node stream is limited to 4 GiB (lcbTotal is 32-bit)');
    if (bids.length <= cap) return xblock(1, bids, sum(sizes));
    if (bids.length > cap * cap) throw new Error('pstgen: stream too large for an XXBLOCK');
    const xs: number[] = [];
    for (let i = 0; i < bids.length; i += cap) xs.push(xblock(1, bids.slice(i, i + cap), sum(sizes.slice(i, i + cap))));
    this.stats.xxblocks++;
    return xblock(2, xs, sum(sizes));
  }

  /** Split a byte stream into full blocks and write it. */
  writeBytes(data: Uint8Array): number {
    const max = this.g.maxBlockData;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < data.length; i += max) chunks.push(data.subarray(i, Math.min(data.length, i + max)));
    if (chunks.length === 0) chunks.push(new Uint8Array(0));
    return this.writeStream(chunks);
  }

  /** Write a subnode tree ([MS-PST] 2.2.2.8.3.3): an SLBLOCK, or an SIBLOCK over SLBLOCKs. */
  writeSubnodes(entries: SubnodeEntry[]): number {
    if (entries.length === 0) return 0;
    const g = this.g;
    const sorted = [...entries].sort((a, b) => a.nid - b.nid);
    const hdr = g.ansi ? 4 : 8;
    const slSize = 3 * g.idSize;
    const siSize = 2 * g.idSize;
    const slCap = Math.floor((g.maxBlockData - hdr) / slSize);
    const siCap = Math.floor((g.maxBlockData - hdr) / siSize);
    const leaf = (es: SubnodeEntry[]) => {
      const b = new Uint8Array(hdr + es.length * slSize);
      const w = new Bytes(b);
      w.u8at(0, 0x02);
      w.u8at(1, 0);
      w.u16(2, es.length);
      es.forEach((e, i) => {
        const o = hdr + i * slSize;
        w.id(o, e.nid, g.idSize);
        w.id(o + g.idSize, e.bidData, g.idSize);
        w.id(o + 2 * g.idSize, e.bidSub, g.idSize);
      });
      return this.writeBlock(b, true);
    };
    if (sorted.length <= slCap) return leaf(sorted);
    const kids: Array<{ nid: number; bid: number }> = [];
    for (let i = 0; i < sorted.length; i += slCap) {
      const part = sorted.slice(i, i + slCap);
      kids.push({ nid: part[0]!.nid, bid: leaf(part) });
    }
    if (kids.length > siCap) throw new Error('pstgen: too many subnodes');
    const b = new Uint8Array(hdr + kids.length * siSize);
    const w = new Bytes(b);
    w.u8at(0, 0x02);
    w.u8at(1, 1);
    w.u16(2, kids.length);
    kids.forEach((k, i) => {
      w.id(hdr + i * siSize, k.nid, g.idSize);
      w.id(hdr + i * siSize + g.idSize, k.bid, g.idSize);
    });
    return this.writeBlock(b, true);
  }

  /** Register a node in the NBT. */
  addNode(e: NbtEntry) {
    this.nbt.push(e);
    const type = e.nid & 0x1f;
    this.rgnid[type] = Math.max(this.rgnid[type]!, e.nid >>> 5);
  }

  // ---- pages and finish ---------------------------------------------------------------------

  private writePage(body: Uint8Array, ptype: number, bid: number, ib: number) {
    const g = this.g;
    const t = new Bytes(body);
    const at = g.pageSize - (g.ansi ? 12 : g.variant === 'ost4k' ? 24 : 16);
    const sig = ptype === PTYPE_AMAP || ptype === PTYPE_PMAP ? 0 : signature(ib, bid);
    t.u8at(at, ptype);
    t.u8at(at + 1, ptype);
    t.u16(at + 2, sig);
    const crc = pstCrc(body, 0, at);
    if (g.ansi) {
      t.u32(at + 4, bid);
      t.u32(at + 8, crc);
    } else {
      t.u32(at + 4, crc);
      t.u64(at + 8, bid);
    }
    return body;
  }

  /** Build one B-tree bottom-up ([MS-PST] 2.2.2.7.7); returns the root reference. */
  private writeBtree(ptype: number, leafEntries: Uint8Array[], keys: number[], leafCb: number): { bid: number; ib: number; levels: number } {
    const g = this.g;
    const branchCb = 3 * g.idSize;
    const cap = (cb: number) => Math.floor(g.btEntryBytes / cb);
    let level = 0;
    let items = leafEntries.map((e, i) => ({ key: keys[i]!, bytes: e }));
    let cb = leafCb;
    if (items.length === 0) items = [];
    for (;;) {
      const c = cap(cb);
      const pages: Array<{ key: number; bid: number; ib: number }> = [];
      for (let i = 0; i < Math.max(items.length, 1); i += c) {
        const part = items.slice(i, i + c);
        const body = new Uint8Array(g.pageSize);
        part.forEach((it, j) => body.set(it.bytes, j * cb));
        const w = new Bytes(body);
        const m = g.btEntryBytes;
        if (g.variant === 'ost4k') {
          w.u16(m, part.length);
          w.u16(m + 2, c);
          w.u8at(m + 4, cb);
          w.u8at(m + 5, level);
        } else {
          w.u8at(m, part.length);
          w.u8at(m + 1, c);
          w.u8at(m + 2, cb);
          w.u8at(m + 3, level);
        }
        const bid = this.nextPageBid;
        this.nextPageBid += 4;
        const ib = this.alloc(g.pageSize, g.pageSize);
        this.put(this.writePage(body, ptype, bid, ib), ib);
        pages.push({ key: part[0]?.key ?? 0, bid, ib });
      }
      if (pages.length === 1) return { bid: pages[0]!.bid, ib: pages[0]!.ib, levels: level + 1 };
      items = pages.map((p) => {
        const b = new Uint8Array(branchCb);
        const w = new Bytes(b);
        w.id(0, p.key, g.idSize);
        w.id(g.idSize, p.bid, g.idSize);
        w.id(2 * g.idSize, p.ib, g.idSize);
        return { key: p.key, bytes: b };
      });
      cb = branchCb;
      level++;
    }
  }

  /** Write B-trees, allocation maps and header. Returns the file size and tree roots. */
  finish(crypt: PstCrypt) {
    const g = this.g;
    // BBT
    const bbt = [...this.bbt].sort((a, b) => a.bid - b.bid);
    const bbtCb = g.ansi ? 12 : 24;
    const bbtBytes = bbt.map((e) => {
      const b = new Uint8Array(bbtCb);
      const w = new Bytes(b);
      w.id(0, e.bid, g.idSize);
      w.id(g.idSize, e.ib, g.idSize);
      if (g.variant === 'ost4k') {
        w.u16(16, e.cb);
        w.u16(18, e.cbInflated);
        w.u16(20, 2);
      } else {
        w.u16(2 * g.idSize, e.cb);
        w.u16(2 * g.idSize + 2, 2);
      }
      return b;
    });
    // NBT
    const nbt = [...this.nbt].sort((a, b) => a.nid - b.nid);
    for (let i = 1; i < nbt.length; i++) if (nbt[i]!.nid === nbt[i - 1]!.nid) throw new Error(`pstgen: duplicate NID 0x${nbt[i]!.nid.toString(16)}`);
    const nbtCb = g.ansi ? 16 : 32;
    const nbtBytes = nbt.map((e) => {
      const b = new Uint8Array(nbtCb);
      const w = new Bytes(b);
      w.id(0, e.nid, g.idSize);
      w.id(g.idSize, e.bidData, g.idSize);
      w.id(2 * g.idSize, e.bidSub, g.idSize);
      w.u32(3 * g.idSize, e.nidParent);
      return b;
    });
    const nbtRoot = this.writeBtree(PTYPE_NBT, nbtBytes, nbt.map((e) => e.nid), nbtCb);
    const bbtRoot = this.writeBtree(PTYPE_BBT, bbtBytes, bbt.map((e) => e.bid), bbtCb);
    const eof = Math.max(this.cursor, g.amapFirst + this.reservedAt(0));
    this.flush(eof);
    // AMaps / PMaps for every region that starts before EOF
    const regions = Math.ceil((eof - g.amapFirst) / g.amapSpan);
    let amapFree = 0;
    let lastAmap = g.amapFirst;
    for (let k = 0; k < regions; k++) {
      const ib = g.amapFirst + k * g.amapSpan;
      lastAmap = ib;
      const bitmap = this.amaps[k] ?? this.newAmap(k);
      const page = new Uint8Array(g.pageSize);
      page.set(bitmap, g.amapBitmapAt);
      for (const byte of bitmap) for (let b = 0; b < 8; b++) if (!(byte & (0x80 >>> b))) amapFree += g.amapSlot;
      this.out.writeAt(this.writePage(page, PTYPE_AMAP, ib, ib), ib);
      if (g.pmap && k % 8 === 0) {
        const pm = new Uint8Array(g.pageSize);
        pm.fill(0xff, g.amapBitmapAt, g.amapBitmapAt + g.amapBitmapBytes);
        this.out.writeAt(this.writePage(pm, PTYPE_PMAP, ib + g.pageSize, ib + g.pageSize), ib + g.pageSize);
      }
    }
    // Header ([MS-PST] 2.2.2.6)
    const initial: Record<number, number> = { 0x01: 0x400, 0x02: 0x400, 0x03: 0x4000, 0x04: 0x10000, 0x08: 0x8000 };
    const rgnid = this.rgnid.map((v, t) => Math.max(v + 1, initial[t] ?? 0));
    const h = new Uint8Array(g.headerSize);
    const w = new Bytes(h);
    h.set([0x21, 0x42, 0x44, 0x4e], 0);
    h.set(g.variant === 'ost4k' ? [0x53, 0x4f] : [0x53, 0x4d], 8);
    w.u16(10, g.wVer);
    w.u16(12, 19);
    w.u8at(14, 1);
    w.u8at(15, 1);
    const cryptByte = crypt === 'none' ? 0 : crypt === 'permute' ? 1 : 2;
    const bidNextB = this.nextBidIndex * 4;
    if (g.ansi) {
      w.u32(24, bidNextB);
      w.u32(28, this.nextPageBid);
      w.u32(32, 1);
      rgnid.forEach((v, i) => w.u32(36 + i * 4, v));
      w.u32(168, eof);
      w.u32(172, lastAmap);
      w.u32(176, amapFree);
      w.u32(180, 0);
      w.u32(184, nbtRoot.bid);
      w.u32(188, nbtRoot.ib);
      w.u32(192, bbtRoot.bid);
      w.u32(196, bbtRoot.ib);
      w.u8at(200, 2);
      h.fill(0xff, 204, 460);
      w.u8at(460, 0x80);
      w.u8at(461, cryptByte);
      w.u32(4, pstCrc(h, 8, 479));
    } else {
      w.u64(24, 0);
      w.u64(32, this.nextPageBid);
      w.u32(40, 1);
      rgnid.forEach((v, i) => w.u32(44 + i * 4, v));
      w.u64(184, eof);
      w.u64(192, lastAmap);
      w.u64(200, amapFree);
      w.u64(208, 0);
      w.u64(216, nbtRoot.bid);
      w.u64(224, nbtRoot.ib);
      w.u64(232, bbtRoot.bid);
      w.u64(240, bbtRoot.ib);
      w.u8at(248, 2);
      h.fill(0xff, 256, 512);
      w.u8at(512, 0x80);
      w.u8at(513, cryptByte);
      w.u64(516, bidNextB);
      w.u32(4, pstCrc(h, 8, 479));
      w.u32(524, pstCrc(h, 8, 524));
    }
    this.out.writeAt(h, 0);
    // zero the rest of the area before the first AMap (header page, DList slot)
    return {
      size: eof,
      nodes: nbt.length,
      blocks: bbt.length,
      nbtRoot: { bid: BigInt(nbtRoot.bid), ib: nbtRoot.ib, levels: nbtRoot.levels },
      bbtRoot: { bid: BigInt(bbtRoot.bid), ib: bbtRoot.ib, levels: bbtRoot.levels },
    };
  }
}
