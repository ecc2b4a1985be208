/**
 * Pages and the two B-trees of the NDB: the node B-tree (Nbt, NID → data/subnode BIDs) and the
 * block B-tree (Bbt, BID → file offset and sizes) ([MS-PST] 2.2.2.7). Lookups descend one path
 * and keep parsed pages in a small LRU (PageLru) whose dropped pages are parsed into again, so
 * opening a file never reads a whole tree and a long run of lookups allocates nothing; full walks
 * (validator, orphan scan) are generators that hold one path at a time. Every page is checked
 * (bounds, PAGETRAILER ptype/ptypeRepeat/bid/wSig/dwCRC, BTPAGE counts, key order) as it is
 * parsed, and cycles are cut by tracking the pages on the current path.
 */
import type { ByteSource } from '../../io/byte-source.ts';
import { type Reporter, hex } from '../codes.ts';
import { type Layout, computeSig, le16, le32, leId } from './header.ts';
import { PageLru } from './page-lru.ts';

export const PTYPE_BBT = 0x80;
export const PTYPE_NBT = 0x81;

export interface BbtEntry {
  bid: number;
  ib: number;
  /** cb (cbStored for 4K). */
  cb: number;
  /** Inflated size (4K), else = cb. */
  cbInflated: number;
  cRef: number;
}

export interface NbtEntry {
  nid: number;
  bidData: number;
  bidSub: number;
  nidParent: number;
}

/** A parsed BTPAGE: branch entries (key, bid, ib) or leaf entries. */
export interface BtPage {
  ib: number;
  bid: number;
  ptype: number;
  level: number;
  /** Branch keys or leaf keys (BID or NID), ascending after checks. */
  keys: Float64Array;
  /** Branch: child BREFs. */
  childBid?: Float64Array;
  childIb?: Float64Array;
  bbt?: BbtEntry[];
  nbt?: NbtEntry[];
}

/** Clear bit 0 ("reserved") of a BID without 32-bit truncation. */
export const bidKey = (bid: number): number => bid - (bid % 2);

/** The branch entry a page was reached from (for findings that blame the reference). */
export interface PageRef {
  ib: number;
  entry: number;
}

export interface PageCheck {
  crc32?: (d: Uint8Array) => number;
  verifyCrc: boolean;
}

/**
 * The entry an asynchronous lookup found, copied out of its leaf page at once: by the time a
 * caller's continuation runs, the page may have been dropped and reused for another.
 */
type Found = NbtEntry | BbtEntry;

/**
 * " (entry N of the NBT page at 0x…)" for findings about a page reached from entry `fromEntry` of
 * the page at `fromIb` ('' when `fromIb` < 0: the root). Also validate's B-tree walker's.
 */
export const via = (tree: string, fromIb: number, fromEntry: number): string => (fromIb >= 0 ? ` (entry ${fromEntry} of the ${tree} page at ${hex(fromIb)})` : '');
/** via() for a page reached from `from` (undefined: the root). */
const viaRef = (tree: string, from?: PageRef): string => (from ? via(tree, from.ib, from.entry) : '');

/** Which of BTrees.spare a page goes to: branch, BBT leaf or NBT leaf. */
const pageKind = (level: number, ptype: number): number => (level > 0 ? 0 : ptype === PTYPE_BBT ? 1 : 2);

const NO_KEYS = new Float64Array(0);

/** Leaf hints kept per B-tree (see BTrees.bbtHints). */
const HINTS = 4;

/**
 * The leaf hints of one tree (see BTrees.bbtHints): a ring of leaves reached by descents and the
 * key range [lo, hi) routed to each ([0, 0) when empty). The bounds live in typed arrays: as
 * object fields every update boxed two numbers, which lived long enough to be promoted.
 */
class Hints {
  readonly page: (BtPage | null)[] = new Array<BtPage | null>(HINTS).fill(null);
  readonly lo = new Float64Array(HINTS);
  readonly hi = new Float64Array(HINTS);
  /** The entry replaced next. */
  next = 0;

  add(p: BtPage, lo: number, hi: number): void {
    const k = this.next;
    this.next = (k + 1) % HINTS;
    this.page[k] = p;
    this.lo[k] = lo;
    this.hi[k] = hi;
  }

