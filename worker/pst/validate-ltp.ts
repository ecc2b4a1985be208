/**
 * The validator's LTP checks ([MS-PST] 2.3) as synchronous code over block bytes in hand: every
 * node's heap-on-node (HNHDR, HNPAGEMAP), BTH headers and records, property contexts, table
 * contexts (TCINFO, row index, row matrix bounds, cells) and subnode trees, and per message its
 * recipient and attachment tables, attachment PCs and embedded messages.
 *
 * Why synchronous: a message costs no promise per block, property, row or cell, and the driver
 * is free to read the file in one sequential pass. Blocks come from an LtpSource that answers
 * from the file runs in hand; when a block is not there it throws MISS, the driver reads it and
 * runs the node's checks again from the start (findings are de-duplicated by the Reporter, so a
 * repeated check reports nothing twice; past the Reporter's de-duplication limit of a million
 * distinct findings a repeated one would be counted again).
 *
 * The checks, findings (code, NID, offset, field) and the order within a node are those of the
 * reader's own layers in shallow mode (ltp/heap.ts, ltp/bth.ts, ltp/node.ts, pc.ts checkPc,
 * tc.ts checkRows, ndb/blocks.ts dataTree/subnodes/readMany), which validate-layers.ts runs where
 * this fast path does not apply: values stored in subnodes are checked for presence, not read.
 * test/validate-fast.test.ts holds the two to the same findings.
 */
import { type Reporter, hex } from './codes.ts';
import { CLIENT_PC, CLIENT_TC, HN_SIG } from './ltp/heap.ts';
import { inRowSize, isInlinePcType } from './ltp/values.ts';
import { MAX_EMBED_DEPTH, NID_ATTACHMENT_TABLE, NID_RECIPIENT_TABLE, isEmbeddedMethod } from './messaging/pst-file.ts';
import { isInternal, type SubnodeEntry } from './ndb/blocks.ts';
import { PAGED_MIN } from './ltp/node.ts';
import { le16 as u16, le32 as u32, leId as readId, type Layout } from './ndb/header.ts';

const EMPTY = new Uint8Array(0);

/** Thrown by an LtpSource for a block it does not hold in memory (the driver reads it, then retries). */
export const MISS: unique symbol = Symbol('validate-ltp: block not in memory');

/**
 * Thrown by checkNode for a folder table whose heap spans more than PAGED_MIN blocks (a folder of
 * some thousands of messages): the driver checks it through the reader's layers instead, which
 * page such a heap (LtpNode.openPaged) rather than hold every block of it at once.
 */
export const PAGED: unique symbol = Symbol('validate-ltp: heap to be paged');

/** Where the checks get blocks, synchronously. Both may throw MISS. */
export interface LtpSource {
  /** Decoded bytes of block `bid` for node `nid` (null: unreadable, findings made). */
  block(bid: number, nid: number): Uint8Array | null;
  /**
   * The leaf blocks of a data tree about to be read one by one (a heap over several blocks, a
   * row matrix): a hint that lets the driver fetch them together after a MISS.
   */
  want?(bids: readonly number[]): void;
  /** Size of block `bid` from the BBT (cbInflated for 4K), or -1 when absent (finding made). */
  size(bid: number, nid: number): number;
}


/** One node or subnode with its heap ([MS-PST] 2.3.1) and its subnode map, read on first use. */
/** A table's columns (5 numbers each, at most 255) and row index, reused from table to table. */
class TcScratch {
  readonly cols = new Int32Array(255 * 5);
  ids = new Uint32Array(64);
  idx = new Uint32Array(64);
  row(i: number, id: number, index: number): void {
    if (i >= this.ids.length) {
      const ids = new Uint32Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const idx = new Uint32Array(this.idx.length * 2);
      idx.set(this.idx);
      this.idx = idx;
    }
    this.ids[i] = id;
    this.idx[i] = index;
  }
}

class Node {
  sub: Map<number, SubnodeEntry> | undefined;
  constructor(
    readonly nid: number,
    readonly heap: Hn,
    readonly bidSub: number,
    readonly outer: Node | undefined,
  ) {}
}

/** What checkPc learns from an attachment PC ([MS-PST] 2.4.6.2). */
interface Probe {
  objectNid?: number;
  attachMethod?: number;
  /** Record number PidTagAttachDataObject was taken from (-1: none yet). */
  objAt: number;
}

/** The checks of one NBT node at a time (checkNode), over blocks from `src`. */
export class LtpChecker {
  /** Scratch BTHHEADER (one header is in use at a time). */
  private readonly bth: BthHeader = { cbKey: 0, cbEnt: 0, levels: 0, hidRoot: 0 };
  /** Largest heap assembled from a data tree (Blocks.maxStream). */
  maxStream = 512 * 1024 * 1024;
  /** checkTable's scratch by nesting level, and the level in use. */
  private readonly tcScratch: TcScratch[] = [];
  private tcDepth = 0;

