/**
 * The validator's walk of the node and block B-trees ([MS-PST] 2.2.2.7): every page, depth-first
 * in key order, with the checks of ndb/btree.ts (bounds, PAGETRAILER ptype/ptypeRepeat/bid/wSig/
 * dwCRC, BTPAGE cEnt/cEntMax/cbEnt/cLevel, key order, keys within the parent entry's range,
 * cycles and pages referenced twice) and the same findings. It exists beside BTrees.walk because
 * the validator visits every entry of every page: here pages are parsed from slabs of the file in
 * hand without a promise per page, and leaf entries are handed out one by one through a reused
 * object instead of an object per entry.
 *
 * BTrees keeps a small cache of parsed pages keyed by file offset that is shared by both walks (a
 * page already parsed as the other tree's type reads as unusable, silently); `seen` mirrors it so
 * damaged files give the same findings as BTrees.walk.
 */
import type { ByteSource } from '../io/byte-source.ts';
import { type Reporter, hex } from './codes.ts';
import { BT_CACHE_PAGES, PTYPE_BBT, PTYPE_NBT, bidKey, via } from './ndb/btree.ts';
import { PageLru } from './ndb/page-lru.ts';
import { computeSig, le16 as u16, le32 as u32, leId, trailerBid, trailerCrc, type Layout } from './ndb/header.ts';

/** Slabs of the file with a synchronous hit path (B-tree pages cluster; most reads hit). */
class Slabs {
  private readonly slabs = new Map<number, Uint8Array>();
  constructor(
    private readonly src: ByteSource,
    private readonly slab = 128 * 1024,
    private readonly max = 64,
  ) {}

  clear(): void {
    this.slabs.clear();
  }

  /** Bytes [offset, offset + length) when one slab in hand holds them. */
  peek(offset: number, length: number): Uint8Array | undefined {
    const i = Math.floor(offset / this.slab);
    const s = this.slabs.get(i);
    const at = offset - i * this.slab;
    return s && at + length <= s.length ? s.subarray(at, at + length) : undefined;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const i = Math.floor(offset / this.slab);
    const at = offset - i * this.slab;
    if (at + length > this.slab) return this.src.read(offset, length);
    let s = this.slabs.get(i);
    if (!s) {
      const start = i * this.slab;
      const len = Math.min(this.slab, this.src.size - start);
      // The oldest slab's buffer is reused for the new one.
      let spare: Uint8Array | undefined;
      if (this.slabs.size >= this.max) {
        const old = this.slabs.keys().next().value!;
        spare = this.slabs.get(old);
        this.slabs.delete(old);
      }
      if (this.src.readInto) {
        const buf = spare && spare.buffer.byteLength >= len ? new Uint8Array(spare.buffer, 0, len) : new Uint8Array(len);
        s = buf.subarray(0, await this.src.readInto(start, buf));
      } else s = (await this.src.read(start, len)).slice();
      this.slabs.set(i, s);
    }
    return s.subarray(at, Math.min(s.length, at + length));
  }
}

/**
 * What a walk hands out: every usable page, then a leaf page's entries as parallel arrays
 * (reused scratch: copy what you keep). BBT leaves: f1 bid, f2 ib, f3 cb, f4 cbInflated.
 * NBT leaves: keys nid, f1 bidData, f2 bidSub, f3 nidParent.
 */
export interface WalkVisitor {
  /** Called once per usable page, before its entries. */
  page(ib: number, level: number): void;
  /** May return a promise (the walk waits for it; the scratch arrays stay valid until then). */
  leaf(n: number, keys: Float64Array, f1: Float64Array, f2: Float64Array, f3: Float64Array, f4: Float64Array, pageIb: number): void | Promise<void>;
}

const MAX_ENT = 512;

/**
 * The pages one walk has visited, for cycle detection: a bit per 512-byte unit of the file (pages
 * lie on 512-byte boundaries, [MS-PST] 2.2.2.7), 256 KiB per GiB of file, however many pages.
 * A Set of page numbers took 10 MiB for the 455 000 BBT pages of a 4 GiB file, and grew with them.
 * An offset that is not a page's (damage, reported by the walk) goes to a small Set.
 */