  /** Forget the hints to `p` (dropped from the cache). */
  forget(p: BtPage): void {
    for (let k = 0; k < HINTS; k++) {
      if (this.page[k] === p) {
        this.page[k] = null;
        this.lo[k] = this.hi[k] = 0;
      }
    }
  }
}

/** NBTENTRY `i` of a leaf NBT page as a fresh object (see bbtEntryAt). */
function nbtEntryAt(p: BtPage, i: number): NbtEntry {
  const raw = (p as PageImpl).nbtRaw;
  if (!raw) return p.nbt![i]!;
  const o = 4 * i;
  return { nid: raw[o]!, bidData: raw[o + 1]!, bidSub: raw[o + 2]!, nidParent: raw[o + 3]! };
}

/** A leaf BBT page's entries packed as (bid, ib, cb, cbInflated, cRef) quintuples, when it keeps them so. */
export function bbtLeafRaw(p: BtPage): Float64Array | undefined {
  return (p as PageImpl).bbtRaw;
}

/** BBTENTRY `i` of a leaf BBT page as a fresh object (lookups: short-lived, cheap to collect). */
function bbtEntryAt(p: BtPage, i: number): BbtEntry {
  const raw = (p as PageImpl).bbtRaw;
  if (!raw) return p.bbt![i]!;
  const o = 5 * i;
  return { bid: raw[o]!, ib: raw[o + 1]!, cb: raw[o + 2]!, cbInflated: raw[o + 3]!, cRef: raw[o + 4]! };
}

/**
 * A parsed page. Leaf entries are kept packed (BBT 5, NBT 4 numbers each in one Float64Array: a
 * page cache of thousands of pages would otherwise hold ~20 long-lived objects per page, which
 * the garbage collector copies and marks over and over); `bbt`/`nbt` build the objects on demand
 * (walks). A page only lookups have seen is reused for the next page parsed once the cache drops
 * it (BTrees.spare); one handed out (page(), walk()) is `lent` and never reused.
 */
class PageImpl implements BtPage {
  keys = NO_KEYS;
  childBid?: Float64Array;
  childIb?: Float64Array;
  nbtRaw?: Float64Array;
  bbtRaw?: Float64Array;
  lent = false;
  private bbtList?: BbtEntry[];
  private nbtList?: NbtEntry[];

  constructor(
    public ib: number,
    public bid: number,
    public ptype: number,
    public level: number,
  ) {}

  /** Make this (dropped, never lent) page the page at `ib`, keeping its arrays for the new entries. */
  reuse(ib: number, bid: number, ptype: number, level: number): this {
    this.ib = ib;
    this.bid = bid;
    this.ptype = ptype;
    this.level = level;
    this.bbtList = this.nbtList = undefined;
    return this;
  }

  get nbt(): NbtEntry[] | undefined {
    return this.nbtRaw && (this.nbtList ??= entryList(this, this.nbtRaw.length / 4, nbtEntryAt));
  }

  get bbt(): BbtEntry[] | undefined {
    return this.bbtRaw && (this.bbtList ??= entryList(this, this.bbtRaw.length / 5, bbtEntryAt));
  }
}

/** The `n` entries of a leaf page as objects, built once by `at` (PageImpl.nbt/.bbt). */
const entryList = <T>(p: BtPage, n: number, at: (p: BtPage, i: number) => T): T[] => Array.from({ length: n }, (_, i) => at(p, i));

/** Index of the last key <= `key` in ascending `keys` (binary search), or -1. */
export function lastAtOrBelow(keys: ArrayLike<number>, key: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! <= key) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at;
}

/**
 * Parsed pages BTrees keeps (LRU on page(), the synchronous hits do not reorder; validate's
 * BtWalker mirrors the cache). Lookups follow the reading order and B-tree paths share their
 * upper pages, so a thousand pages miss hardly more than four thousand did (inspect of a 1 GiB
 * file of 400k messages parsed 101 598 pages instead of 100 817) and hold less: it peaked
 * 7-10 MiB lower and ran no slower.
 */
export const BT_CACHE_PAGES = 1024;