  constructor(
    readonly rep: Reporter,
    readonly L: Layout,
    public src: LtpSource,
  ) {}

  private block(bid: number, nid: number): Uint8Array | null {
    return this.src.block(bid, nid);
  }

  /**
   * The checks of one NBT node by its type ([MS-PST] 2.4.1 NID_TYPE): messages with everything
   * below them, folder and store PCs, and the folder tables.
   */
  checkNode(nid: number, bidData: number, bidSub: number): void {
    const rep = this.rep;
    const t = nid & 0x1f;
    if (t === 0x04 || t === 0x08) {
      const node = this.open(nid, bidData, bidSub, undefined);
      if (!node) rep.report('PST-MESSAGE', { nid, message: `Message ${hex(nid)} has no readable heap.` });
      else this.checkMessage(node, 0);
    } else if (t === 0x02 || t === 0x03 || nid === 0x21 || nid === 0x61) {
      const node = this.open(nid, bidData, bidSub, undefined);
      if (node) {
        const p = this.pcSync(node, undefined);
        if (typeof p !== 'boolean') this.pcPending(node, p, undefined);
      } else rep.report('PST-FOLDER', { nid, message: `Object ${hex(nid)} has no readable heap.` });
    } else if (t === 0x0d || t === 0x0e || t === 0x0f || t === 0x10) {
      const node = this.open(nid, bidData, bidSub, undefined, PAGED_MIN);
      // Search contents tables may use the undocumented 0xAC table variant: not checked.
      if (node && !(t === 0x10 && node.heap.clientSig === 0xac)) this.checkTable(node);
    }
  }

  /** Whether checkNode does anything for this NID (others are only counted). */
  static checks(nid: number): boolean {
    const t = nid & 0x1f;
    return t === 0x04 || t === 0x08 || t === 0x02 || t === 0x03 || nid === 0x21 || nid === 0x61 || t === 0x0d || t === 0x0e || t === 0x0f || t === 0x10;
  }

  // --- NDB: data trees and subnode trees ([MS-PST] 2.2.2.8.3) ---

  /** Leaf BIDs of a data tree and the lcbTotal its root claims (XBLOCK/XXBLOCK, 2.2.2.8.3.2). */
  private dataTree(bid: number, nid: number): { bids: number[]; total: number | undefined } | null {
    if (!isInternal(bid)) return { bids: [bid], total: undefined };
    const out: number[] = [];
    const seen = new Set<number>();
    const box: { total: number | undefined } = { total: undefined };
    const ok = this.xwalk(bid, 0, nid, seen, out, box);
    return ok ? { bids: out, total: box.total } : null;
  }

  private xwalk(b: number, depth: number, nid: number, seen: Set<number>, out: number[], box: { total: number | undefined }): boolean {
    const rep = this.rep;
    if (seen.has(b) || depth > 2) {
      rep.report('PST-DATATREE-CYCLE', { nid, field: 'XBLOCK.rgbid', message: `Block ${hex(b)}.` });
      return false;
    }
    seen.add(b);
    const x = this.block(b, nid);
    if (!x) return false;
    if (x.length < 8 || x[0] !== 0x01 || (x[1] !== 1 && x[1] !== 2)) {
      rep.report('PST-BLOCK-TYPE', { nid, field: x[0] !== 0x01 ? 'XBLOCK.btype' : 'XBLOCK.cLevel', message: `Block ${hex(b)}.` });
      return false;
    }
    const level = x[1]!;
    const cEnt = u16(x, 2);
    if (depth === 0) box.total = u32(x, 4);
    const id = this.L.idSize;
    const n = Math.min(cEnt, Math.floor((x.length - 8) / id));
    if (n < cEnt) rep.report('PST-BLOCK-TYPE', { nid, field: 'XBLOCK.cEnt', message: `Block ${hex(b)} lists ${cEnt} entries but holds ${n}.` });
    for (let i = 0; i < n; i++) {
      const child = readId(x, 8 + i * id, id);
      if (level === 2) {
        if (!(this.xwalk(child, depth + 1, nid, seen, out, box))) return false;
      } else {
        if (isInternal(child)) {
          rep.report('PST-BLOCK-TYPE', { nid, field: 'XBLOCK.rgbid', message: `XBLOCK ${hex(b)} lists an internal block ${hex(child)}.` });
          return false;
        }
        out.push(child);
      }
    }
    return true;
  }

