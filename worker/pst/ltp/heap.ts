/**
 * Heap-on-node ([MS-PST] 2.3.1): each block of a node's data stream is one heap page with its
 * own HNPAGEMAP; block 0 starts with HNHDR. Page maps are parsed lazily per page and every
 * allocation is bounds-checked, so a damaged page only loses the HIDs that live in it.
 */
import { type Reporter, hex } from '../codes.ts';
import { le16, le32 } from '../ndb/header.ts';

export const HN_SIG = 0xec;
export const CLIENT_TC = 0x7c;
export const CLIENT_BTH = 0xb5;
export const CLIENT_PC = 0xbc;

export class Heap {
  readonly clientSig: number;
  readonly hidUserRoot: number;
  private readonly maps: (number | undefined)[] = [];

  private constructor(
    private readonly pages: (Uint8Array | null)[],
    private readonly hidBlockShift: number,
    private readonly rep: Reporter,
    private readonly nid: number | undefined,
  ) {
    const b0 = pages[0]!;
    this.clientSig = b0[3]!;
    this.hidUserRoot = le32(b0, 4);
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
