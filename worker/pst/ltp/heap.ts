/**
 * Heap-on-node ([MS-PST] 2.3.1): each block of a node's data stream is one heap page with its
 * own HNPAGEMAP; block 0 starts with HNHDR. Page maps are parsed lazily per page and every
 * allocation is bounds-checked, so a damaged page only loses the HIDs that live in it.
 *
 * A paged heap (Heap.paged) holds only the pages in use: a folder's contents table keeps every
 * row's strings in its heap (48 MiB for 400k messages), and a reader listing the folder needs
 * a few pages at a time. Its users call ensure(hid) before get/range and wait when it returns a
 * promise; in a heap opened whole, ensure never does.
 */
import { type Reporter, hex } from '../codes.ts';
import { le16, le32 } from '../ndb/header.ts';

export const HN_SIG = 0xec;
export const CLIENT_TC = 0x7c;
export const CLIENT_BTH = 0xb5;
export const CLIENT_PC = 0xbc;

/**
 * Reads page `block` of a paged heap (the node's data block; null when it cannot be read), into
 * `into` when given and the page fits (Blocks.readAny).
 */
export type HeapPageLoader = (block: number, into?: Uint8Array) => Uint8Array | null | Promise<Uint8Array | null>;

/**
 * Pages a paged heap keeps in memory (8 KiB each in PST files, 64 KiB in 4K OSTs) unless its user
 * reserves more (Heap.reserve). Few: readers go through a folder's table in heap order, and a
 * page dropped soon after use is more likely to die young, when the garbage collector's cheap
 * young-generation pass frees it with the block arena it lies in; with 64 pages, listing a
 * folder of 400k messages peaked 17 MiB higher (inspect; the full walk 30 MiB).
 */
const RESIDENT_PAGES = 8;

export class Heap {
  readonly clientSig: number;
  readonly hidUserRoot: number;
  private readonly maps: (number | undefined)[] = [];
  /** Paged heaps: resident pages, oldest first (page 0 stays and is not listed). */
  private readonly resident: number[] = [];
  private residentMax = RESIDENT_PAGES;
  /**
   * Paged heaps whose user keeps no view of a page once it may be evicted (the validator's row
   * checks): pages are read into buffers of `recycleBytes` that the heap owns, and an evicted
   * page's buffer takes the next page, so going through a large table allocates nothing per page.
   */
  private recycleBytes = 0;
  private readonly spares: Uint8Array[] = [];
  private readonly owned = new Set<ArrayBufferLike>();

  private constructor(
    /** undefined: a page of a paged heap that is not in memory. */
    private readonly pages: (Uint8Array | null | undefined)[],
    private readonly hidBlockShift: number,
    private readonly rep: Reporter,
    private readonly nid: number | undefined,
    private readonly loader?: HeapPageLoader,
  ) {
    const b0 = pages[0]!;
    this.clientSig = b0[3]!;
    this.hidUserRoot = le32(b0, 4);
  }

  /** Whether pages are read on demand (ensure() may return a promise). */
  get isPaged(): boolean {
    return this.loader !== undefined;
  }

  /** Open a heap over the blocks of a node; null (with a finding) when HNHDR is unusable. */
  static open(pages: (Uint8Array | null)[] | null, hidBlockShift: number, rep: Reporter, nid?: number): Heap | null {
    if (!pages || pages.length === 0 || !pages[0]) return null;
    const b0 = pages[0];
    if (b0.length < 12 || b0[2] !== HN_SIG) {
      rep.report('PST-HN-SIG', { nid, field: 'HNHDR.bSig', message: `Found ${hex(b0[2] ?? 0)}.` });
      return null;
    }
    return new Heap(pages, hidBlockShift, rep, nid);
  }

  /**
   * A heap of `count` pages of which only page 0 (`first`, HNHDR) is read now; the others are
   * read by `load` when ensure() asks for them. Null (with a finding) when HNHDR is unusable.
   */
  static paged(first: Uint8Array | null, count: number, load: HeapPageLoader, hidBlockShift: number, rep: Reporter, nid?: number): Heap | null {
    const pages: (Uint8Array | null | undefined)[] = new Array(count);
    pages[0] = first;
    if (!Heap.open(first ? [first] : null, hidBlockShift, rep, nid)) return null;
    return new Heap(pages, hidBlockShift, rep, nid, load);
  }

  /**
   * Read pages into buffers of `bytes` (at least the largest decoded block) that this heap owns
   * and reuses for the next page once a page is evicted. Only for a user that keeps no view of a
   * page past the next ensure() that may evict it.
   */
  recyclePages(bytes: number): void {
    this.recycleBytes = bytes;
  }

  /** Whether `hid` is a heap item on a page of this paged heap that is not in memory now. */
  readonly missing = (hid: number): boolean => {
    if (!this.loader || (hid & 0x1f) !== 0) return false;
    const block = hid >>> this.hidBlockShift;
    return block < this.pages.length && this.pages[block] === undefined;
  };