  /** Every leaf block of a data tree, in order (readTree); null entries are unreadable blocks. */
  private readTree(bid: number, nid: number, pagedAbove = Infinity): (Uint8Array | null)[] | null {
    const t = this.dataTree(bid, nid);
    if (!t) return null;
    if (t.bids.length > pagedAbove) throw PAGED;
    const bids = t.bids;
    if (bids.length === 1) {
      const d = this.block(bids[0]!, nid);
      if (t.total !== undefined && d && t.total !== d.length) this.reportTotal(nid, t.total, d.length);
      return [d];
    }
    // BBT lookups first, with the size cap of one assembled stream (Blocks.readMany).
    this.src.want?.(bids);
    const sizes: number[] = [];
    let total = 0;
    for (const b of bids) {
      const s = this.src.size(b, nid);
      sizes.push(s);
      if (s >= 0) total += s;
      if (total > this.maxStream) {
        this.rep.report('PST-UNSUPPORTED', { nid, message: `A stream is larger than ${this.maxStream} bytes; it is cut there.` });
        sizes.pop();
        break;
      }
    }
    const parts: (Uint8Array | null)[] = [];
    let ok = true;
    let len = 0;
    for (let i = 0; i < sizes.length; i++) {
      const d = sizes[i]! < 0 ? null : this.block(bids[i]!, nid);
      if (!d) ok = false;
      else len += d.length;
      parts.push(d);
    }
    if (t.total !== undefined && ok && parts.length === bids.length && t.total !== len) this.reportTotal(nid, t.total, len);
    return parts;
  }

  private reportTotal(nid: number, total: number, len: number): void {
    this.rep.report('PST-DATATREE-TOTAL', { nid, field: 'XBLOCK.lcbTotal', message: `Tree claims ${total} bytes, blocks hold ${len}.` });
  }

  /** The subnode tree at `bidSub` as a map NID → entry (SLBLOCK/SIBLOCK, 2.2.2.8.3.3). */
  private subnodes(bidSub: number, nid: number): Map<number, SubnodeEntry> {
    const map = new Map<number, SubnodeEntry>();
    if (bidSub) this.swalk(bidSub, 0, nid, new Set<number>(), map);
    return map;
  }

  private swalk(b: number, depth: number, nid: number, seen: Set<number>, map: Map<number, SubnodeEntry>): void {
    const rep = this.rep;
    if (seen.has(b) || depth > 8) {
      rep.report('PST-DATATREE-CYCLE', { nid, field: 'SIENTRY.bid', message: `Block ${hex(b)}.` });
      return;
    }
    seen.add(b);
    const x = this.src.block(b, nid);
    if (!x) return;
    if (x.length < 4 || x[0] !== 0x02 || x[1]! > 1) {
      rep.report('PST-BLOCK-TYPE', { nid, field: x[0] !== 0x02 ? 'SLBLOCK.btype' : 'SLBLOCK.cLevel', message: `Block ${hex(b)}.` });
      return;
    }
    const id = this.L.idSize;
    const cEnt = u16(x, 2);
    const head = id === 8 ? 8 : 4;
    const size = x[1] === 0 ? 3 * id : 2 * id;
    const n = Math.min(cEnt, Math.floor((x.length - head) / size));
    if (n < cEnt) rep.report('PST-BLOCK-TYPE', { nid, field: 'SLBLOCK.cEnt', message: `Block ${hex(b)} lists ${cEnt} entries but holds ${n}.` });
    for (let i = 0; i < n; i++) {
      const at = head + i * size;
      const child = u32(x, at);
      if (x[1] === 0) map.set(child, { nid: child, bidData: readId(x, at + id, id), bidSub: readId(x, at + 2 * id, id) });
      else this.swalk(readId(x, at + id, id), depth + 1, nid, seen, map);
    }
  }

  // --- LTP nodes ([MS-PST] 2.3.1, 2.3.3.2) ---

  /**
   * A node's heap; null (with findings) when its data tree or HNHDR is unusable. Throws PAGED
   * when the data tree has more than `pagedAbove` blocks.
   */
  private open(nid: number, bidData: number, bidSub: number, outer: Node | undefined, pagedAbove = Infinity): Node | null {
    if (!bidData) return null;
    let pages: (Uint8Array | null)[] | null;
    if (isInternal(bidData)) pages = this.readTree(bidData, nid, pagedAbove);
    else pages = [this.src.block(bidData, nid)];
    const heap = Hn.open(pages, this.L.hidBlockShift, this.rep, nid);
    return heap ? new Node(nid, heap, bidSub, outer) : null;
  }

  /** A subnode's entry: the node's own subnode tree first, then the enclosing nodes'. */
  private subnode(node: Node, nid: number): SubnodeEntry | undefined {
    for (let n: Node | undefined = node; n; n = n.outer) {
      n.sub ??= this.subnodes(n.bidSub, n.nid);
      const e = n.sub.get(nid);
      if (e) return e;
    }
    return undefined;
  }

