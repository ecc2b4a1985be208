/**
 * LTP layer writer ([MS-PST] 2.3): heap-on-node with any number of pages, BTH, property contexts
 * and table contexts. A heap is assembled in memory (heaps are small: one PC or TC), then handed
 * to the NDB writer as one block per heap page. Values too large for the heap (> 3580 bytes) and
 * large row matrices go into subnodes of the owning node, collected by a {@link NodeScope}.
 */
import { Bytes, type Geometry, type NdbWriter, type SubnodeEntry } from './ndb.ts';

/** Largest heap allocation ([MS-PST] 2.3.1.1). */
export const MAX_HEAP_ITEM = 3580;

export const NID_TYPE_LTP = 0x1f;

/** The subnodes one node (or subnode) owns, and NID allocation inside that scope. */
export class NodeScope {
  readonly entries: SubnodeEntry[] = [];
  private nextLtp = 0x100;
  constructor(readonly ndb: NdbWriter) {}
  ltpNid(): number {
    return ((this.nextLtp++ << 5) | NID_TYPE_LTP) >>> 0;
  }
  add(nid: number, bidData: number, bidSub: number) {
    this.entries.push({ nid, bidData, bidSub });
  }
  /** Write the subnode tree (0 when empty). */
  write(): number {
    return this.ndb.writeSubnodes(this.entries);
  }
}

interface HeapPage {
  items: Uint8Array[];
  used: number;
}

/** Heap-on-node builder ([MS-PST] 2.3.1). */
export class Heap {
  private pages: HeapPage[] = [{ items: [], used: 0 }];
  userRoot = 0;
  constructor(
    private readonly g: Geometry,
    private readonly clientSig: number,
  ) {}

  private headerSize(i: number) {
    return i === 0 ? 12 : i % 128 === 8 ? 66 : 2;
  }

  private fits(i: number, p: HeapPage, len: number) {
    const body = this.headerSize(i) + p.used + len;
    const map = 4 + 2 * (p.items.length + 2);
    return body + (body & 1) + map <= this.g.heapPageMax;
  }

  /** Allocate `data` (kept by reference: callers may fill it later) and return its HID. */
  alloc(data: Uint8Array): number {
    if (data.length > MAX_HEAP_ITEM) throw new Error('pstgen: heap item too large');
    let i = this.pages.length - 1;
    if (!this.fits(i, this.pages[i]!, data.length) || this.pages[i]!.items.length >= 2047) {
      this.pages.push({ items: [], used: 0 });
      i++;
    }
    const p = this.pages[i]!;
    p.items.push(data);
    p.used += data.length;
    return ((p.items.length << 5) | (i << this.g.hidBlockShift)) >>> 0;
  }

  /** Serialise the pages ([MS-PST] 2.3.1.2–2.3.1.5). */
  build(): Uint8Array[] {
    const fill = (free: number) => {
      const limits = [3584, 2560, 2048, 1792, 1536, 1280, 1024, 768, 512, 256, 128, 64, 32, 16, 8];
      for (let l = 0; l < limits.length; l++) if (free >= limits[l]!) return l;
      return 15;
    };
    const frees: number[] = [];
    const out = this.pages.map((p, i) => {
      const hs = this.headerSize(i);
      let ibHnpm = hs + p.used;
      ibHnpm += ibHnpm & 1;
      const size = ibHnpm + 4 + 2 * (p.items.length + 1);
      const b = new Uint8Array(size);
      const w = new Bytes(b);
      w.u16(0, ibHnpm);
      let o = hs;
      w.u16(ibHnpm, p.items.length);
      w.u16(ibHnpm + 2, 0);
      w.u16(ibHnpm + 4, o);
      p.items.forEach((it, k) => {
        b.set(it, o);
        o += it.length;
        w.u16(ibHnpm + 6 + 2 * k, o);
      });
      frees.push(this.g.heapPageMax - size);
      return b;
    });
    const h = new Bytes(out[0]!);
    h.u8at(2, 0xec);
    h.u8at(3, this.clientSig);
    h.u32(4, this.userRoot);
    let fl = 0;
    for (let i = 0; i < Math.min(8, frees.length); i++) fl |= fill(frees[i]!) << (4 * i);
    h.u32(8, fl >>> 0);
    for (let i = 8; i < out.length; i += 128) {
      const bm = new Bytes(out[i]!);
      for (let j = 0; j < 128 && i + j < out.length; j++) {
        const v = fill(frees[i + j]!);
        const at = 2 + (j >> 1);
        bm.u8at(at, out[i]![at]! | (v << ((j & 1) * 4)));
      }
    }
    return out;
  }