class PageBits {
  private readonly bits: Uint32Array;
  private odd: Set<number> | undefined;
  constructor(fileSize: number) {
    this.bits = new Uint32Array(Math.ceil(Math.max(0, fileSize) / 512 / 32) + 1);
  }
  /** Whether `ib` was seen before; marks it seen. */
  visit(ib: number): boolean {
    const k = ib / 512;
    if (Number.isInteger(k) && k >= 0 && k < this.bits.length * 32) {
      const w = Math.floor(k / 32);
      const m = 1 << (k % 32);
      const was = (this.bits[w]! & m) !== 0;
      this.bits[w]! |= m;
      return was;
    }
    this.odd ??= new Set();
    if (this.odd.has(ib)) return true;
    this.odd.add(ib);
    return false;
  }
}

export class BtWalker {
  /**
   * BTrees' page cache, mirrored (a PageLru used as BTrees uses its own): offset → page type
   * parsed there, 0 for unusable.
   */
  private readonly cache = new PageLru<number>(BT_CACHE_PAGES);
  private readonly slabs: Slabs;
  /** Set when a BBT page failed a check while parsed (BTrees.bbtDamaged). */
  bbtDamaged = false;
  private readonly keys = new Float64Array(MAX_ENT);
  private readonly f1 = new Float64Array(MAX_ENT);
  private readonly f2 = new Float64Array(MAX_ENT);
  private readonly f3 = new Float64Array(MAX_ENT);
  private readonly f4 = new Float64Array(MAX_ENT);

  constructor(
    private readonly src: ByteSource,
    private readonly L: Layout,
    private readonly rep: Reporter,
    private readonly crc32: (d: Uint8Array) => number,
    /**
     * Slabs of 128 KiB kept (pages are visited once each; neighbouring pages share a slab). 16
     * read as few slabs as 64 (validate --full of the 4 GiB message-heavy file: 22 239 reads
     * instead of 21 986, of 4.5 GB) and keep 6 MiB less while the BBT walk hands windows out.
     */
    slabs = 16,
    /**
     * Mirror BTrees' page cache (for the same findings on a damaged file). Off for a tree already
     * found sound, where it changes nothing and only costs a hash update per page.
     */
    private readonly mirror = true,
  ) {
    this.slabs = new Slabs(src, 128 * 1024, slabs);
  }

  /** Record a use of the page at `ib` (parsed as `ptype`, 0 unusable), as BTrees.page() does. */
  private remember(ib: number, ptype: number): void {
    if (this.mirror) this.cache.set(ib, ptype);
  }

  /** Drop the slabs in hand (the walks are done). */
  release(): void {
    this.slabs.clear();
  }