  /** subnode() when every map on the way is read: the entry, null when absent, undefined when a map must be read. */
  private subnodeSync(node: Node, nid: number): SubnodeEntry | null | undefined {
    for (let n: Node | undefined = node; n; n = n.outer) {
      if (!n.sub) return undefined;
      const e = n.sub.get(nid);
      if (e) return e;
    }
    return null;
  }

  private openSubnode(node: Node, nid: number): Node | null {
    const e = this.subnodeSync(node, nid) ?? (this.subnode(node, nid));
    return e ? this.open(nid, e.bidData, e.bidSub, node) : null;
  }

  /** An HNID's bytes ([MS-PST] 2.3.3.2): a heap item, or (not read) a subnode that must exist. */
  private hnid(node: Node, hnid: number, pcId: number): Uint8Array | null {
    if (hnid === 0) return EMPTY;
    if ((hnid & 0x1f) === 0) return node.heap.get(hnid);
    const e = this.subnodeSync(node, hnid) ?? (this.subnode(node, hnid));
    if (!e) {
      // The field names the PC property (pcId), or a TC cell (pcId < 0).
      const field = pcId < 0 ? 'TC cell HNID' : `PC[${hex(pcId)}].dwValueHnid`;
      this.rep.report('PST-SUBNODE-MISSING', { nid: node.nid, field, message: `Subnode ${hex(hnid)}.` });
      return null;
    }
    return EMPTY;
  }

  // --- Property context ([MS-PST] 2.3.3) ---

  /**
   * The checks and result of ltp/pc.ts checkPc (false where readPc returns null), without a
   * generator unless a value lives in a subnode: those come back as (record, id, type, hnid)
   * quadruples for pcPending.
   */
  private pcSync(node: Node, probe: Probe | undefined): boolean | number[] {
    const rep = this.rep;
    const nid = node.nid;
    const heap = node.heap;
    if (heap.clientSig !== CLIENT_PC) {
      rep.report('PST-HN-CLIENT', { nid, field: 'HNHDR.bClientSig', message: `Expected a property context (0xBC), found ${hex(heap.clientSig)}.` });
      return false;
    }
    const header = bthHeader(heap, heap.hidUserRoot, rep, nid, this.bth);
    if (!header) return false;
    if (header.cbKey !== 2 || header.cbEnt !== 6) {
      bthWalk(heap, header, rep, nid, () => {});
      rep.report('PST-BTH-HEADER', { nid, field: 'BTHHEADER.cbKey', message: `PC BTH has cbKey ${header.cbKey}, cbEnt ${header.cbEnt}.` });
      return false;
    }
    let pending: number[] | null = null;
    let rec = 0;
    let methodAt = -1;
    bthWalk(heap, header, rep, nid, (b, at) => {
      const r = rec++;
      const id = u16(b, at);
      const type = u16(b, at + 2);
      if (isInlinePcType(type)) {
        if (probe && id === 0x3705 && type === 0x0003 && methodAt < 0) {
          methodAt = r;
          probe.attachMethod = u32(b, at + 4);
        }
        return;
      }
      const hnid = u32(b, at + 4);
      if (hnid === 0 || (hnid & 0x1f) !== 0) {
        (pending ??= []).push(r, id, type, hnid);
        return;
      }
      if (!heap.has(hnid)) {
        rep.report('PST-PC-VALUE', { nid, field: 'PropertyContext.dwValueHnid', message: `Property ${hex(id)} type ${hex(type)} (HNID ${hex(hnid)}).` });
        return;
      }
      if (probe && id === 0x3701 && type === 0x000d && probe.objAt < 0) {
        probe.objAt = r;
        heap.find(hnid, true);
        if (heap.e - heap.s >= 4) probe.objectNid = u32(heap.pg, heap.s);
      }
    });
    return pending ?? true;
  }

  /** pcSync's values in subnodes, in record order: each subnode must exist. */
  private pcPending(node: Node, p: number[], probe: Probe | undefined): void {
    for (let i = 0; i < p.length; i += 4) {
      const r = p[i]!;
      const id = p[i + 1]!;
      const type = p[i + 2]!;
      const hnid = p[i + 3]!;
      const bytes = this.hnid(node, hnid, id);
      if (!bytes) {
        this.rep.report('PST-PC-VALUE', { nid: node.nid, field: 'PropertyContext.dwValueHnid', message: `Property ${hex(id)} type ${hex(type)} (HNID ${hex(hnid)}).` });
        continue;
      }
      if (probe && id === 0x3701 && type === 0x000d && (probe.objAt < 0 || r < probe.objAt)) {
        probe.objAt = r;
        probe.objectNid = bytes.length >= 4 ? u32(bytes, 0) : undefined;
      }
    }
  }

  // --- Table context ([MS-PST] 2.3.4) ---