  /** Write the heap as this node's data stream. */
  write(ndb: NdbWriter): number {
    return ndb.writeStream(this.build());
  }
}

/**
 * B-tree-on-heap ([MS-PST] 2.3.2). `records` are (key bytes, data bytes), sorted here by key as
 * little-endian unsigned integers. Returns the HID of the BTHHEADER.
 */
export function writeBth(heap: Heap, cbKey: number, cbEnt: number, records: Array<{ key: number; data: Uint8Array }>, header?: Uint8Array): number {
  const hdr = header ?? new Uint8Array(8);
  const hidHdr = header ? 0 : heap.alloc(hdr);
  const sorted = [...records].sort((a, b) => a.key - b.key);
  const keyBytes = (k: number) => {
    const b = new Uint8Array(cbKey);
    const w = new Bytes(b);
    if (cbKey === 2) w.u16(0, k);
    else if (cbKey === 4) w.u32(0, k);
    else w.u64(0, k);
    return b;
  };
  let levels = 0;
  let hidRoot = 0;
  if (sorted.length > 0) {
    let recSize = cbKey + cbEnt;
    let level: Array<{ key: number; bytes: Uint8Array }> = sorted.map((r) => {
      const b = new Uint8Array(cbKey + cbEnt);
      b.set(keyBytes(r.key), 0);
      b.set(r.data.subarray(0, cbEnt), cbKey);
      return { key: r.key, bytes: b };
    });
    for (;;) {
      const per = Math.floor(MAX_HEAP_ITEM / recSize);
      const nodes: Array<{ key: number; hid: number }> = [];
      for (let i = 0; i < level.length; i += per) {
        const part = level.slice(i, i + per);
        const item = new Uint8Array(part.length * recSize);
        part.forEach((p, j) => item.set(p.bytes, j * recSize));
        nodes.push({ key: part[0]!.key, hid: heap.alloc(item) });
      }
      if (nodes.length === 1) {
        hidRoot = nodes[0]!.hid;
        break;
      }
      levels++;
      recSize = cbKey + 4;
      level = nodes.map((n) => {
        const b = new Uint8Array(cbKey + 4);
        b.set(keyBytes(n.key), 0);
        new Bytes(b).u32(cbKey, n.hid);
        return { key: n.key, bytes: b };
      });
    }
  }
  const w = new Bytes(hdr);
  w.u8at(0, 0xb5);
  w.u8at(1, cbKey);
  w.u8at(2, cbEnt);
  w.u8at(3, levels);
  w.u32(4, hidRoot);
  return hidHdr;
}

// ---------------------------------------------------------------------------------------------
// Property values

export const PT = {
  SHORT: 0x0002,
  LONG: 0x0003,
  FLOAT: 0x0004,
  DOUBLE: 0x0005,
  ERROR: 0x000a,
  BOOLEAN: 0x000b,
  OBJECT: 0x000d,
  I8: 0x0014,
  STRING8: 0x001e,
  UNICODE: 0x001f,
  SYSTIME: 0x0040,
  CLSID: 0x0048,
  BINARY: 0x0102,
  MV_LONG: 0x1003,
  MV_STRING8: 0x101e,
  MV_UNICODE: 0x101f,
  MV_BINARY: 0x1102,
} as const;

