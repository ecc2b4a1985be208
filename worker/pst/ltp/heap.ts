/**
 * Heap-on-node ([MS-PST] 2.3.1): each block of a node's data stream is one heap page with its
 * own HNPAGEMAP; block 0 starts with HNHDR. Page maps are parsed lazily per page and every
 * allocation is bounds-checked, so a damaged page only loses the HIDs that live in it.
 */
import { type Reporter, hex } from '../codes.ts';

export const HN_SIG = 0xec;
export const CLIENT_TC = 0x7c;
export const CLIENT_BTH = 0xb5;
export const CLIENT_PC = 0xbc;

export class Heap {
  readonly clientSig: number;
  readonly hidUserRoot: number;
  private readonly maps: (Uint16Array | null | undefined)[] = [];

  private constructor(
    private readonly pages: (Uint8Array | null)[],
    private readonly hidBlockShift: number,
    private readonly rep: Reporter,
    private readonly nid: number | undefined,
  ) {
    const b0 = pages[0]!;
    this.clientSig = b0[3]!;
    this.hidUserRoot = new DataView(b0.buffer, b0.byteOffset, b0.byteLength).getUint32(4, true);
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

  private map(i: number): Uint16Array | null {
    const have = this.maps[i];
    if (have !== undefined) return have;
    const b = this.pages[i];
    let m: Uint16Array | null = null;
    if (b && b.length >= 2) {
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const ib = dv.getUint16(0, true);
      if (ib + 4 <= b.length) {
        const cAlloc = dv.getUint16(ib, true);
        if (ib + 4 + (cAlloc + 1) * 2 <= b.length) {
          m = new Uint16Array(cAlloc + 1);
          let ok = true;
          for (let k = 0; k <= cAlloc; k++) {
            m[k] = dv.getUint16(ib + 4 + k * 2, true);
            if (m[k]! > ib || (k > 0 && m[k]! < m[k - 1]!)) ok = false;
          }
          if (!ok) m = null;
        }
      }
      if (!m) this.rep.report('PST-HN-PAGEMAP', { nid: this.nid, field: 'HNPAGEMAP.rgibAlloc', message: `Heap page ${i}.` });
    }
    this.maps[i] = m;
    return m;
  }

  /** Whether heap item `hid` resolves (same checks and findings as get, no view allocated). */
  has(hid: number, quiet = false): boolean {
    if (hid === 0) return false;
    const index = (hid >>> 5) & ((1 << (this.hidBlockShift - 5)) - 1);
    const block = hid >>> this.hidBlockShift;
    if ((hid & 0x1f) !== 0 || block >= this.pages.length || index === 0) {
      if (!quiet) this.rep.report('PST-HN-HID', { nid: this.nid, field: 'HID', message: `HID ${hex(hid)}.` });
      return false;
    }
    const m = this.map(block);
    if (!m || index >= m.length) {
      if (!quiet && m) this.rep.report('PST-HN-HID', { nid: this.nid, field: 'HID.hidIndex', message: `HID ${hex(hid)}.` });
      return false;
    }
    return true;
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
    if (!m || index >= m.length) {
      if (!quiet && m) this.rep.report('PST-HN-HID', { nid: this.nid, field: 'HID.hidIndex', message: `HID ${hex(hid)}.` });
      return null;
    }
    const page = this.pages[block]!;
    // subarray's clamping, kept so that range and get agree on damaged maps.
    const len = page.length;
    let a = m[index - 1]!;
    let z = m[index]!;
    if (a > len) a = len;
    if (z > len) z = len;
    if (z < a) z = a;
    this.start = a;
    this.end = z;
    return page;
  }
}