  /**
   * TCINFO, TCOLDESCs and the row index (Table.open), then every indexed row against the row
   * matrix and every present cell (Table.checkRows); `visit` gets each row's dwRowID in order.
   * False when TCINFO is unusable (Table.open's null).
   */
  private checkTable(node: Node, visit?: (rowId: number) => void): boolean {
    // Scratch per nesting level: a row visit may check an embedded message's tables.
    const depth = this.tcDepth++;
    try {
      return this.checkTableAt(node, visit, (this.tcScratch[depth] ??= new TcScratch()));
    } finally {
      this.tcDepth--;
    }
  }

  private checkTableAt(node: Node, visit: ((rowId: number) => void) | undefined, sc: TcScratch): boolean {
    const rep = this.rep;
    const nid = node.nid;
    const heap = node.heap;
    if (heap.clientSig !== CLIENT_TC) {
      rep.report('PST-HN-CLIENT', { nid, field: 'HNHDR.bClientSig', message: `Expected a table context (0x7C), found ${hex(heap.clientSig)}.` });
      return false;
    }
    const info = heap.get(heap.hidUserRoot);
    if (!info || info.length < 22 || info[0] !== 0x7c) {
      rep.report('PST-TC-INFO', { nid, field: 'TCINFO.bType' });
      return false;
    }
    const cCols = info[1]!;
    const bitmapAt = u16(info, 6);
    const rowSize = u16(info, 8);
    const hidRowIndex = u32(info, 10);
    const hnidRows = u32(info, 14);
    if (info.length < 22 + cCols * 8 || bitmapAt > rowSize) {
      rep.report('PST-TC-INFO', { nid, field: info.length < 22 + cCols * 8 ? 'TCINFO.cCols' : 'TCINFO.rgib' });
      return false;
    }
    // Columns as (property id, type, ibData, cbData, iBit) quintuples in the level's scratch.
    const cols = sc.cols;
    let nc = 0;
    for (let i = 0; i < cCols; i++) {
      const at = 22 + i * 8;
      const tag = u32(info, at);
      const ibData = u16(info, at + 4);
      const cbData = info[at + 6]!;
      const iBit = info[at + 7]!;
      if (ibData + cbData > rowSize || bitmapAt + (iBit >> 3) >= rowSize + 1) {
        rep.report('PST-TC-INFO', { nid, field: 'TCOLDESC.ibData', message: `Column ${hex(tag)} lies outside the ${rowSize}-byte row.` });
        continue;
      }
      cols[nc++] = tag >>> 16;
      cols[nc++] = tag & 0xffff;
      cols[nc++] = ibData;
      cols[nc++] = cbData;
      cols[nc++] = iBit;
    }
    // Row index: (dwRowID, dwRowIndex) pairs in the level's scratch, sorted by dwRowIndex.
    let n = 0;
    if (hidRowIndex !== 0) {
      const h = bthHeader(heap, hidRowIndex, rep, nid, this.bth);
      if (h) {
        const wide = h.cbEnt >= 4 && !this.L.ansi;
        let rows = 0;
        bthWalk(heap, h, rep, nid, (b, at) => sc.row(rows++, u32(b, at), wide ? u32(b, at + 4) : u16(b, at + 4)));
        if (h.cbKey !== 4 || (h.cbEnt !== 4 && h.cbEnt !== 2)) {
          rep.report('PST-BTH-HEADER', { nid, field: 'TCINFO.hidRowIndex', message: `Row index BTH has cbKey ${h.cbKey}, cbEnt ${h.cbEnt}.` });
        } else n = rows;
      }
    }
    const ids = sc.ids;
    const idx = sc.idx;
    if (n === 0 || rowSize === 0) return true;
    let order: number[] | null = null;
    for (let i = 1; i < n; i++) {
      if (idx[i]! < idx[i - 1]!) {
        // Stable sort by row index (Array.prototype.sort is stable, as Table.open's is).
        order = Array.from({ length: n }, (_, k) => k).sort((a, b) => sc.idx[a]! - sc.idx[b]!);
        break;
      }
    }
    if (hnidRows === 0) {
      rep.report('PST-TC-ROW', { nid, field: 'TCINFO.hnidRows', message: `${n} rows indexed but no row matrix.` });
      return true;
    }
    // The row matrix: one heap item, or a subnode whose blocks each hold whole rows (2.3.4.4).
    let pageBids: number[] | null = null;
    let cur: Uint8Array | null = null;
    if ((hnidRows & 0x1f) === 0) {
      cur = heap.get(hnidRows);
      if (!cur) return true;
    } else {
      const e = this.subnode(node, hnidRows);
      if (!e) {
        rep.report('PST-SUBNODE-MISSING', { nid, field: 'TCINFO.hnidRows', message: `Row matrix subnode ${hex(hnidRows)}.` });
        return true;
      }
      const t = this.dataTree(e.bidData, nid);
      if (!t) return true;
      pageBids = t.bids;
      this.src.want?.(pageBids);
    }
    const maxRows = Math.floor(this.L.maxBlockData / rowSize);
    let curRows = cur ? Math.floor(cur.length / rowSize) : 0;
    if (pageBids) {
      cur = pageBids.length ? this.block(pageBids[0]!, nid) : null;
      curRows = cur ? Math.floor(cur.length / rowSize) : maxRows;
    }
    let page = 0;
    let pageStart = 0;
    let lastIndex = -1;
    for (let k = 0; k < n; k++) {
      const i = order ? order[k]! : k;
      const rowId = ids[i]!;
      const rowIndex = idx[i]!;
      if (rowIndex === lastIndex) {
        rep.report('PST-TC-ROW', { nid, field: 'TCROWID.dwRowIndex', message: `Row index ${rowIndex} is used twice.` });
        continue;
      }
      lastIndex = rowIndex;
      while (rowIndex >= pageStart + curRows) {
        if (!pageBids || page + 1 >= pageBids.length) {
          rep.report('PST-TC-ROW', { nid, field: 'TCROWID.dwRowIndex', message: `Row ${hex(rowId)} at index ${rowIndex} lies beyond the row matrix.` });
          return true;
        }
        pageStart += curRows;
        page++;
        cur = this.block(pageBids[page]!, nid);
        curRows = cur ? Math.floor(cur.length / rowSize) : maxRows;
      }
      if (!cur) continue;
      const at = (rowIndex - pageStart) * rowSize;
      const later = this.cellsSync(node, sc.cols, nc, bitmapAt, cur, at, Math.min(rowSize, cur.length - at), rowId);
      if (later) this.cellsPending(node, later, rowId);
      if (visit) visit(rowId);
    }
    return true;
  }