/** A property ready for the PC/TC writers: tag type, and either an inline 32-bit value or bytes. */
export interface RawProp {
  id: number;
  type: number;
  /** Inline value for SHORT/LONG/FLOAT/ERROR/BOOLEAN. */
  inline?: number;
  /** Value bytes for everything else (or a pre-written subnode reference for PT_OBJECT). */
  bytes?: Uint8Array;
  /** For big values that are streamed: a subnode already written in the owner's scope. */
  subnodeNid?: number;
}

const INLINE_TYPES = new Set<number>([PT.SHORT, PT.LONG, PT.FLOAT, PT.ERROR, PT.BOOLEAN]);

export function isInline(type: number) {
  return INLINE_TYPES.has(type);
}

/** Store a variable value in the heap or, when large, as a subnode of `scope`. Returns the HNID. */
export function storeValue(heap: Heap, scope: NodeScope, bytes: Uint8Array): number {
  if (bytes.length <= MAX_HEAP_ITEM) return heap.alloc(bytes);
  const nid = scope.ltpNid();
  scope.add(nid, scope.ndb.writeBytes(bytes), 0);
  return nid;
}

/**
 * Property context ([MS-PST] 2.3.3): heap with a BTH keyed by property id (cbKey 2, cbEnt 6).
 * Returns the heap ready to be written as the node's data.
 */
export function buildPc(g: Geometry, scope: NodeScope, props: RawProp[]): Heap {
  const heap = new Heap(g, 0xbc);
  const hdr = new Uint8Array(8);
  heap.userRoot = heap.alloc(hdr);
  const seen = new Set<number>();
  const records = props.map((p) => {
    if (seen.has(p.id)) throw new Error(`pstgen: duplicate property 0x${p.id.toString(16)}`);
    seen.add(p.id);
    const d = new Uint8Array(6);
    const w = new Bytes(d);
    w.u16(0, p.type);
    let v: number;
    if (p.subnodeNid !== undefined) v = p.subnodeNid;
    else if (isInline(p.type)) v = p.inline ?? 0;
    else v = storeValue(heap, scope, p.bytes ?? new Uint8Array(0));
    w.u32(2, v);
    return { key: p.id, data: d };
  });
  writeBth(heap, 2, 6, records, hdr);
  return heap;
}

/** Cell size in a TC row for a property type ([MS-PST] 2.3.4.2). */
function cellSize(type: number): number {
  switch (type) {
    case PT.SHORT:
      return 2;
    case PT.BOOLEAN:
      return 1;
    case PT.LONG:
    case PT.FLOAT:
    case PT.ERROR:
      return 4;
    case PT.DOUBLE:
    case PT.I8:
    case PT.SYSTIME:
      return 8;
    default:
      return 4; // HNID
  }
}

export interface TcColumn {
  id: number;
  type: number;
}

export interface TcRow {
  rowId: number;
  /** Values by property id; missing ids have a clear cell-existence bit. */
  values: Map<number, RawProp>;
}

/**
 * Table context ([MS-PST] 2.3.4): TCINFO, row index BTH (dwRowID → dwRowIndex) and the row matrix
 * with cell-existence bitmaps, in the heap or, when larger than a heap item, in a subnode whose
 * blocks each hold whole rows.
 */
