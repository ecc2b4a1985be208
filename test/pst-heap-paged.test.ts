/**
 * A paged heap keeps a few pages in memory and reads the others again when asked; a user that
 * needs several items at once (a table row's HID cells) reserves a page per item, and then
 * ensuring them one after another keeps them all.
 */
import { describe, expect, test } from 'vitest';
import { Heap } from '../worker/pst/ltp/heap.ts';
import { Reporter } from '../worker/pst/codes.ts';
import { LtpNode } from '../worker/pst/ltp/node.ts';
import { Table } from '../worker/pst/ltp/tc.ts';

const SHIFT = 16; // PST: hidBlockIndex above bit 16 ([MS-PST] 2.3.1.1)
const hid = (block: number, index: number) => block * 2 ** SHIFT + index * 32;

/** A heap page with one item (its bytes: the page number, four times); page 0 starts with HNHDR. */
function page(n: number): Uint8Array {
  const head = n === 0 ? 12 : 2;
  const item = head;
  const map = item + 4;
  const b = new Uint8Array(map + 4 + 2 * 2);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, map, true); // ibHnpm
  if (n === 0) {
    b[2] = 0xec; // bSig
    b[3] = 0x7c; // bClientSig: a table
    dv.setUint32(4, hid(0, 1), true); // hidUserRoot
  }
  b.fill(n, item, item + 4);
  dv.setUint16(map, 1, true); // cAlloc
  dv.setUint16(map + 4, item, true); // rgibAlloc[0]
  dv.setUint16(map + 6, item + 4, true); // rgibAlloc[1]
  return b;
}

function pagedHeap(count: number) {
  const loads: number[] = [];
  const heap = Heap.paged(page(0), count, (i) => (loads.push(i), page(i)), SHIFT, new Reporter(undefined))!;
  return { heap, loads };
}

describe('paged heap', () => {
  test('keeps 8 pages besides page 0: the ninth one read drops the first', () => {
    const { heap, loads } = pagedHeap(40);
    for (let i = 1; i <= 8; i++) expect(heap.ensure(hid(i, 1))).toBeUndefined();
    expect(heap.missing(hid(1, 1))).toBe(false);
    heap.ensure(hid(9, 1));
    expect(heap.missing(hid(1, 1))).toBe(true);
    expect(heap.missing(hid(2, 1))).toBe(false);
    expect(heap.get(hid(0, 1))).toEqual(new Uint8Array(4)); // page 0 stays
    expect(() => heap.get(hid(1, 1))).toThrow(/before ensure/);
    heap.ensure(hid(1, 1));
    expect(heap.get(hid(1, 1))).toEqual(new Uint8Array([1, 1, 1, 1]));
    expect(loads).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 1]);
  });

  test('reserve(n): n pages ensured one after another all stay', () => {
    const { heap, loads } = pagedHeap(40);
    heap.reserve(30);
    for (let i = 1; i <= 30; i++) heap.ensure(hid(i, 1));
    for (let i = 1; i <= 30; i++) expect(heap.get(hid(i, 1))).toEqual(new Uint8Array([i, i, i, i]));
    expect(loads.length).toBe(30);
    heap.ensure(hid(31, 1));
    expect(heap.missing(hid(1, 1))).toBe(true);
    heap.reserve(4); // never below what is reserved already
    heap.ensure(hid(32, 1));
    expect(heap.missing(hid(3, 1))).toBe(false);
  });
});

/**
 * A table context ([MS-PST] 2.3.4) in a paged heap whose one row has a string cell on each of
 * `cells` pages: TCINFO, the row index BTH and the row matrix on page 0, string k on page k.
 */