export class BTrees {
  private readonly pages = new PageLru<BtPage | null>(BT_CACHE_PAGES);
  /** Pages read so far (cache misses); tests use it to prove lookups read only paths. */
  pagesRead = 0;
  /** Set when any BBT page failed a check: block lookups may then fall back to a trailer scan. */
  bbtDamaged = false;

  constructor(
    private readonly src: ByteSource,
    private readonly L: Layout,
    private readonly rep: Reporter,
    private readonly check: PageCheck,
    readonly nbtRoot: { bid: number; ib: number },
    readonly bbtRoot: { bid: number; ib: number },
  ) {}

  /**
   * Read and check the page at `ib` expected to carry `bid` and `ptype`. Returns null when the
   * page cannot be used at all (out of bounds, wrong type, unparseable counts).
   */
  async page(ib: number, bid: number, ptype: number, expectLevel?: number, from?: PageRef): Promise<BtPage | null> {
    const p = await this.load(ib, bid, ptype, expectLevel, from);
    if (p) (p as PageImpl).lent = true;
    return p;
  }

  /** page() for lookups: the page stays the cache's, to be reused once dropped. */
  private async load(ib: number, bid: number, ptype: number, expectLevel?: number, from?: PageRef): Promise<BtPage | null> {
    const at = this.pages.find(ib);
    if (at >= 0) {
      this.pages.touch(at);
      const cached = this.pages.value(at);
      return cached && cached.ptype === ptype ? cached : null;
    }
    const p = await this.parse(ib, bid, ptype, expectLevel, from);
    const old = this.pages.set(ib, p);
    if (old) this.drop(old as PageImpl);
    return p;
  }

  /**
   * Dropped pages kept for reuse by kind (branch, BBT leaf, NBT leaf): a lookup-heavy pass (inspect
   * of a 1 GiB message-heavy file parses 100k pages) then allocates nothing per page, where each
   * page's arrays would otherwise outlive a few young collections in the cache and be promoted,
   * only to die there.
   */
  private readonly spare: PageImpl[][] = [[], [], []];

  /** A page the cache no longer holds: reusable unless lent out; the hints that name it go. */
  private drop(p: PageImpl): void {
    this.nbtHints.forget(p);
    this.bbtHints.forget(p);
    if (p.lent) return;
    const spare = this.spare[pageKind(p.level, p.ptype)]!;
    if (spare.length < 4) spare.push(p);
  }

  /** Synchronous cache hit (lookups are hot: one per block read). No LRU bump: cheap and good enough. */
  private cached(ib: number, ptype: number): BtPage | undefined {
    const at = this.pages.find(ib);
    const p = at >= 0 ? this.pages.value(at) : undefined;
    return p && p.ptype === ptype ? p : undefined;
  }

  private async parse(ib: number, bid: number, ptype: number, expectLevel?: number, from?: PageRef): Promise<BtPage | null> {
    const L = this.L;
    const before = this.rep.count;
    let p: BtPage | null = null;
    if (!(ib >= 0) || ib % 512 !== 0 || ib + L.pageSize > this.src.size) {
      // A reference to a missing or wrong page is damage in the referencing entry: name that page.
      const refAt = from ? { offset: from.ib, field: 'BTENTRY.BREF.ib' } : { offset: ib, field: 'BREF.ib' };
      const tree = ptype === PTYPE_BBT ? 'BBT' : 'NBT';
      this.rep.report('PST-PAGE-BOUNDS', { ...refAt, message: `${tree} page ${hex(bid)} at ${hex(ib)}${viaRef(tree, from)}.` });
    } else {
      this.pagesRead++;
      const b = await this.src.read(ib, L.pageSize);
      if (b.length < L.pageSize) this.rep.report('PST-PAGE-BOUNDS', { offset: ib, field: 'BREF.ib' });
      else p = this.decode(b, ib, bid, ptype, expectLevel, from);
    }
    if (this.rep.count > before) {
      this.damaged = true;
      if (ptype === PTYPE_BBT) this.bbtDamaged = true;
    }
    return p;
  }

