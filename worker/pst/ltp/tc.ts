/**
 * Table context ([MS-PST] 2.3.4): TCINFO, the row index BTH (dwRowID → dwRowIndex) and the row
 * matrix, kept in the heap (small tables) or in a subnode whose blocks each hold whole rows.
 * Rows are produced in matrix order one block at a time, so a contents table of any size is
 * streamed; a row or cell that does not resolve is skipped with a finding.
 */
import { type Reporter, hex } from '../codes.ts';
import * as T from '../../mapi/types.ts';
import { bthHeader, bthWalk } from './bth.ts';
import { CLIENT_TC } from './heap.ts';
import type { LtpNode } from './node.ts';
import { type SubnodeEntry, isInternal } from '../ndb/blocks.ts';
import { RawList, type RawProp } from './pc.ts';

const EMPTY = new Uint8Array(0);
import { inRowSize } from './values.ts';
import { le16, le32 } from '../ndb/header.ts';
import { U32Vec } from '../u32vec.ts';

export interface TcColumn {
  id: number;
  type: number;
  ibData: number;
  cbData: number;
  iBit: number;
}

export interface TcListRow {
  rowId: number;
  list: RawList;
}

export interface TcRow {
  rowId: number;
  index: number;
  cells: RawProp[];
}

/** An HNID that names a subnode, not a heap item ([MS-PST] 2.3.3.2: HIDs have hidType 0). */
const isSubnodeNid = (hnid: number): boolean => (hnid & 0x1f) !== 0;

type RowVisit = (row: TcRow) => void | Promise<void>;
type ListVisit = (rowId: number, list: RawList) => void | Promise<void>;

/**
 * The dwRowIndex of each row-index entry ([MS-PST] 2.3.4.3 TCROWID). Row ids mostly come from a
 * counter and rows are appended, so in BTH (row id) order the indexes are nearly always 0, 1, 2,
 * ...: nothing is stored until one is not (a folder of 400k messages saves 2 MiB). Exported for
 * tests.
 */
export class RowIndexes {
  private v: U32Vec | null = null;
  length = 0;

  get identity(): boolean {
    return this.v === null;
  }

  push(x: number): void {
    if (!this.v) {
      if (x === this.length) {
        this.length++;
        return;
      }
      this.v = new U32Vec(Math.max(16, this.length * 2));
      for (let i = 0; i < this.length; i++) this.v.push(i);
    }
    this.v.push(x);
    this.length++;
  }

  at(i: number): number {
    return this.v ? this.v.at(i) : i;
  }

  static of(v: U32Vec): RowIndexes {
    const r = new RowIndexes();
    r.v = v;
    r.length = v.length;
    return r;
  }
}

export class Table {
  private constructor(
    /** @internal (SlotCursor) */
    readonly node: LtpNode,
    /** @internal (SlotCursor) */
    readonly rep: Reporter,
    readonly columns: TcColumn[],
    readonly rowSize: number,
    private readonly bitmapAt: number,
    /** @internal (SlotCursor) TCINFO.hnidRows. */
    readonly hnidRows: number,
    /**
     * The row index ([MS-PST] 2.3.4.3 TCROWID: dwRowID, dwRowIndex) sorted by dwRowIndex, packed in
     * two arrays: a contents table lists a folder's every message, and an object per row held
     * 16 MiB for a folder of 400k.
     * @internal (SlotCursor)
     */
    readonly rowIds: U32Vec,
    /** @internal (SlotCursor) */
    readonly rowIndexes: RowIndexes,
  ) {}

  get rowCount(): number {
    return this.rowIds.length;
  }

  /**
   * This table with only the columns whose property ids are in `ids`: the same rows, in the same
   * order, with the same row checks, but the other columns' cells are neither read (no heap
   * items, no subnodes) nor checked.
   */
  only(ids: readonly number[]): Table {
    return new Table(this.node, this.rep, this.columns.filter((c) => ids.includes(c.id)), this.rowSize, this.bitmapAt, this.hnidRows, this.rowIds, this.rowIndexes);
  }

  /** Open the table in `node`, whose heap must not be paged (see openAny). */
  static open(node: LtpNode, rep: Reporter, ansi: boolean): Table | null {
    const t = Table.openAny(node, rep, ansi);
    if (t instanceof Promise) throw new Error('Table.open on a paged heap: use Table.openAny');
    return t;
  }