  /**
   * The present cells of one row (row = page[at, at + rowLen)): fixed sizes and heap HNIDs.
   * Cells whose HNID names a subnode come back as (property id, hnid) pairs for cellsPending.
   */
  private cellsSync(node: Node, cols: Int32Array, nc: number, bitmapAt: number, page: Uint8Array, at: number, rowLen: number, rowId: number): number[] | undefined {
    const rep = this.rep;
    const nid = node.nid;
    const heap = node.heap;
    let later: number[] | undefined;
    for (let c = 0; c < nc; c += 5) {
      const id = cols[c]!;
      const type = cols[c + 1]!;
      const ibData = cols[c + 2]!;
      const cbData = cols[c + 3]!;
      const iBit = cols[c + 4]!;
      const bi = bitmapAt + (iBit >> 3);
      if (bi >= rowLen || (page[at + bi]! & (0x80 >> (iBit & 7))) === 0) continue;
      const cellLen = Math.max(0, Math.min(cbData, rowLen - ibData));
      const size = inRowSize(type);
      if (size > 0) {
        if (cellLen < size) rep.report('PST-TC-CELL', { nid, field: 'TCOLDESC.cbData', message: `Row ${hex(rowId)} column ${hex(id)} type ${hex(type)} cbData ${cbData}.` });
        continue;
      }
      if (cellLen < 4) continue;
      const hnid = u32(page, at + ibData);
      if (hnid === 0) continue;
      if ((hnid & 0x1f) === 0) {
        if (!heap.has(hnid)) rep.report('PST-TC-CELL', { nid, field: 'TC cell HNID', message: `Row ${hex(rowId)} column ${hex(id)} (HNID ${hex(hnid)}).` });
        continue;
      }
      (later ??= []).push(id, hnid);
    }
    return later;
  }

  private cellsPending(node: Node, later: number[], rowId: number): void {
    for (let i = 0; i < later.length; i += 2) {
      const bytes = this.hnid(node, later[i + 1]!, -1);
      if (!bytes) this.rep.report('PST-TC-CELL', { nid: node.nid, field: 'TC cell HNID', message: `Row ${hex(rowId)} column ${hex(later[i]!)} (HNID ${hex(later[i + 1]!)}).` });
    }
  }

  // --- Messages ([MS-PST] 2.4.5, 2.4.6) ---