  /** Make the page holding `hid` resident: undefined when it is, else a promise for when it is. */
  ensure(hid: number): Promise<void> | undefined {
    if (!this.loader) return undefined;
    const block = hid >>> this.hidBlockShift;
    if (block >= this.pages.length || this.pages[block] !== undefined) return undefined;
    const into = this.recycleBytes ? (this.spares.pop() ?? this.own(new Uint8Array(this.recycleBytes))) : undefined;
    const r = this.loader(block, into);
    if (r instanceof Promise) return r.then((b) => this.settle(block, b, into));
    this.settle(block, r, into);
    return undefined;
  }

  private own(b: Uint8Array): Uint8Array {
    this.owned.add(b.buffer);
    return b;
  }

  private settle(block: number, b: Uint8Array | null, into: Uint8Array | undefined): void {
    // The buffer offered for this page serves the next one when the page is not kept in it.
    if (this.pages[block] !== undefined) {
      if (into) this.spares.push(into);
      return;
    }
    if (into && b?.buffer !== into.buffer) this.spares.push(into);
    this.pages[block] = b;
    // An unreadable page stays null (its finding is made once); readable ones take turns.
    if (!b) return;
    this.resident.push(block);
    if (this.resident.length > this.residentMax) {
      const victim = this.resident.shift()!;
      const old = this.pages[victim];
      this.pages[victim] = undefined;
      if (old && this.owned.has(old.buffer)) this.spares.push(new Uint8Array(old.buffer));
    }
  }

  /**
   * Keep at least `pages` pages resident: a user that needs several items at once (a table row's
   * HID cells, Table.rowPages) reserves one page per item, so ensuring the last does not evict
   * the first.
   */
  reserve(pages: number): void {
    this.residentMax = Math.max(this.residentMax, pages);
  }

  /**
   * The HNPAGEMAP of page `i` ([MS-PST] 2.3.1.5), checked once: its offset ibHnpm in the page (the
   * rgibAlloc entries are read in place), or -1 when unusable (with a finding).
   */
  private map(i: number): number {
    const have = this.maps[i];
    if (have !== undefined) return have;
    const b = this.pages[i];
    let m = -1;
    if (b && b.length >= 2) {
      const ib = le16(b, 0);
      if (ib + 4 <= b.length) {
        const cAlloc = le16(b, ib);
        if (ib + 4 + (cAlloc + 1) * 2 <= b.length) {
          let ok = true;
          let prev = 0;
          for (let k = 0, o = ib + 4; k <= cAlloc; k++, o += 2) {
            const v = le16(b, o);
            if (v > ib || (k > 0 && v < prev)) ok = false;
            prev = v;
          }
          if (ok) m = ib;
        }
      }
      if (m < 0) this.rep.report('PST-HN-PAGEMAP', { nid: this.nid, field: 'HNPAGEMAP.rgibAlloc', message: `Heap page ${i}.` });
    }
    this.maps[i] = m;
    return m;
  }

  /** HNPAGEMAP.cAlloc of page `block` whose map is at `ib` (checked by map()). */
  private cAlloc(block: number, ib: number): number {
    const b = this.pages[block]!;
    return le16(b, ib);
  }

  /** Whether heap item `hid` resolves (same checks and findings as get, no view allocated). */
  has(hid: number, quiet = false): boolean {
    return this.range(hid, quiet) !== null;
  }

  /** The bytes of heap item `hid`, or null (with a finding) when it does not resolve. */
  get(hid: number, quiet = false): Uint8Array | null {
    const page = this.range(hid, quiet);
    return page ? page.subarray(this.start, this.end) : null;
  }

  /** Where the last successful range() call found its item: page[start, end). */
  start = 0;
  end = 0;

  /**
   * get() without a view: the heap page holding item `hid` (its bytes are page[start, end), see
   * the fields), or null with the same findings as get().
   */
  range(hid: number, quiet = false): Uint8Array | null {
    if (hid === 0) return null;
    const index = (hid >>> 5) & ((1 << (this.hidBlockShift - 5)) - 1);
    const block = hid >>> this.hidBlockShift;
    if ((hid & 0x1f) !== 0 || block >= this.pages.length || index === 0) {
      if (!quiet) this.rep.report('PST-HN-HID', { nid: this.nid, field: 'HID', message: `HID ${hex(hid)}.` });
      return null;
    }
    // A page of a paged heap that nobody ensure()d: a caller's mistake, not damage.
    if (this.pages[block] === undefined) throw new Error(`Heap page ${block} of node ${hex(this.nid ?? 0)} used before ensure()`);
    const m = this.map(block);
    if (m < 0 || index > this.cAlloc(block, m)) {
      if (!quiet && m >= 0) this.rep.report('PST-HN-HID', { nid: this.nid, field: 'HID.hidIndex', message: `HID ${hex(hid)}.` });
      return null;
    }
    const page = this.pages[block]!;
    // subarray's clamping, kept so that range and get agree on damaged maps.
    const len = page.length;
    const o = m + 4 + 2 * (index - 1);
    let a = le16(page, o);
    let z = le16(page, o + 2);
    if (a > len) a = len;
    if (z > len) z = len;
    if (z < a) z = a;
    this.start = a;
    this.end = z;
    return page;
  }
}