  /** open() for any heap: a promise only while pages of a paged heap are read. */
  static openAny(node: LtpNode, rep: Reporter, ansi: boolean): Table | null | Promise<Table | null> {
    const heap = node.heap;
    if (heap.clientSig !== CLIENT_TC) {
      rep.report('PST-HN-CLIENT', { nid: node.nid, field: 'HNHDR.bClientSig', message: `Expected a table context (0x7C), found ${hex(heap.clientSig)}.` });
      return null;
    }
    const wait = heap.ensure(heap.hidUserRoot);
    return wait ? wait.then(() => Table.withInfo(node, rep, ansi)) : Table.withInfo(node, rep, ansi);
  }

  /** TCINFO and the columns; then the row index. */
  private static withInfo(node: LtpNode, rep: Reporter, ansi: boolean): Table | null | Promise<Table | null> {
    const nid = node.nid;
    const heap = node.heap;
    const info = heap.get(heap.hidUserRoot);
    if (!info || info.length < 22 || info[0] !== 0x7c) {
      rep.report('PST-TC-INFO', { nid, field: 'TCINFO.bType' });
      return null;
    }
    const cCols = info[1]!;
    const tci1b = le16(info, 6);
    const rowSize = le16(info, 8);
    const hidRowIndex = le32(info, 10);
    const hnidRows = le32(info, 14);
    if (info.length < 22 + cCols * 8 || tci1b > rowSize) {
      rep.report('PST-TC-INFO', { nid, field: info.length < 22 + cCols * 8 ? 'TCINFO.cCols' : 'TCINFO.rgib' });
      return null;
    }
    let columns = sameLayout(info, cCols);
    if (!columns) columns = parseColumns(info, cCols, rowSize, tci1b, rep, nid);
    // A row's HID cells are made resident together (rowPages): room for a page per such column.
    let hnidColumns = 0;
    for (const c of columns) if (inRowSize(c.type) === 0) hnidColumns++;
    heap.reserve(hnidColumns + 1);
    const t = { node, rep, ansi, columns, rowSize, tci1b, hidRowIndex, hnidRows };
    const wait = hidRowIndex !== 0 ? heap.ensure(hidRowIndex) : undefined;
    return wait ? wait.then(() => Table.withIndex(t)) : Table.withIndex(t);
  }

  /** The row index BTH ([MS-PST] 2.3.4.3), packed and sorted by dwRowIndex. */
  private static withIndex(t: { node: LtpNode; rep: Reporter; ansi: boolean; columns: TcColumn[]; rowSize: number; tci1b: number; hidRowIndex: number; hnidRows: number }): Table | Promise<Table> {
    const { node, rep, hidRowIndex } = t;
    const nid = node.nid;
    const heap = node.heap;
    // 16 entries (64 bytes) stay on the V8 heap: most tables (recipients, attachments) are small.
    const index = { ids: new U32Vec(16), order: new RowIndexes() };
    if (hidRowIndex !== 0) {
      // bthEach, then the shape check (findings in that order), without a record object per row.
      const header = bthHeader(heap, hidRowIndex, rep, nid);
      if (header) {
        const ok = header.cbKey === 4 && (header.cbEnt === 4 || header.cbEnt === 2);
        const wide = header.cbEnt >= 4 && !t.ansi;
        const walked = bthWalk(heap, header, rep, nid, (b, at) => {
          if (!ok) return;
          index.ids.push(le32(b, at));
          index.order.push(wide ? le32(b, at + 4) : le16(b, at + 4));
        });
        const shape = () => {
          if (!ok) rep.report('PST-BTH-HEADER', { nid, field: 'TCINFO.hidRowIndex', message: `Row index BTH has cbKey ${header.cbKey}, cbEnt ${header.cbEnt}.` });
          return Table.sorted(t, index);
        };
        return walked ? walked.then(shape) : shape();
      }
    }
    return Table.sorted(t, index);
  }