  /**
   * Walk every page of one tree from `root` (BTrees.walk): depth first in key order, the pages
   * to visit on an explicit stack (children pushed in reverse), so a page found in the slabs in
   * hand costs no promise; a read is awaited only when a slab must be fetched.
   *
   * `soundPages`: the page count of an earlier walk of this tree that found it sound. The walk
   * then keeps no bitmap of pages seen (a bit per 512 bytes of file, 1 MiB for 4 GiB) and stops
   * after that many pages, in case the file changed since.
   */
  async walk(which: 'nbt' | 'bbt', root: { bid: number; ib: number }, v: WalkVisitor, soundPages?: number): Promise<void> {
    const ptype = which === 'nbt' ? PTYPE_NBT : PTYPE_BBT;
    const tree = which.toUpperCase();
    const seen = soundPages === undefined ? new PageBits(this.src.size) : null;
    let budget = soundPages ?? Infinity;
    const rep = this.rep;
    const pageSize = this.L.pageSize;
    // Frames of 8 numbers: ib, bid, expected level (-1: any), lo, hi, depth, parent ib, entry.
    const st: number[] = [root.ib, root.bid, -1, 0, Infinity, 0, -1, 0];
    while (st.length > 0) {
      const top = st.length - 8;
      const ib = st[top]!;
      const bid = st[top + 1]!;
      const lvl = st[top + 2]!;
      const lo = st[top + 3]!;
      const hi = st[top + 4]!;
      const depth = st[top + 5]!;
      const fromIb = st[top + 6]!;
      const fromEntry = st[top + 7]!;
      st.length = top;
      if (--budget < 0) break;
      if (seen?.visit(ib)) {
        rep.report('PST-BTREE-CYCLE', { offset: ib, field: 'BTENTRY.bref', message: `${tree} page at ${hex(ib)} is referenced twice.` });
        continue;
      }
      if (depth > 16) {
        rep.report('PST-BTREE-CYCLE', { offset: ib, field: 'BTPAGE.cLevel' });
        continue;
      }
      // BTrees.page(): a page parsed before is not checked again.
      const hit = this.cache.find(ib);
      let n: number;
      let pLevel: number;
      if (hit >= 0) {
        const cached = this.cache.value(hit);
        this.cache.touch(hit);
        if (cached !== ptype) continue;
        // Parsed before as this type: only possible across walks of the same tree, never here.
        const b = this.slabs.peek(ib, pageSize) ?? (await this.slabs.read(ib, pageSize));
        const r = this.entries(b, ptype);
        n = r >> 8;
        pLevel = r & 255;
      } else {
        const before = rep.count;
        let r: number;
        if (!(ib >= 0) || ib % 512 !== 0 || ib + pageSize > this.src.size) {
          const from = fromIb >= 0;
          rep.report('PST-PAGE-BOUNDS', { offset: from ? fromIb : ib, field: from ? 'BTENTRY.BREF.ib' : 'BREF.ib', message: `${tree} page ${hex(bid)} at ${hex(ib)}${via(tree, fromIb, fromEntry)}.` });
          r = -1;
        } else {
          const b = this.slabs.peek(ib, pageSize) ?? (await this.slabs.read(ib, pageSize));
          r = this.parse(b, ib, bid, ptype, tree, lvl < 0 ? undefined : lvl, fromIb, fromEntry);
        }
        if (ptype === PTYPE_BBT && rep.count > before) this.bbtDamaged = true;
        this.remember(ib, r < 0 ? 0 : ptype);
        if (r < 0) continue;
        n = r >> 8;
        pLevel = r & 255;
      }
      const keys = this.keys;
      if (n > 0 && (keys[0]! < lo || keys[n - 1]! >= hi)) {
        rep.report('PST-BTREE-ORDER', { offset: ib, field: 'BTENTRY.btkey', message: `${tree} page at ${hex(ib)} holds keys outside its parent's range.` });
      }
      v.page(ib, pLevel);
      if (pLevel === 0) {
        const later = v.leaf(n, keys, this.f1, this.f2, this.f3, this.f4, ib);
        if (later) await later;
        continue;
      }
      // Branch: children in key order, so pushed last to first.
      for (let i = n - 1; i >= 0; i--) st.push(this.f2[i]!, this.f1[i]!, pLevel - 1, keys[i]!, i + 1 < n ? keys[i + 1]! : hi, depth + 1, ib, i);
    }
  }

  /**
   * A leaf page of a tree this walker's kind of walk found sound, read again without its checks:
   * `visit` gets its entries as WalkVisitor.leaf does (scratch arrays, valid during the call).
   */
  async leaf(which: 'nbt' | 'bbt', ib: number, visit: (n: number, keys: Float64Array, f1: Float64Array, f2: Float64Array, f3: Float64Array) => void): Promise<void> {
    const pageSize = this.L.pageSize;
    const b = this.slabs.peek(ib, pageSize) ?? (await this.slabs.read(ib, pageSize));
    if (b.length < pageSize) return;
    const r = this.entries(b, which === 'nbt' ? PTYPE_NBT : PTYPE_BBT);
    if ((r & 255) === 0) visit(r >> 8, this.keys, this.f1, this.f2, this.f3);
  }