  /** Check the page bytes `b` read from `ib` and parse its entries into a new or reused page. */
  private decode(b: Uint8Array, ib: number, bid: number, ptype: number, expectLevel?: number, from?: PageRef): BtPage | null {
    const L = this.L;
    const tree = ptype === PTYPE_BBT ? 'BBT' : 'NBT';
    const t = L.pageTrailerAt;
    const pt = b[t]!;
    const ptRep = b[t + 1]!;
    const wSig = le16(b, t + 2);
    let crc: number;
    let tbid: number;
    if (L.ansi) {
      tbid = le32(b, t + 4);
      crc = le32(b, t + 8);
    } else {
      crc = le32(b, t + 4);
      tbid = leId(b, t + 8, 8);
    }
    if (pt !== ptype || ptRep !== ptype) {
      this.rep.report('PST-PAGE-TYPE', {
        offset: from ? from.ib : ib, field: from ? 'BTENTRY.BREF.ib' : pt !== ptype ? 'PAGETRAILER.ptype' : 'PAGETRAILER.ptypeRepeat',
        message: `Expected a ${tree} page (${hex(ptype)}) at ${hex(ib)}${viaRef(tree, from)}, found page type ${hex(pt)}/${hex(ptRep)}.`,
      });
      return null;
    }
    if (bidKey(tbid) !== bidKey(bid)) {
      this.rep.report('PST-PAGE-BID', { offset: ib, field: 'PAGETRAILER.bid', message: `${tree} page at ${hex(ib)}${viaRef(tree, from)}: expected ${hex(bid)}, trailer says ${hex(tbid)}.` });
      if (from) this.rep.report('PST-PAGE-BID', { offset: from.ib, field: 'BTENTRY.BREF.bid', message: `Entry ${from.entry} of the ${tree} page at ${hex(from.ib)} names page ${hex(bid)}, the page at ${hex(ib)} is ${hex(tbid)}.` });
    }
    if (wSig !== computeSig(ib, tbid)) {
      this.rep.report('PST-PAGE-SIG', { offset: ib, field: 'PAGETRAILER.wSig' });
    }
    if (this.check.verifyCrc && this.check.crc32 && this.check.crc32(b.subarray(0, t)) !== crc) {
      this.rep.report('PST-PAGE-CRC', { offset: ib, field: 'PAGETRAILER.dwCRC', message: `${tree} page at ${hex(ib)}.` });
    }
    const e = L.btEntriesEnd;
    const cEnt = L.fourK ? le16(b, e) : b[e]!;
    const cEntMax = L.fourK ? le16(b, e + 2) : b[e + 1]!;
    const cbEnt = L.fourK ? b[e + 4]! : b[e + 2]!;
    const level = L.fourK ? b[e + 5]! : b[e + 3]!;
    const want = level > 0 ? L.btEntry : ptype === PTYPE_BBT ? L.bbtEntry : L.nbtEntry;
    if (cbEnt !== want || cEnt > cEntMax || cEnt * cbEnt > e || level > 8 || (expectLevel !== undefined && level !== expectLevel)) {
      const field = cbEnt !== want ? 'BTPAGE.cbEnt' : cEnt > cEntMax || cEnt * cbEnt > e ? 'BTPAGE.cEnt' : 'BTPAGE.cLevel';
      this.rep.report(field === 'BTPAGE.cLevel' ? 'PST-BTREE-LEVEL' : 'PST-BTREE-ENTRY', {
        offset: ib, field, message: `${tree} page at ${hex(ib)}: cEnt ${cEnt}, cEntMax ${cEntMax}, cbEnt ${cbEnt}, cLevel ${level}.`,
      });
      if (cbEnt !== want || cEnt * cbEnt > e) return null;
    }
    const id = L.idSize;
    const page = this.spare[pageKind(level, ptype)]!.pop()?.reuse(ib, bid, ptype, level) ?? new PageImpl(ib, bid, ptype, level);
    // A reused page keeps its arrays when the entry count is the same (nearly always: full pages).
    let keys = page.keys;
    if (keys.length !== cEnt) keys = page.keys = new Float64Array(cEnt);
    if (level > 0) {
      let childBid = page.childBid;
      let childIb = page.childIb;
      if (childBid?.length !== cEnt || childIb?.length !== cEnt) {
        childBid = page.childBid = new Float64Array(cEnt);
        childIb = page.childIb = new Float64Array(cEnt);
      }
      branchEntries(b, cEnt, cbEnt, id, keys, childBid, childIb);
    } else if (ptype === PTYPE_BBT) {
      let raw = page.bbtRaw;
      if (raw?.length !== cEnt * 5) raw = page.bbtRaw = new Float64Array(cEnt * 5);
      bbtEntries(b, cEnt, cbEnt, id, L.fourK, keys, raw);
    } else {
      let raw = page.nbtRaw;
      if (raw?.length !== cEnt * 4) raw = page.nbtRaw = new Float64Array(cEnt * 4);
      nbtEntries(b, cEnt, cbEnt, id, keys, raw);
    }
    for (let i = 1; i < page.keys.length; i++) {
      if (!(page.keys[i]! > page.keys[i - 1]!)) {
        this.rep.report('PST-BTREE-ORDER', { offset: ib, field: level > 0 ? 'BTENTRY.btkey' : ptype === PTYPE_BBT ? 'BBTENTRY.bref.bid' : 'NBTENTRY.nid', message: `${tree} page at ${hex(ib)}, entry ${i}.` });
        break;
      }
    }
    return page;
  }