  private static sorted(t: { node: LtpNode; rep: Reporter; columns: TcColumn[]; rowSize: number; tci1b: number; hnidRows: number }, index: { ids: U32Vec; order: RowIndexes }): Table {
    let { ids, order } = index;
    const n = ids.length;
    let sorted = true;
    if (!order.identity) for (let i = 1; i < n && sorted; i++) sorted = order.at(i - 1) <= order.at(i);
    if (!sorted) {
      // A stable sort by row index (rows listed twice keep their BTH order for the findings).
      const perm = Array.from({ length: n }, (_, i) => i).sort((x, y) => order.at(x) - order.at(y) || x - y);
      const byIndex = (v: { at(i: number): number }) => U32Vec.of(Uint32Array.from(perm, (i) => v.at(i)));
      ids = byIndex(ids);
      order = RowIndexes.of(byIndex(order));
    }
    return new Table(t.node, t.rep, t.columns, t.rowSize, t.tci1b, t.hnidRows, ids, order);
  }

  /** Rows in matrix order. */
  async *rows(): AsyncGenerator<TcRow> {
    const c = new SlotCursor(this);
    for (;;) {
      const n = c.next();
      const s = n instanceof Promise ? await n : n;
      if (!s) return;
      const row = s.page.subarray(s.at, s.at + this.rowSize);
      const paging = this.rowPages(s.page, s.at, Math.min(this.rowSize, s.page.length - s.at));
      if (paging) await paging;
      if (this.needsSubnodes(row)) {
        const { rowId, rowIndex } = s;
        yield { rowId, index: rowIndex, cells: await this.cells(row, rowId) };
      } else yield { rowId: s.rowId, index: s.rowIndex, cells: this.cellsSync(row, s.rowId) };
    }
  }

  /**
   * rows() as a pull cursor with each row's cells as a RawList (same rows, cells, order and
   * findings): next() gives the next row without a promise while its blocks are cached, so a
   * caller that is itself a generator needs no second generator per row.
   */
  listCursor(): { next(): TcListRow | undefined | Promise<TcListRow | undefined> } {
    const c = new SlotCursor(this);
    return { next: () => this.nextList(c) };
  }

  private nextList(c: SlotCursor): TcListRow | undefined | Promise<TcListRow | undefined> {
    const n = c.next();
    return n instanceof Promise ? this.listLater(n) : n ? this.slotList(n) : undefined;
  }

  private listLater(n: Promise<Slot | undefined>): Promise<TcListRow | undefined> {
    return n.then((s) => (s ? this.slotList(s) : undefined));
  }

  private slotList(s: Slot): TcListRow | Promise<TcListRow> {
    const { rowId, page, at } = s;
    const rowLen = Math.min(this.rowSize, page.length - at);
    const paging = this.rowPages(page, at, rowLen);
    if (paging) return this.slotListLater(paging, rowId, page, at, rowLen);
    if (this.needsSubnodesAt(page, at, rowLen)) return this.cellsLaterRowList(page.subarray(at, at + this.rowSize), rowId);
    return { rowId, list: this.cellsList(page, at, rowLen, rowId) };
  }

  private slotListLater(paging: Promise<void>, rowId: number, page: Uint8Array, at: number, rowLen: number): Promise<TcListRow> {
    return paging.then(() =>
      this.needsSubnodesAt(page, at, rowLen) ? this.cellsLaterRowList(page.subarray(at, at + this.rowSize), rowId) : { rowId, list: this.cellsList(page, at, rowLen, rowId) },
    );
  }

  /**
   * Paged heaps: make the heap pages of the row page[at, at + rowLen)'s HID cells resident;
   * undefined when they are (always, in a heap opened whole).
   */
  private rowPages(page: Uint8Array, at: number, rowLen: number): Promise<void> | undefined {
    const heap = this.node.heap;
    if (!heap.isPaged) return undefined;
    for (let hid = this.firstHnid(page, at, rowLen, heap.missing); hid !== 0; hid = this.firstHnid(page, at, rowLen, heap.missing)) {
      const wait = heap.ensure(hid);
      if (wait) return wait.then(() => this.rowPages(page, at, rowLen));
    }
    return undefined;
  }

  private cellsLaterRowList(row: Uint8Array, rowId: number): Promise<TcListRow> {
    return this.cells(row, rowId).then((cells) => ({ rowId, list: RawList.from(cells) }));
  }

  /**
   * eachRow() with each row's cells as a RawList (no object or view per cell): the message
   * hot path (recipient rows). Same rows, cells, order and findings.
   */
  eachRowList(visit: (rowId: number, list: RawList) => void | Promise<void>): void | Promise<void> {
    return this.eachFrom(new SlotCursor(this), undefined, visit);
  }