  /** A message's PC, recipient and attachment tables, attachment PCs, embedded messages. */
  private checkMessage(node: Node, depth: number): void {
    const rep = this.rep;
    const p = this.pcSync(node, undefined);
    if (typeof p !== 'boolean') this.pcPending(node, p, undefined);
    else if (!p) {
      rep.report('PST-MESSAGE', { nid: node.nid, message: `Message ${hex(node.nid)}: its property context is unreadable.` });
      return;
    }
    node.sub ??= this.subnodes(node.bidSub, node.nid);
    const subs = node.sub;
    for (let k = 0; k < 2; k++) {
      const tnid = k === 0 ? NID_RECIPIENT_TABLE : NID_ATTACHMENT_TABLE;
      if (!subs.has(tnid)) continue;
      const tn = this.openSubnode(node, tnid);
      const visit = tnid === NID_ATTACHMENT_TABLE ? (rowId: number) => this.checkAttachment(node, rowId, depth) : undefined;
      if (!tn || !(this.checkTable(tn, visit))) {
        rep.report(tnid === NID_RECIPIENT_TABLE ? 'PST-RECIPIENTS' : 'PST-ATTACHMENT', { nid: node.nid, message: `Message ${hex(node.nid)}: table ${hex(tnid)} is unreadable.` });
      }
    }
  }

  private checkAttachment(node: Node, rowId: number, depth: number): void {
    const rep = this.rep;
    const an = this.openSubnode(node, rowId);
    const probe: Probe = { objAt: -1 };
    let ok = false;
    if (an) {
      const p = this.pcSync(an, probe);
      if (typeof p !== 'boolean') this.pcPending(an, p, probe);
      ok = p !== false;
    }
    if (!an || !ok) {
      rep.report('PST-ATTACHMENT', { nid: node.nid, message: `Attachment ${hex(rowId)} of message ${hex(node.nid)} is unreadable.` });
      return;
    }
    const m = probe.attachMethod;
    if (probe.objectNid !== undefined && isEmbeddedMethod(m)) {
      if (depth >= MAX_EMBED_DEPTH) {
        rep.report('PST-EMBED-DEPTH', { nid: node.nid });
        return;
      }
      const sub = this.openSubnode(an, probe.objectNid);
      if (!sub) rep.report('PST-ATTACHMENT', { nid: node.nid, field: 'PidTagAttachDataObject', message: `Embedded message of attachment ${hex(rowId)} is unreadable.` });
      else this.checkMessage(sub, depth + 1);
    }
  }
}

/**
 * Heap-on-node ([MS-PST] 2.3.1) with the checks and findings of ltp/heap.ts, resolving HIDs to
 * offsets (`find` sets pg, s, e) instead of a view per item: HNHDR, each page's HNPAGEMAP
 * (parsed once, checked in place), HID block/index bounds.
 */
class Hn {
  readonly clientSig: number;
  readonly hidUserRoot: number;
  /** Page 0 (most heaps have no other): offset of rgibAlloc, -1 unusable, -2 not parsed yet. */
  private at0 = -2;
  /** Page 0: cAlloc + 1 entries. */
  private len0 = 0;
  /** Pages 1.. likewise, made on first use. */
  private mapAt: (number | undefined)[] | undefined;
  private mapLen: number[] | undefined;
  /** Result of the last successful find: the page and the item's [s, e). */
  pg: Uint8Array = EMPTY;
  s = 0;
  e = 0;

  private constructor(
    private readonly pages: (Uint8Array | null)[],
    private readonly hidBlockShift: number,
    private readonly rep: Reporter,
    private readonly nid: number,
  ) {
    const b0 = pages[0]!;
    this.clientSig = b0[3]!;
    this.hidUserRoot = u32(b0, 4);
  }

  /** The heap over a node's blocks; null (with PST-HN-SIG) when HNHDR is unusable. */
  static open(pages: (Uint8Array | null)[] | null, hidBlockShift: number, rep: Reporter, nid: number): Hn | null {
    if (!pages || pages.length === 0 || !pages[0]) return null;
    const b0 = pages[0];
    if (b0.length < 12 || b0[2] !== HN_SIG) {
      rep.report('PST-HN-SIG', { nid, field: 'HNHDR.bSig', message: `Found ${hex(b0[2] ?? 0)}.` });
      return null;
    }
    return new Hn(pages, hidBlockShift, rep, nid);
  }

  /** HNPAGEMAP of page i: rgibAlloc offsets within ibHnpm and ascending ([MS-PST] 2.3.1.5). */
  private map(i: number): number {
    const have = i === 0 ? (this.at0 === -2 ? undefined : this.at0) : this.mapAt?.[i];
    if (have !== undefined) return have;
    const b = this.pages[i];
    let at = -1;
    if (b && b.length >= 2) {
      const ib = u16(b, 0);
      if (ib + 4 <= b.length) {
        const cAlloc = u16(b, ib);
        if (ib + 4 + (cAlloc + 1) * 2 <= b.length) {
          at = ib + 4;
          let prev = 0;
          for (let k = 0; k <= cAlloc; k++) {
            const v = u16(b, ib + 4 + k * 2);
            if (v > ib || (k > 0 && v < prev)) at = -1;
            prev = v;
          }
          if (i === 0) this.len0 = cAlloc + 1;
          else (this.mapLen ??= [])[i] = cAlloc + 1;
        }
      }
      if (at < 0) this.rep.report('PST-HN-PAGEMAP', { nid: this.nid, field: 'HNPAGEMAP.rgibAlloc', message: `Heap page ${i}.` });
    }
    if (i === 0) this.at0 = at;
    else (this.mapAt ??= [])[i] = at;
    return at;
  }