  /**
   * Check one page's bytes `b` (BTrees.parseChecked; its bounds were checked). Returns
   * (cEnt << 8 | cLevel) with the entries in the scratch arrays, or -1 when the page is unusable.
   */
  private parse(b: Uint8Array, ib: number, bid: number, ptype: number, tree: string, expectLevel: number | undefined, fromIb: number, fromEntry: number): number {
    const L = this.L;
    const rep = this.rep;
    const from = fromIb >= 0;
    if (b.length < L.pageSize) {
      rep.report('PST-PAGE-BOUNDS', { offset: ib, field: 'BREF.ib' });
      return -1;
    }
    const t = L.pageTrailerAt;
    const pt = b[t]!;
    const ptRep = b[t + 1]!;
    const wSig = u16(b, t + 2);
    const crc = trailerCrc(b, t, L.ansi);
    const tbid = trailerBid(b, t, L.ansi);
    if (pt !== ptype || ptRep !== ptype) {
      rep.report('PST-PAGE-TYPE', {
        offset: from ? fromIb : ib, field: from ? 'BTENTRY.BREF.ib' : pt !== ptype ? 'PAGETRAILER.ptype' : 'PAGETRAILER.ptypeRepeat',
        message: `Expected a ${tree} page (${hex(ptype)}) at ${hex(ib)}${via(tree, fromIb, fromEntry)}, found page type ${hex(pt)}/${hex(ptRep)}.`,
      });
      return -1;
    }
    if (bidKey(tbid) !== bidKey(bid)) {
      rep.report('PST-PAGE-BID', { offset: ib, field: 'PAGETRAILER.bid', message: `${tree} page at ${hex(ib)}${via(tree, fromIb, fromEntry)}: expected ${hex(bid)}, trailer says ${hex(tbid)}.` });
      if (from) rep.report('PST-PAGE-BID', { offset: fromIb, field: 'BTENTRY.BREF.bid', message: `Entry ${fromEntry} of the ${tree} page at ${hex(fromIb)} names page ${hex(bid)}, the page at ${hex(ib)} is ${hex(tbid)}.` });
    }
    if (wSig !== computeSig(ib, tbid)) rep.report('PST-PAGE-SIG', { offset: ib, field: 'PAGETRAILER.wSig' });
    if (this.crc32(b.subarray(0, t)) !== crc) rep.report('PST-PAGE-CRC', { offset: ib, field: 'PAGETRAILER.dwCRC', message: `${tree} page at ${hex(ib)}.` });
    const e = L.btEntriesEnd;
    const cEnt = L.fourK ? u16(b, e) : b[e]!;
    const cEntMax = L.fourK ? u16(b, e + 2) : b[e + 1]!;
    const cbEnt = L.fourK ? b[e + 4]! : b[e + 2]!;
    const level = L.fourK ? b[e + 5]! : b[e + 3]!;
    const want = level > 0 ? L.btEntry : ptype === PTYPE_BBT ? L.bbtEntry : L.nbtEntry;
    if (cbEnt !== want || cEnt > cEntMax || cEnt * cbEnt > e || level > 8 || (expectLevel !== undefined && level !== expectLevel)) {
      const field = cbEnt !== want ? 'BTPAGE.cbEnt' : cEnt > cEntMax || cEnt * cbEnt > e ? 'BTPAGE.cEnt' : 'BTPAGE.cLevel';
      rep.report(field === 'BTPAGE.cLevel' ? 'PST-BTREE-LEVEL' : 'PST-BTREE-ENTRY', {
        offset: ib, field, message: `${tree} page at ${hex(ib)}: cEnt ${cEnt}, cEntMax ${cEntMax}, cbEnt ${cbEnt}, cLevel ${level}.`,
      });
      if (cbEnt !== want || cEnt * cbEnt > e) return -1;
    }
    const r = this.entries(b, ptype);
    const n = r >> 8;
    const keys = this.keys;
    for (let i = 1; i < n; i++) {
      if (!(keys[i]! > keys[i - 1]!)) {
        rep.report('PST-BTREE-ORDER', { offset: ib, field: level > 0 ? 'BTENTRY.btkey' : ptype === PTYPE_BBT ? 'BBTENTRY.bref.bid' : 'NBTENTRY.nid', message: `${tree} page at ${hex(ib)}, entry ${i}.` });
        break;
      }
    }
    return r;
  }

  /** Entries of a page whose counts were checked, into the scratch arrays; (cEnt << 8 | cLevel). */
  private entries(b: Uint8Array, ptype: number): number {
    const L = this.L;
    const id = L.idSize;
    const e = L.btEntriesEnd;
    const cEnt = L.fourK ? u16(b, e) : b[e]!;
    const cbEnt = L.fourK ? b[e + 4]! : b[e + 2]!;
    const level = L.fourK ? b[e + 5]! : b[e + 3]!;
    const n = Math.min(cEnt, MAX_ENT);
    const { keys, f1, f2, f3, f4 } = this;
    for (let i = 0; i < n; i++) {
      const at = i * cbEnt;
      if (level > 0) {
        keys[i] = leId(b, at, id);
        f1[i] = leId(b, at + id, id);
        f2[i] = leId(b, at + 2 * id, id);
      } else if (ptype === PTYPE_BBT) {
        const bid = leId(b, at, id);
        keys[i] = bidKey(bid);
        f1[i] = bid;
        f2[i] = leId(b, at + id, id);
        const cb = u16(b, at + 2 * id);
        f3[i] = cb;
        f4[i] = L.fourK ? u16(b, at + 18) : cb;
      } else {
        keys[i] = u32(b, at);
        f1[i] = leId(b, at + id, id);
        f2[i] = leId(b, at + 2 * id, id);
        f3[i] = u32(b, at + 3 * id);
      }
    }
    return (n << 8) | level;
  }
}