  // The walk of eachRow/eachRowList: continuations in their own methods, so the synchronous
  // path allocates no closure context. Exactly one of visitRow/visitList is set.
  private eachFrom(c: SlotCursor, visitRow: RowVisit | undefined, visitList: ListVisit | undefined): void | Promise<void> {
    for (;;) {
      const n = c.next();
      if (n instanceof Promise) return this.eachLater(c, n, visitRow, visitList);
      if (!n) return;
      const r = this.visitOne(n, visitRow, visitList);
      if (r) return this.eachAfter(c, r, visitRow, visitList);
    }
  }

  private eachLater(c: SlotCursor, n: Promise<Slot | undefined>, visitRow: RowVisit | undefined, visitList: ListVisit | undefined): Promise<void> {
    return n.then((s) => {
      if (!s) return;
      const r = this.visitOne(s, visitRow, visitList);
      return r ? this.eachAfter(c, r, visitRow, visitList) : this.eachFrom(c, visitRow, visitList);
    });
  }

  private eachAfter(c: SlotCursor, r: Promise<void>, visitRow: RowVisit | undefined, visitList: ListVisit | undefined): Promise<void> {
    return r.then(() => this.eachFrom(c, visitRow, visitList));
  }

  private cellsLaterList(row: Uint8Array, rowId: number, visit: ListVisit): Promise<void> {
    return this.cells(row, rowId).then((cells) => visit(rowId, RawList.from(cells)));
  }

  private cellsLaterRow(row: Uint8Array, rowId: number, index: number, visit: RowVisit): Promise<void> {
    return this.cells(row, rowId).then((cells) => visit({ rowId, index, cells }));
  }

  /** One row: its cells, then the visit; a promise when either needs one. */
  private visitOne(s: Slot, visitRow: RowVisit | undefined, visitList: ListVisit | undefined): Promise<void> | undefined {
    const { rowId, rowIndex, page, at } = s;
    const rowLen = Math.min(this.rowSize, page.length - at);
    const paging = this.rowPages(page, at, rowLen);
    if (paging) return paging.then(() => this.visitOne({ rowId, rowIndex, page, at }, visitRow, visitList));
    if (visitList) {
      if (this.needsSubnodesAt(page, at, rowLen)) {
        return this.cellsLaterList(page.subarray(at, at + this.rowSize), rowId, visitList);
      }
      return visitList(rowId, this.cellsList(page, at, rowLen, rowId)) ?? undefined;
    }
    const row = page.subarray(at, at + this.rowSize);
    if (this.needsSubnodes(row)) {
      return this.cellsLaterRow(row, rowId, rowIndex, visitRow!);
    }
    return visitRow!({ rowId, index: rowIndex, cells: this.cellsSync(row, rowId) }) ?? undefined;
  }

  /** cellsSync() for the row page[at, at + rowLen) into a RawList (same cells and findings). */
  private cellsList(page: Uint8Array, at: number, rowLen: number, rowId: number): RawList {
    const out = new RawList(this.columns.length);
    const nid = this.node.nid;
    const heap = this.node.heap;
    const bitmapAt = this.bitmapAt;
    for (const c of this.columns) {
      const bi = bitmapAt + (c.iBit >> 3);
      if (bi >= rowLen || (page[at + bi]! & (0x80 >> (c.iBit & 7))) === 0) continue;
      const o = c.ibData;
      const cellLen = Math.max(0, Math.min(c.cbData, rowLen - o));
      const size = inRowSize(c.type);
      if (size > 0) {
        if (cellLen < size) {
          this.rep.report('PST-TC-CELL', { nid, field: 'TCOLDESC.cbData', message: `Row ${hex(rowId)} column ${hex(c.id)} type ${hex(c.type)} cbData ${c.cbData}.` });
          continue;
        }
        out.push(c.id, c.type, page, at + o, at + o + size);
        continue;
      }
      if (cellLen < 4) continue;
      const p = at + o;
      const hnid = le32(page, p);
      if (hnid === 0) {
        out.push(c.id, c.type, EMPTY, 0, 0);
        continue;
      }
      const hp = heap.range(hnid);
      if (!hp) {
        this.rep.report('PST-TC-CELL', { nid, field: 'TC cell HNID', message: `Row ${hex(rowId)} column ${hex(c.id)} (HNID ${hex(hnid)}).` });
        continue;
      }
      if (c.type === T.PT_OBJECT) {
        const own = hp.slice(heap.start, heap.end);
        out.push(c.id, c.type, own, 0, own.length);
      } else out.push(c.id, c.type, hp, heap.start, heap.end);
    }
    return out;
  }