  /** Resolve `hid` into pg/s/e; false (with a finding unless quiet) when it points nowhere. */
  find(hid: number, quiet = false): boolean {
    if (hid === 0) return false;
    const index = (hid >>> 5) & ((1 << (this.hidBlockShift - 5)) - 1);
    const block = hid >>> this.hidBlockShift;
    if ((hid & 0x1f) !== 0 || block >= this.pages.length || index === 0) {
      if (!quiet) this.rep.report('PST-HN-HID', { nid: this.nid, field: 'HID', message: `HID ${hex(hid)}.` });
      return false;
    }
    const at = this.map(block);
    if (at < 0 || index >= (block === 0 ? this.len0 : this.mapLen![block]!)) {
      if (!quiet && at >= 0) this.rep.report('PST-HN-HID', { nid: this.nid, field: 'HID.hidIndex', message: `HID ${hex(hid)}.` });
      return false;
    }
    const pg = this.pages[block]!;
    this.pg = pg;
    this.s = u16(pg, at + 2 * (index - 1));
    this.e = u16(pg, at + 2 * index);
    return true;
  }

  has(hid: number, quiet = false): boolean {
    return this.find(hid, quiet);
  }

  /** The bytes of heap item `hid` (a view), or null (with a finding) when it does not resolve. */
  get(hid: number, quiet = false): Uint8Array | null {
    return this.find(hid, quiet) ? this.pg.subarray(this.s, this.e) : null;
  }
}

/** BTHHEADER ([MS-PST] 2.3.2.1). */
interface BthHeader {
  cbKey: number;
  cbEnt: number;
  levels: number;
  hidRoot: number;
}

/** BTHHEADER at `hid` into `out` (ltp/bth.ts bthHeader's checks and findings), or null. */
function bthHeader(heap: Hn, hid: number, rep: Reporter, nid: number, out: BthHeader): BthHeader | null {
  if (!heap.find(hid)) return null;
  const h = heap.pg;
  const s = heap.s;
  const len = heap.e - s;
  const b = (k: number) => (k < len ? h[s + k]! : undefined);
  const cbKey = b(1);
  const cbEnt = b(2)!;
  if (len < 8 || b(0) !== 0xb5 || !(cbKey === 2 || cbKey === 4 || cbKey === 8 || cbKey === 16) || cbEnt < 1 || cbEnt > 32 || b(3)! > 8) {
    rep.report('PST-BTH-HEADER', { nid, field: b(0) !== 0xb5 ? 'BTHHEADER.bType' : 'BTHHEADER.cbKey', message: `At HID ${hex(hid)}.` });
    return null;
  }
  out.cbKey = cbKey;
  out.cbEnt = cbEnt;
  out.levels = h[s + 3]!;
  out.hidRoot = u32(h, s + 4);
  return out;
}

/**
 * Every leaf record of a BTH in stored order (ltp/bth.ts bthWalk's checks and findings): the
 * record's key is at b[at], its data at b[at + cbKey]; `b` is the heap page.
 */
function bthWalk(heap: Hn, header: BthHeader, rep: Reporter, nid: number, visit: (b: Uint8Array, at: number) => void): void {
  if (header.hidRoot === 0) return;
  const cbKey = header.cbKey;
  const cbEnt = header.cbEnt;
  const seen = header.levels > 0 ? new Set<number>() : null;
  const walk = (hid: number, level: number) => {
    if (seen) {
      if (seen.has(hid)) {
        rep.report('PST-BTH-CYCLE', { nid, field: 'IntermediateBTHRecord.hidNextLevel', message: `HID ${hex(hid)}.` });
        return;
      }
      seen.add(hid);
    }
    if (!heap.find(hid)) return;
    const pg = heap.pg;
    const s = heap.s;
    const len = heap.e - s;
    const size = level > 0 ? cbKey + 4 : cbKey + cbEnt;
    if (len % size !== 0) rep.report('PST-BTH-HEADER', { nid, field: level > 0 ? 'IntermediateBTHRecord' : 'LeafBTHRecord', message: `Item of ${len} bytes is not a multiple of ${size}.` });
    const n = Math.floor(len / size);
    for (let i = 0; i < n; i++) {
      const at = s + i * size;
      if (level > 0) walk(u32(pg, at + cbKey), level - 1);
      else visit(pg, at);
    }
  };
  walk(header.hidRoot, header.levels);
}