function spreadTable(cells: number) {
  const rowSize = 4 + 4 * cells + Math.ceil((cells + 1) / 8);
  const tci4 = 4 + 4 * cells;
  const info = new Uint8Array(22 + 8 * (cells + 1));
  const iv = new DataView(info.buffer);
  info[0] = 0x7c; // bType
  info[1] = cells + 1; // cCols
  iv.setUint16(2, tci4, true); // TCI_4b
  iv.setUint16(4, tci4, true); // TCI_2b
  iv.setUint16(6, tci4, true); // TCI_1b
  iv.setUint16(8, rowSize, true); // TCI_bm
  iv.setUint32(10, hid(0, 2), true); // hidRowIndex
  iv.setUint32(14, hid(0, 4), true); // hnidRows: the matrix is a heap item
  const col = (i: number, tag: number, ib: number, iBit: number) => {
    iv.setUint32(22 + 8 * i, tag, true);
    iv.setUint16(26 + 8 * i, ib, true);
    info[28 + 8 * i] = 4;
    info[29 + 8 * i] = iBit;
  };
  col(0, 0x67f20003, 0, 0); // PidTagLtpRowId
  for (let k = 1; k <= cells; k++) col(k, ((0x3000 + k) << 16) | 0x001f, 4 * k, k);
  const bthHeader = new Uint8Array([0xb5, 4, 4, 0, 0, 0, 0, 0]);
  new DataView(bthHeader.buffer).setUint32(4, hid(0, 3), true);
  const leaf = new Uint8Array(8);
  new DataView(leaf.buffer).setUint32(0, 0x200024, true); // dwRowID -> dwRowIndex 0
  const row = new Uint8Array(rowSize);
  const rv = new DataView(row.buffer);
  rv.setUint32(0, 0x200024, true);
  for (let k = 1; k <= cells; k++) rv.setUint32(4 * k, hid(k, 1), true);
  row.fill(0xff, tci4); // every cell exists
  const text = (k: number) => new Uint8Array(Array.from(`page ${k}`).flatMap((c) => [c.charCodeAt(0), 0]));
  const pages = [heapPage(true, [info, bthHeader, leaf, row])];
  for (let k = 1; k <= cells; k++) pages.push(heapPage(false, [text(k)]));
  return pages;
}

/** A heap page holding `items`; the first page starts with HNHDR (a table, hidUserRoot item 1). */
function heapPage(first: boolean, items: Uint8Array[]): Uint8Array {
  let at = first ? 12 : 2;
  const offsets = [at];
  for (const it of items) offsets.push((at += it.length));
  const map = (at + 1) & ~1;
  const b = new Uint8Array(map + 4 + 2 * offsets.length);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, map, true);
  if (first) {
    b[2] = 0xec;
    b[3] = 0x7c;
    dv.setUint32(4, hid(0, 1), true);
  }
  items.forEach((it, k) => b.set(it, offsets[k]!));
  dv.setUint16(map, items.length, true);
  offsets.forEach((o, k) => dv.setUint16(map + 4 + 2 * k, o, true));
  return b;
}

describe('a table in a paged heap', () => {
  test('a row whose cells lie on more pages than the heap keeps by default reads whole (no endless re-reading)', async () => {
    const cells = 20;
    const pages = spreadTable(cells);
    let loads = 0;
    // Pages arrive in a later task, as from a file: a loop that never ends still lets the timeout fire.
    const heap = Heap.paged(pages[0]!, pages.length, (i) => (loads++, new Promise<Uint8Array>((r) => setImmediate(() => r(pages[i]!)))), SHIFT, new Reporter(undefined))!;
    const findings: string[] = [];
    const node = Object.assign(Object.create(LtpNode.prototype) as LtpNode, { heap, nid: 0x8022, rep: new Reporter((f) => findings.push(f.code)) });
    const table = (await Table.openAny(node, node.rep, false))!;
    expect(table.rowCount).toBe(1);
    const read = (async () => {
      const rows = [];
      for await (const r of table.rows()) rows.push(r);
      return rows;
    })();
    const rows = await Promise.race([read, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 2000))]);
    expect(rows).not.toBe('hung');
    const cellsRead = (rows as { cells: { id: number; bytes: Uint8Array }[] }[])[0]!.cells.filter((c) => c.id !== 0x67f2);
    expect(cellsRead.map((c) => new TextDecoder('utf-16le').decode(c.bytes))).toEqual(Array.from({ length: cells }, (_, k) => `page ${k + 1}`));
    expect(loads).toBe(cells); // each page read once
    expect(findings).toEqual([]);
  });
});