  /** Whether a cell of the row page[at, at + rowLen) holds its value in a subnode. */
  private needsSubnodesAt(page: Uint8Array, at: number, rowLen: number): boolean {
    return this.firstHnid(page, at, rowLen, isSubnodeNid) !== 0;
  }

  /**
   * The first HNID, in column order, of the row page[at, at + rowLen) that `want` accepts, or 0:
   * cells that are present (cell existence bitmap), neither fixed-size up to 8 bytes nor shorter
   * than an HNID, and not 0 ([MS-PST] 2.3.4.4.1).
   */
  private firstHnid(page: Uint8Array, at: number, rowLen: number, want: (hnid: number) => boolean): number {
    for (const c of this.columns) {
      const bi = this.bitmapAt + (c.iBit >> 3);
      if (bi >= rowLen || (page[at + bi]! & (0x80 >> (c.iBit & 7))) === 0) continue;
      if (inRowSize(c.type) > 0) continue;
      const o = c.ibData;
      if (Math.min(c.cbData, rowLen - o) < 4) continue;
      const hnid = le32(page, at + o);
      if (hnid !== 0 && want(hnid)) return hnid;
    }
    return 0;
  }

  /**
   * The checks and findings of a full rows() iteration, without building rows or cells (the
   * validator's hot path); `visit` is called with each row's dwRowID where rows() would yield it.
   */
  async checkRows(visit?: (rowId: number) => Promise<void>): Promise<void> {
    for await (const { rowId, page, at } of this.rowSlots(true)) {
      const rowLen = Math.min(this.rowSize, page.length - at);
      const paging = this.rowPages(page, at, rowLen);
      if (paging) await paging;
      const pending = this.checkCells(page, at, rowLen, rowId);
      if (pending) await pending;
      if (visit) await visit(rowId);
    }
  }

  /**
   * Where each indexed row lies in the row matrix ([MS-PST] 2.3.4.4: whole rows per block, in the
   * heap or in a subnode's data tree), in matrix order, with the matrix checks rows() and
   * checkRows() share (SlotCursor). Rows in an unreadable block are skipped (the block read made
   * the finding). `recycle`: the matrix's blocks are read into one buffer in turn (SlotCursor).
   */
  private async *rowSlots(recycle = false): AsyncGenerator<{ rowId: number; rowIndex: number; page: Uint8Array; at: number }> {
    const c = new SlotCursor(this, recycle);
    for (;;) {
      const n = c.next();
      const s = n instanceof Promise ? await n : n;
      if (!s) return;
      yield { rowId: s.rowId, rowIndex: s.rowIndex, page: s.page, at: s.at };
    }
  }


  /** cells() without the output: row = page[at, at + rowLen). Async only for HNIDs in subnodes. */
  private checkCells(page: Uint8Array, at: number, rowLen: number, rowId: number): Promise<void> | undefined {
    const nid = this.node.nid;
    const heap = this.node.heap;
    let later: TcColumn[] | undefined;
    let laterHnid: number[] | undefined;
    for (const c of this.columns) {
      const bi = this.bitmapAt + (c.iBit >> 3);
      if (bi >= rowLen || (page[at + bi]! & (0x80 >> (c.iBit & 7))) === 0) continue;
      const cellLen = Math.max(0, Math.min(c.cbData, rowLen - c.ibData));
      const size = inRowSize(c.type);
      if (size > 0) {
        if (cellLen < size) this.rep.report('PST-TC-CELL', { nid, field: 'TCOLDESC.cbData', message: `Row ${hex(rowId)} column ${hex(c.id)} type ${hex(c.type)} cbData ${c.cbData}.` });
        continue;
      }
      if (cellLen < 4) continue;
      const o = at + c.ibData;
      const hnid = le32(page, o);
      if (hnid === 0) continue;
      if ((hnid & 0x1f) === 0) {
        if (!heap.has(hnid)) this.rep.report('PST-TC-CELL', { nid, field: 'TC cell HNID', message: `Row ${hex(rowId)} column ${hex(c.id)} (HNID ${hex(hnid)}).` });
        continue;
      }
      (later ??= []).push(c);
      (laterHnid ??= []).push(hnid);
    }
    if (!later) return undefined;
    const cols = later;
    const hnids = laterHnid!;
    return (async () => {
      for (let i = 0; i < cols.length; i++) {
        const bytes = await this.node.hnid(hnids[i]!, 'TC cell HNID');
        if (!bytes) this.rep.report('PST-TC-CELL', { nid, field: 'TC cell HNID', message: `Row ${hex(rowId)} column ${hex(cols[i]!.id)} (HNID ${hex(hnids[i]!)}).` });
      }
    })();
  }

