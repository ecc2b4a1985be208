/**
 * What validate keeps from its NBT walk ([MS-PST] 2.2.2.7.7.4, NBTENTRY), packed as varints in one
 * growing byte buffer, because it grows with the number of nodes and is read only front to back.
 *
 * `NbtPacked`: the entries the node checks of validate --full need (nid, bidData, bidSub), when
 * its fused pass keeps the BBT whole (one window, or the parts of --jobs). The NBT is in NID
 * order and a writer gives a message's blocks neighbouring BIDs, so an entry takes 3-6 bytes
 * instead of 12 in three u32 arrays. Per entry: zigzag(nid − previous nid), zigzag(bidData −
 * previous bidData), and 0 for no subnode tree, else zigzag(bidSub − bidData) + 1. Values are
 * u32 (the caller keeps only such entries), so a delta fits in 33 bits and a varint in 5 bytes.
 *
 * `NidSet`: every NID, for the orphan check (NBTENTRY.nidParent must name a node). While they
 * ascend (a sound tree) each is stored as its distance from the one before, mostly one byte.
 *
 * `LeafList`: for a pass in windows, not the entries but the NBT leaf pages that hold a window's
 * nodes, read again when its turn comes: a leaf holds 15-20 entries, and in a file whose blocks
 * were written in NID order the nodes of a leaf fall in one or two windows.
 */

const zig = (d: number): number => (d >= 0 ? d * 2 : -d * 2 - 1);
const unzig = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/** Varints (up to 5 bytes: values below 2^35) appended to a buffer that doubles as it fills. */
class Varints {
  buf: Uint8Array;
  at = 0;

  constructor(bytes: number) {
    this.buf = new Uint8Array(Math.max(16, bytes));
  }

  /** Room for `n` more varints. */
  room(n: number): void {
    if (this.at + 5 * n > this.buf.length) {
      const b = new Uint8Array(this.buf.length * 2);
      b.set(this.buf.subarray(0, this.at));
      this.buf = b;
    }
  }

  put(v: number): void {
    const b = this.buf;
    let at = this.at;
    while (v >= 0x80) {
      b[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[at++] = v;
    this.at = at;
  }
}

export class NbtPacked {
  private readonly v: Varints;
  private lastNid = 0;
  private lastData = 0;
  /** Entries kept. */
  length = 0;

  /** `bytes`: the buffer to start with (it doubles as it fills). */
  constructor(bytes = 1 << 16) {
    this.v = new Varints(bytes);
  }

  /** Append one entry; `nid`, `bidData` and `bidSub` are u32. */
  push(nid: number, bidData: number, bidSub: number): void {
    const v = this.v;
    v.room(3);
    v.put(zig(nid - this.lastNid));
    v.put(zig(bidData - this.lastData));
    v.put(bidSub === 0 ? 0 : zig(bidSub - bidData) + 1);
    this.lastNid = nid;
    this.lastData = bidData;
    this.length++;
  }

  /** Bytes the entries take. */
  get byteLength(): number {
    return this.v.at;
  }

  /** Call `fn` for every entry, in the order pushed. */
  forEach(fn: (nid: number, bidData: number, bidSub: number, index: number) => void): void {
    const b = this.v.buf;
    const end = this.v.at;
    pos = 0;
    let nid = 0;
    let data = 0;
    for (let i = 0; pos < end; i++) {
      nid += unzig(varint(b));
      data += unzig(varint(b));
      const s = varint(b);
      fn(nid, data, s === 0 ? 0 : data + unzig(s - 1), i);
    }
  }
}

/** File offsets of B-tree pages (multiples of 512), in the order added, as zigzag varint deltas. */
export class LeafList {
  private readonly v = new Varints(64);
  private last = 0;
  /** Pages kept. */
  length = 0;

  push(ib: number): void {
    const q = ib / 512;
    this.v.room(1);
    this.v.put(zig(q - this.last));
    this.last = q;
    this.length++;
  }

  /** Bytes the offsets take. */
  get byteLength(): number {
    return this.v.at;
  }

  /** The offsets, in the order pushed. */
  offsets(): number[] {
    const out: number[] = [];
    const b = this.v.buf;
    const end = this.v.at;
    pos = 0;
    let q = 0;
    while (pos < end) {
      q += unzig(varint(b));
      out.push(q * 512);
    }
    return out;
  }
}

/**
 * A set of u32 NIDs built once and then asked about (NBTENTRY.nidParent, [MS-PST] 2.2.2.7.7.4).
 * Ascending NIDs are kept as varints of their distance from the one before; the first that does
 * not ascend (a damaged tree) turns the set into an array of 4 bytes per NID, sorted when asked.
 */
export class NidSet {
  private v: Varints | null = new Varints(4096);
  private last = -1;
  private list: Uint32Array | null = null;
  private n = 0;

  add(nid: number): void {
    const v = this.v;
    if (v && nid > this.last) {
      v.room(1);
      v.put(nid - this.last - 1);
      this.last = nid;
      this.n++;
      return;
    }
    if (v) {
      this.list = new Uint32Array(Math.max(1024, this.n * 2));
      this.scan((x, i) => void (this.list![i] = x));
      this.v = null;
    }
    if (this.n === this.list!.length) {
      const b = new Uint32Array(this.n * 2);
      b.set(this.list!);
      this.list = b;
    }
    this.list![this.n++] = nid >>> 0;
  }

  /** NIDs added. */
  get size(): number {
    return this.n;
  }

  /** Bytes the NIDs take. */
  get byteLength(): number {
    return this.v ? this.v.at : this.n * 4;
  }

  /** Which of `nids` are in the set (one pass over it, whatever their number). */
  hasEach(nids: ArrayLike<number>): Set<number> {
    const want = Uint32Array.from(nids).sort();
    const found = new Set<number>();
    let k = 0;
    // Both sorted: one merge.
    const meet = (x: number) => {
      while (k < want.length && want[k]! < x) k++;
      if (k < want.length && want[k] === x) found.add(x);
    };
    if (this.v) this.scan(meet);
    else this.list!.subarray(0, this.n).sort().forEach(meet);
    return found;
  }

  /** The ascending NIDs of the packed form, in order. */
  private scan(fn: (nid: number, index: number) => void): void {
    const b = this.v!.buf;
    const end = this.v!.at;
    pos = 0;
    let nid = -1;
    for (let i = 0; pos < end; i++) {
      nid += varint(b) + 1;
      fn(nid, i);
    }
  }
}

/** Read position of varint() (forEach and scan do not nest: `fn` gets numbers, not the reader). */
let pos = 0;

function varint(b: Uint8Array): number {
  let v = b[pos++]!;
  if (v < 0x80) return v;
  v &= 0x7f;
  for (let scale = 0x80; ; scale *= 0x80) {
    const x = b[pos++]!;
    v += (x & 0x7f) * scale;
    if (x < 0x80) return v;
  }
}