export function buildTc(g: Geometry, scope: NodeScope, columns: TcColumn[], rows: TcRow[]): Heap {
  const heap = new Heap(g, 0x7c);
  const cols: TcColumn[] = [{ id: 0x67f2, type: PT.LONG }, { id: 0x67f3, type: PT.LONG }];
  for (const c of columns) if (c.id !== 0x67f2 && c.id !== 0x67f3) cols.push(c);
  // layout: row id, row ver, then 8-byte, 4-byte, 2-byte, 1-byte cells, then the CEB
  const rest = cols.slice(2);
  const bySize = (n: number) => rest.filter((c) => cellSize(c.type) === n);
  const ordered = [...cols.slice(0, 2), ...bySize(8), ...bySize(4), ...bySize(2), ...bySize(1)];
  const layout = new Map<number, { ib: number; cb: number; bit: number; type: number }>();
  let o = 0;
  const ends = [0, 0, 0];
  ordered.forEach((c, i) => {
    const cb = cellSize(c.type);
    layout.set(c.id, { ib: o, cb, bit: i, type: c.type });
    o += cb;
    if (cb >= 4) ends[0] = o;
    if (cb >= 2) ends[1] = o;
    ends[2] = o;
  });
  const ceb = Math.ceil(ordered.length / 8);
  const rowSize = o + ceb;
  const tcinfo = new Uint8Array(22 + 8 * ordered.length);
  heap.userRoot = heap.alloc(tcinfo);
  // rows
  const matrix = new Uint8Array(rowSize * rows.length);
  rows.forEach((r, ri) => {
    const base = ri * rowSize;
    const w = new Bytes(matrix.subarray(base, base + rowSize));
    const setBit = (bit: number) => {
      matrix[base + ends[2]! + (bit >> 3)]! |= 0x80 >>> (bit & 7);
    };
    w.u32(0, r.rowId);
    setBit(0);
    w.u32(4, 0);
    setBit(1);
    for (const [id, p] of r.values) {
      const l = layout.get(id);
      if (!l || id === 0x67f2 || id === 0x67f3) continue;
      if (isInline(l.type)) {
        const v = p.inline ?? 0;
        if (l.cb === 4) w.u32(l.ib, v);
        else if (l.cb === 2) w.u16(l.ib, v);
        else w.u8at(l.ib, v);
      } else if (l.cb === 8 && p.bytes && p.bytes.length === 8) {
        matrix.set(p.bytes, base + l.ib);
      } else {
        const v = p.subnodeNid ?? storeValue(heap, scope, p.bytes ?? new Uint8Array(0));
        w.u32(l.ib, v);
      }
      setBit(l.bit);
    }
  });
  // row index
  const idxEnt = g.ansi ? 2 : 4;
  const hidRowIndex = writeBth(
    heap,
    4,
    idxEnt,
    rows.map((r, i) => {
      const d = new Uint8Array(4);
      new Bytes(d).u32(0, i);
      return { key: r.rowId, data: d };
    }),
  );
  let hnidRows = 0;
  if (rows.length > 0) {
    if (matrix.length <= MAX_HEAP_ITEM) hnidRows = heap.alloc(matrix);
    else {
      const perBlock = Math.floor(g.rowBlockMax / rowSize);
      const chunks: Uint8Array[] = [];
      // [MS-PST] 2.3.4.4: rows never straddle blocks; every block but the last is a full
      // block whose tail after the last whole row is padding (readers index by block size).
      for (let i = 0; i < rows.length; i += perBlock) {
        const part = matrix.subarray(i * rowSize, Math.min(rows.length, i + perBlock) * rowSize);
        if (i + perBlock >= rows.length) chunks.push(part);
        else {
          const full = new Uint8Array(g.rowBlockMax);
          full.set(part);
          chunks.push(full);
        }
      }
      hnidRows = scope.ltpNid();
      scope.add(hnidRows, scope.ndb.writeStream(chunks), 0);
    }
  }
  const w = new Bytes(tcinfo);
  w.u8at(0, 0x7c);
  w.u8at(1, ordered.length);
  w.u16(2, ends[0]!);
  w.u16(4, ends[1]!);
  w.u16(6, ends[2]!);
  w.u16(8, rowSize);
  w.u32(10, hidRowIndex);
  w.u32(14, hnidRows);
  w.u32(18, 0);
  // TCOLDESCs sorted by tag
  const sortedCols = [...ordered].sort((a, b) => a.id - b.id || a.type - b.type);
  sortedCols.forEach((c, i) => {
    const l = layout.get(c.id)!;
    const at = 22 + 8 * i;
    w.u32(at, ((c.id << 16) | c.type) >>> 0);
    w.u16(at + 4, l.ib);
    w.u8at(at + 6, l.cb);
    w.u8at(at + 7, l.bit);
  });
  return heap;
}