  /** Whether any present cell of `row` is an HNID into a subnode (cells() must then await). */
  private needsSubnodes(row: Uint8Array): boolean {
    return this.needsSubnodesAt(row, 0, row.length);
  }

  /**
   * cells() for a row whose HNIDs are all 0 or heap HIDs (needsSubnodes false): the same output
   * and findings, with no await and no per-cell view (the common case: one call per table row).
   */
  private cellsSync(row: Uint8Array, rowId: number): RawProp[] {
    const out: RawProp[] = [];
    const nid = this.node.nid;
    const heap = this.node.heap;
    for (const c of this.columns) {
      const bitByte = row[this.bitmapAt + (c.iBit >> 3)];
      if (bitByte === undefined || (bitByte & (0x80 >> (c.iBit & 7))) === 0) continue;
      const o = c.ibData;
      const cellLen = Math.max(0, Math.min(c.cbData, row.length - o));
      const size = inRowSize(c.type);
      if (size > 0) {
        if (cellLen < size) {
          this.rep.report('PST-TC-CELL', { nid, field: 'TCOLDESC.cbData', message: `Row ${hex(rowId)} column ${hex(c.id)} type ${hex(c.type)} cbData ${c.cbData}.` });
          continue;
        }
        // A view, not a copy: fixed types up to 8 bytes decode to numbers/bigints.
        out.push({ id: c.id, type: c.type, bytes: row.subarray(o, o + size) });
        continue;
      }
      if (cellLen < 4) continue;
      const hnid = le32(row, o);
      const bytes = hnid === 0 ? new Uint8Array(0) : heap.get(hnid);
      if (!bytes) {
        this.rep.report('PST-TC-CELL', { nid, field: 'TC cell HNID', message: `Row ${hex(rowId)} column ${hex(c.id)} (HNID ${hex(hnid)}).` });
        continue;
      }
      out.push({ id: c.id, type: c.type, bytes: c.type === T.PT_OBJECT ? bytes.slice() : bytes });
    }
    return out;
  }

  private async cells(row: Uint8Array, rowId: number): Promise<RawProp[]> {
    const out: RawProp[] = [];
    const nid = this.node.nid;
    for (const c of this.columns) {
      const bitByte = row[this.bitmapAt + (c.iBit >> 3)];
      if (bitByte === undefined || (bitByte & (0x80 >> (c.iBit & 7))) === 0) continue;
      const cell = row.subarray(c.ibData, c.ibData + c.cbData);
      // Fixed types up to 8 bytes sit in the cell; PtypGuid and variable types are HNIDs ([MS-PST] 2.3.4.4.1).
      const size = inRowSize(c.type);
      if (size > 0) {
        if (cell.length < size) {
          this.rep.report('PST-TC-CELL', { nid, field: 'TCOLDESC.cbData', message: `Row ${hex(rowId)} column ${hex(c.id)} type ${hex(c.type)} cbData ${c.cbData}.` });
          continue;
        }
        out.push({ id: c.id, type: c.type, bytes: cell.slice(0, size) });
        continue;
      }
      if (cell.length < 4) continue;
      const hnid = le32(cell, 0);
      const bytes = await this.node.hnid(hnid, 'TC cell HNID');
      if (!bytes) {
        this.rep.report('PST-TC-CELL', { nid, field: 'TC cell HNID', message: `Row ${hex(rowId)} column ${hex(c.id)} (HNID ${hex(hnid)}).` });
        continue;
      }
      out.push({ id: c.id, type: c.type, bytes: c.type === T.PT_OBJECT ? bytes.slice() : bytes });
    }
    return out;
  }
}