  /**
   * Descend from the root to the leaf entry for `key`; null when absent or unreachable. While the
   * path is cached this runs synchronously (no promise per lookup: one lookup per block read);
   * at the first uncached page it continues asynchronously with the same checks and findings.
   */
  /**
   * The leaf page holding `key` (entry `foundAt`, read at once) while the path is cached, else a
   * promise of the leaf entry.
   */
  private find(root: { bid: number; ib: number }, ptype: number, key: number): BtPage | null | Promise<Found | null> {
    if (!this.damaged) {
      const hints = ptype === PTYPE_BBT ? this.bbtHints : this.nbtHints;
      for (let k = 0; k < HINTS; k++) {
        if (key < hints.lo[k]! || key >= hints.hi[k]!) continue;
        const leaf = hints.page[k]!;
        const at = lastAtOrBelow(leaf.keys, key);
        if (at < 0 || leaf.keys[at] !== key) return null;
        this.foundAt = at;
        return leaf;
      }
    }
    const p = this.cached(root.ib, ptype);
    if (!p) return this.rootLater(root, ptype, key);
    return this.findSync(p, ptype, key);
  }

  /**
   * The leaves of the last clean synchronous descents per tree (HINTS of them) and the key range
   * [lo, hi) each one's path routes there: lookups of nearby keys (the blocks and nodes of
   * one message are usually neighbours; a contents table and attachment data lie elsewhere) go
   * straight to it. Used only while no page of either tree has shown damage
   * (`damaged`), where a descent is a pure function of the page bytes: same result, and the
   * findings a descent could make are none.
   */
  private readonly nbtHints = new Hints();
  private readonly bbtHints = new Hints();
  /** Any finding about a B-tree page or path so far (disables the hints). */
  private damaged = false;

  // Continuations live in their own methods: a closure in a hot function would make V8 allocate
  // its context on every call, taken branch or not.
  private rootLater(root: { bid: number; ib: number }, ptype: number, key: number): Promise<Found | null> {
    return this.load(root.ib, root.bid, ptype).then((r) => this.findFrom(r, [], ptype, key));
  }

  private childLater(parent: BtPage, at: number, path: number[], ptype: number, key: number): Promise<Found | null> {
    // The parent may be dropped and reused while the child loads: take what is needed of it now.
    const parentKey = parent.keys[at]!;
    return this.load(parent.childIb![at]!, parent.childBid![at]!, ptype, parent.level - 1, { ib: parent.ib, entry: at }).then((c) => {
      this.checkChild(parentKey, c);
      return this.findFrom(c, path, ptype, key);
    });
  }

  /** Entry index of the leaf page a synchronous find() returned. */
  private foundAt = 0;

  /** Pages on the current synchronous descent (cycle check without an array per lookup). */
  private readonly onPath: number[] = [];

