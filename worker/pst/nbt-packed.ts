/**
 * The NBT entries validate --full keeps from its B-tree walk for its node checks ([MS-PST]
 * 2.2.2.7.7.4, NBTENTRY: nid, bidData, bidSub), packed, one instance per window of the fused
 * pass. The checks read each once, front to back, so they are stored as varint deltas in one
 * growing byte buffer: the NBT is in NID order and a writer gives a message's blocks
 * neighbouring BIDs, so an entry takes 3-6 bytes instead of 12 in three u32 arrays (on a 4 GiB
 * file of 1.6 million messages the arrays had grown to 24 MiB).
 *
 * Per entry: zigzag(nid − previous nid), zigzag(bidData − previous bidData), and 0 for no
 * subnode tree, else zigzag(bidSub − bidData) + 1. Values are u32 (the caller keeps only such
 * entries), so a delta fits in 33 bits and a varint in 5 bytes.
 */

const zig = (d: number): number => (d >= 0 ? d * 2 : -d * 2 - 1);
const unzig = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

export class NbtPacked {
  private buf: Uint8Array;
  private at = 0;
  private lastNid = 0;
  private lastData = 0;
  /** Entries kept. */
  length = 0;

  /** `bytes`: the buffer to start with (it doubles as it fills). */
  constructor(bytes = 1 << 16) {
    this.buf = new Uint8Array(Math.max(16, bytes));
  }

  /** Append one entry; `nid`, `bidData` and `bidSub` are u32. */
  push(nid: number, bidData: number, bidSub: number): void {
    if (this.at + 15 > this.buf.length) {
      const b = new Uint8Array(this.buf.length * 2);
      b.set(this.buf.subarray(0, this.at));
      this.buf = b;
    }
    this.put(zig(nid - this.lastNid));
    this.put(zig(bidData - this.lastData));
    this.put(bidSub === 0 ? 0 : zig(bidSub - bidData) + 1);
    this.lastNid = nid;
    this.lastData = bidData;
    this.length++;
  }

  private put(v: number): void {
    const b = this.buf;
    let at = this.at;
    while (v >= 0x80) {
      b[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[at++] = v;
    this.at = at;
  }

  /** Bytes the entries take. */
  get byteLength(): number {
    return this.at;
  }

  /** Call `fn` for every entry, in the order pushed. */
  forEach(fn: (nid: number, bidData: number, bidSub: number, index: number) => void): void {
    const b = this.buf;
    const end = this.at;
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

/** Read position of varint() (forEach does not nest: `fn` gets numbers, not the reader). */
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