/**
 * TCOLDESCs of recent tables ([MS-PST] 2.3.4.2), keyed by their TCINFO bytes (bType, cCols,
 * rgib and rgTCOLDESC; the HIDs may differ): the recipient and attachment tables of one store
 * almost always share a layout, so most Table.open calls parse none. Only layouts that produced
 * no finding are kept; a handful of entries, compared byte by byte.
 */
const layouts: { key: Uint8Array; columns: TcColumn[] }[] = [];
const MAX_LAYOUTS = 8;

function sameLayout(info: Uint8Array, cCols: number): TcColumn[] | undefined {
  const len = 22 + cCols * 8;
  for (let k = 0; k < layouts.length; k++) {
    const { key, columns } = layouts[k]!;
    if (key.length !== len) continue;
    let same = true;
    for (let i = 0; i < len; i++) {
      if (i === 10) i = 22; // hidRowIndex, hnidRows, hidIndex
      if (key[i] !== info[i]) {
        same = false;
        break;
      }
    }
    if (same) return columns;
  }
  return undefined;
}

function parseColumns(info: Uint8Array, cCols: number, rowSize: number, tci1b: number, rep: Reporter, nid: number): TcColumn[] {
  const dv = new DataView(info.buffer, info.byteOffset, info.byteLength);
  const columns: TcColumn[] = [];
  let clean = true;
  for (let i = 0; i < cCols; i++) {
    const at = 22 + i * 8;
    const tag = dv.getUint32(at, true);
    const c: TcColumn = { id: tag >>> 16, type: tag & 0xffff, ibData: dv.getUint16(at + 4, true), cbData: info[at + 6]!, iBit: info[at + 7]! };
    if (c.ibData + c.cbData > rowSize || tci1b + (c.iBit >> 3) >= rowSize + 1) {
      rep.report('PST-TC-INFO', { nid, field: 'TCOLDESC.ibData', message: `Column ${hex(tag)} lies outside the ${rowSize}-byte row.` });
      clean = false;
      continue;
    }
    columns.push(c);
  }
  if (clean) {
    if (layouts.length >= MAX_LAYOUTS) layouts.shift();
    layouts.push({ key: info.slice(0, 22 + cCols * 8), columns });
  }
  return columns;
}

/** The cursor's current row: reused between next() calls (copy what you keep). */
interface Slot {
  rowId: number;
  rowIndex: number;
  page: Uint8Array;
  at: number;
}

/**
 * The row-matrix walk shared by rows(), eachRow() and checkRows() ([MS-PST] 2.3.4.4): each
 * next() gives the next indexed row's place, synchronously while the matrix blocks are cached,
 * else a promise; at most one call may be pending. Checks and findings, in order: missing
 * matrix, missing subnode, a row index used twice, a row beyond the matrix (ends the walk).
 */
class SlotCursor {
  private state: 0 | 1 | 2 = 0; // 0 not started, 1 walking, 2 done
  private pageBids: number[] | null = null;
  private page = 0;
  private pageStart = 0;
  private cur: Uint8Array | null = null;
  private curRows = 0;
  private lastIndex = -1;
  private k = 0;
  /** Row k passed the duplicate check and waits for its page. */
  private mid = false;
  private readonly slot: Slot = { rowId: 0, rowIndex: 0, page: EMPTY, at: 0 };
  private readonly nid: number;
  /** Recycling cursors, from the matrix's second block on: the buffer its blocks are read into. */
  private into: Uint8Array | undefined;

  /**
   * `recycle`: read the matrix's blocks after the first into one buffer, each over the one
   * before, for a user that is done with a slot's page when it asks for the next slot
   * (Table.checkRows). A large folder's table then costs one buffer, not one per block.
   */
  constructor(private readonly t: Table, private readonly recycle = false) {
    this.nid = t.node.nid;
  }

  next(): Slot | undefined | Promise<Slot | undefined> {
    if (this.state === 2) return undefined;
    if (this.state === 0) {
      const r = this.start();
      if (r instanceof Promise) return this.startLater(r);
      if (!r) return this.end();
    }
    return this.walk();
  }

  // Continuations in their own methods: no closure context per call of next()/walk().
  private startLater(r: Promise<boolean>): Promise<Slot | undefined> {
    return r.then((ok) => (ok ? this.walk() : this.end()));
  }