  /**
   * findFrom() while the path is cached, with the visited pages in `onPath` (no allocation per
   * lookup); hands over to findFrom() with a copy of the path at the first uncached page.
   */
  private findSync(p: BtPage, ptype: number, key: number): BtPage | null | Promise<Found | null> {
    const path = this.onPath;
    let depth = 0;
    let lo = -Infinity;
    let hi = Infinity;
    for (;;) {
      for (let i = 0; i < depth; i++) {
        if (path[i] === p.ib) {
          this.damaged = true;
          this.rep.report('PST-BTREE-CYCLE', { offset: p.ib, field: 'BTENTRY.bref' });
          return null;
        }
      }
      if (depth > 16) {
        this.damaged = true;
        this.rep.report('PST-BTREE-CYCLE', { offset: p.ib, field: 'BTENTRY.bref' });
        return null;
      }
      path[depth++] = p.ib;
      const at = lastAtOrBelow(p.keys, key);
      if (p.level === 0) {
        if (depth > 1 && !this.damaged) {
          (ptype === PTYPE_BBT ? this.bbtHints : this.nbtHints).add(p, lo, hi);
        }
        if (at < 0 || p.keys[at] !== key) return null;
        this.foundAt = at;
        return p;
      }
      if (at >= 0) {
        if (p.keys[at]! > lo) lo = p.keys[at]!;
        if (at + 1 < p.keys.length && p.keys[at + 1]! < hi) hi = p.keys[at + 1]!;
      }
      if (at < 0) return null;
      const child = this.cached(p.childIb![at]!, ptype);
      if (!child) return this.childLater(p, at, path.slice(0, depth), ptype, key);
      this.checkChild(p.keys[at]!, child);
      p = child;
    }
  }

  /** find() from page `p` with the pages visited so far in `path` (cycle check). */
  private findFrom(p: BtPage | null, path: number[], ptype: number, key: number): Found | null | Promise<Found | null> {
    while (p) {
      if (path.includes(p.ib) || path.length > 16) {
        this.damaged = true;
        this.rep.report('PST-BTREE-CYCLE', { offset: p.ib, field: 'BTENTRY.bref' });
        return null;
      }
      path.push(p.ib);
      const at = lastAtOrBelow(p.keys, key);
      if (p.level === 0) return at >= 0 && p.keys[at] === key ? (ptype === PTYPE_BBT ? bbtEntryAt(p, at) : nbtEntryAt(p, at)) : null;
      if (at < 0) return null;
      const child = this.cached(p.childIb![at]!, ptype);
      if (!child) return this.childLater(p, at, path, ptype, key);
      this.checkChild(p.keys[at]!, child);
      p = child;
    }
    return null;
  }

  /** A child page's first key must not lie below its parent entry's key (`parentKey`). */
  private checkChild(parentKey: number, child: BtPage | null): void {
    if (child && child.keys.length > 0 && child.keys[0]! < parentKey) {
      this.damaged = true;
      this.rep.report('PST-BTREE-ORDER', { offset: child.ib, field: 'BTENTRY.btkey', message: `Child page at ${hex(child.ib)} starts below its parent key.` });
    }
  }

  /** The NBT entry of `nid` (a value when the path is cached, else a promise). */
  nbt(nid: number): NbtEntry | null | Promise<NbtEntry | null> {
    const r = this.find(this.nbtRoot, PTYPE_NBT, nid >>> 0);
    if (r instanceof Promise) return r as Promise<NbtEntry | null>;
    return r ? nbtEntryAt(r, this.foundAt) : null;
  }

  /** The BBT entry of `bid` (a value when the path is cached, else a promise). */
  bbt(bid: number): BbtEntry | null | Promise<BbtEntry | null> {
    const r = this.find(this.bbtRoot, PTYPE_BBT, bidKey(bid));
    if (r instanceof Promise) return r as Promise<BbtEntry | null>;
    return r ? bbtEntryAt(r, this.foundAt) : null;
  }