  private subnodeLater(e: Promise<SubnodeEntry | undefined>): Promise<boolean> {
    return e.then((v) => this.fromSubnode(v));
  }

  private pageLater(b: Promise<Uint8Array | null>): Promise<Slot | undefined> {
    return b.then((v) => {
      this.setPage(v);
      return this.walk();
    });
  }

  private end(): undefined {
    this.state = 2;
    return undefined;
  }

  /** Locate the matrix and read its first block; false when there are no rows to give. */
  private start(): boolean | Promise<boolean> {
    const { node, rep, hnidRows } = this.t;
    const t = this.t;
    const nid = this.nid;
    if (t.rowCount === 0 || t.rowSize === 0) return false;
    if (hnidRows === 0) {
      rep.report('PST-TC-ROW', { nid, field: 'TCINFO.hnidRows', message: `${t.rowCount} rows indexed but no row matrix.` });
      return false;
    }
    if ((hnidRows & 0x1f) === 0) {
      const heapPage = node.heap.get(hnidRows);
      if (!heapPage) return false;
      this.cur = heapPage;
      this.curRows = Math.floor(heapPage.length / t.rowSize);
      this.state = 1;
      return true;
    }
    const e = node.subnodeAny(hnidRows);
    return e instanceof Promise ? this.subnodeLater(e) : this.fromSubnode(e);
  }

  private fromSubnode(e: SubnodeEntry | undefined): boolean | Promise<boolean> {
    const { node, rep, hnidRows } = this.t;
    const nid = this.nid;
    if (!e) {
      rep.report('PST-SUBNODE-MISSING', { nid, field: 'TCINFO.hnidRows', message: `Row matrix subnode ${hex(hnidRows)}.` });
      return false;
    }
    const blocks = node.blocks;
    const withTree = (t: { bids: number[] } | null): boolean | Promise<boolean> => {
      if (!t) return false;
      this.pageBids = t.bids;
      this.state = 1;
      if (!t.bids.length) {
        this.setPage(null);
        return true;
      }
      const b = blocks.readAny(t.bids[0]!, { nid });
      if (b instanceof Promise) return b.then((v) => (this.setPage(v), true));
      this.setPage(b);
      return true;
    };
    // A leaf BID is its own one-block tree (dataTree's answer, without a promise).
    return isInternal(e.bidData) ? blocks.dataTree(e.bidData, { nid }).then(withTree) : withTree({ bids: [e.bidData] });
  }

  private setPage(b: Uint8Array | null): void {
    this.cur = b;
    this.curRows = b ? Math.floor(b.length / this.t.rowSize) : Math.floor(this.t.node.blocks.L.maxBlockData / this.t.rowSize);
  }

  private walk(): Slot | undefined | Promise<Slot | undefined> {
    const t = this.t;
    const { rowIds, rowIndexes } = t;
    const rep = t.rep;
    const nid = this.nid;
    while (this.k < rowIds.length) {
      const rowId = rowIds.at(this.k);
      const rowIndex = rowIndexes.at(this.k);
      if (!this.mid) {
        if (rowIndex === this.lastIndex) {
          rep.report('PST-TC-ROW', { nid, field: 'TCROWID.dwRowIndex', message: `Row index ${rowIndex} is used twice.` });
          this.k++;
          continue;
        }
        this.lastIndex = rowIndex;
        this.mid = true;
      }
      while (rowIndex >= this.pageStart + this.curRows) {
        const bids = this.pageBids;
        if (!bids || this.page + 1 >= bids.length) {
          rep.report('PST-TC-ROW', { nid, field: 'TCROWID.dwRowIndex', message: `Row ${hex(rowId)} at index ${rowIndex} lies beyond the row matrix.` });
          return this.end();
        }
        this.pageStart += this.curRows;
        this.page++;
        if (this.recycle) this.into ??= new Uint8Array(t.node.blocks.maxDecoded);
        const b = t.node.blocks.readAny(bids[this.page]!, { nid }, this.into);
        if (b instanceof Promise) return this.pageLater(b);
        this.setPage(b);
      }
      this.mid = false;
      this.k++;
      if (!this.cur) continue; // block unreadable: finding already made
      const s = this.slot;
      s.rowId = rowId;
      s.rowIndex = rowIndex;
      s.page = this.cur;
      s.at = (rowIndex - this.pageStart) * t.rowSize;
      return s;
    }
    return this.end();
  }
}