  /**
   * Walk every page of a tree depth-first in key order, yielding each page once. Checks level
   * consistency, key ranges against the parent entry, cycles and duplicate references.
   */
  async *walk(which: 'nbt' | 'bbt'): AsyncGenerator<BtPage> {
    const ptype = which === 'nbt' ? PTYPE_NBT : PTYPE_BBT;
    const root = which === 'nbt' ? this.nbtRoot : this.bbtRoot;
    const seen = new Set<number>();
    const tree = which.toUpperCase();
    const visit = async function* (this: BTrees, ib: number, bid: number, level: number | undefined, lo: number, hi: number, depth: number, from?: PageRef): AsyncGenerator<BtPage> {
      if (seen.has(ib)) {
        this.damaged = true;
        this.rep.report('PST-BTREE-CYCLE', { offset: ib, field: 'BTENTRY.bref', message: `${tree} page at ${hex(ib)} is referenced twice.` });
        return;
      }
      seen.add(ib);
      if (depth > 16) {
        this.damaged = true;
        this.rep.report('PST-BTREE-CYCLE', { offset: ib, field: 'BTPAGE.cLevel' });
        return;
      }
      const p = await this.page(ib, bid, ptype, level, from);
      if (!p) return;
      if (p.keys.length > 0 && (p.keys[0]! < lo || p.keys[p.keys.length - 1]! >= hi)) {
        this.damaged = true;
        this.rep.report('PST-BTREE-ORDER', { offset: ib, field: 'BTENTRY.btkey', message: `${tree} page at ${hex(ib)} holds keys outside its parent's range.` });
      }
      yield p;
      if (p.level > 0) {
        for (let i = 0; i < p.keys.length; i++) {
          const next = i + 1 < p.keys.length ? p.keys[i + 1]! : hi;
          yield* visit.call(this, p.childIb![i]!, p.childBid![i]!, p.level - 1, p.keys[i]!, next, depth + 1, { ib: p.ib, entry: i });
        }
      }
    };
    yield* visit.call(this, root.ib, root.bid, undefined, 0, Infinity, 0);
  }

  /** Forget parsed pages (used between validator phases to keep memory flat). */
  clear(): void {
    for (const p of this.pages.entries()) if (p) this.drop(p as PageImpl);
    this.pages.clear();
  }
}

// The entry loops of BTrees.decode, one per kind of page.

/** BTENTRY[] of a branch page ([MS-PST] 2.2.2.7.7.2): btkey, BREF.bid, BREF.ib. */
function branchEntries(b: Uint8Array, cEnt: number, cbEnt: number, id: number, keys: Float64Array, childBid: Float64Array, childIb: Float64Array): void {
  for (let i = 0; i < cEnt; i++) {
    const at = i * cbEnt;
    keys[i] = leId(b, at, id);
    childBid[i] = leId(b, at + id, id);
    childIb[i] = leId(b, at + 2 * id, id);
  }
}

/** BBTENTRY[] ([MS-PST] 2.2.2.7.7.3): keys (bidKey) and (bid, ib, cb, cbInflated, cRef) quintuples. */
function bbtEntries(b: Uint8Array, cEnt: number, cbEnt: number, id: number, fourK: boolean, keys: Float64Array, raw: Float64Array): void {
  for (let i = 0; i < cEnt; i++) {
    const at = i * cbEnt;
    const bid = leId(b, at, id);
    const cb = le16(b, at + 2 * id);
    keys[i] = bidKey(bid);
    raw[5 * i] = bid;
    raw[5 * i + 1] = leId(b, at + id, id);
    raw[5 * i + 2] = cb;
    raw[5 * i + 3] = fourK ? le16(b, at + 18) : cb;
    raw[5 * i + 4] = fourK ? le16(b, at + 20) : le16(b, at + 2 * id + 2);
  }
}

/** NBTENTRY[] ([MS-PST] 2.2.2.7.7.4): keys (nid) and (nid, bidData, bidSub, nidParent) quadruples. */
function nbtEntries(b: Uint8Array, cEnt: number, cbEnt: number, id: number, keys: Float64Array, raw: Float64Array): void {
  for (let i = 0; i < cEnt; i++) {
    const at = i * cbEnt;
    const nid = le32(b, at);
    keys[i] = nid;
    raw[4 * i] = nid;
    raw[4 * i + 1] = leId(b, at + id, id);
    raw[4 * i + 2] = leId(b, at + 2 * id, id);
    raw[4 * i + 3] = le32(b, at + 3 * id);
  }
}
