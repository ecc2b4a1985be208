/**
 * A paged heap keeps a few pages in memory and reads the others again when asked; a user that
 * needs several items at once (a table row's HID cells) reserves a page per item, and then
 * ensuring them one after another keeps them all. Heaps and tables come from the PST writer's
 * own builders (cli/pstgen/ltp.ts).
 */
import { describe, expect, test } from 'vitest';
import { Heap } from '../worker/pst/ltp/heap.ts';
import { Reporter } from '../worker/pst/codes.ts';
import { LtpNode } from '../worker/pst/ltp/node.ts';
import { Table } from '../worker/pst/ltp/tc.ts';
import { Heap as HeapWriter, MAX_HEAP_ITEM, NodeScope, PT, buildTc } from '../cli/pstgen/ltp.ts';
import { CODEPAGE_IDS, NamedMap, convertList, objectCodepageList } from '../worker/pst/messaging/props.ts';
import { geometry, type NdbWriter } from '../cli/pstgen/ndb.ts';

const g = geometry('unicode');
/** The page a HID lies on ([MS-PST] 2.3.1.1: hidBlockIndex above hidBlockShift). */
const pageOf = (hid: number) => hid >>> g.hidBlockShift;

/** A paged heap over `pages`, counting the page reads (pages arrive in a later task when `later`). */
function paged(pages: Uint8Array[], later = false) {
  const loads: number[] = [];
  const load = (i: number) => {
    loads.push(i);
    return later ? new Promise<Uint8Array>((r) => setImmediate(() => r(pages[i]!))) : pages[i]!;
  };
  const heap = Heap.paged(pages[0]!, pages.length, load, g.hidBlockShift, new Reporter(undefined))!;
  return { heap, loads };
}

/** A heap of items that fill a page each but for page 0's HNHDR; byte 0 of each names its page. */
function bigItems(count: number) {
  const w = new HeapWriter(g, 0x7c);
  const hids: number[] = [];
  for (let k = 0; k < count; k++) {
    const item = new Uint8Array(MAX_HEAP_ITEM);
    hids.push(w.alloc(item));
    item[0] = pageOf(hids[k]!);
  }
  w.userRoot = hids[0]!;
  return { pages: w.build(), hids };
}

describe('paged heap', () => {
  test('keeps 8 pages besides page 0: the ninth one read drops the first', () => {
    const { pages, hids } = bigItems(40);
    const onPage = (p: number) => hids.find((h) => pageOf(h) === p)!;
    const { heap, loads } = paged(pages);
    for (let p = 1; p <= 8; p++) expect(heap.ensure(onPage(p))).toBeUndefined();
    expect(heap.missing(onPage(1))).toBe(false);
    heap.ensure(onPage(9));
    expect(heap.missing(onPage(1))).toBe(true);
    expect(heap.missing(onPage(2))).toBe(false);
    expect(heap.get(onPage(0))![0]).toBe(0); // page 0 stays
    expect(() => heap.get(onPage(1))).toThrow(/before ensure/);
    heap.ensure(onPage(1));
    expect(heap.get(onPage(1))![0]).toBe(1);
    expect(loads).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 1]);
  });

  test('reserve(n): n pages ensured one after another all stay', () => {
    const { pages, hids } = bigItems(80);
    const onPage = (p: number) => hids.find((h) => pageOf(h) === p)!;
    expect(pages.length).toBeGreaterThan(32);
    const { heap, loads } = paged(pages);
    heap.reserve(30);
    for (let p = 1; p <= 30; p++) heap.ensure(onPage(p));
    for (let p = 1; p <= 30; p++) expect(heap.get(onPage(p))![0]).toBe(p);
    expect(loads.length).toBe(30);
    heap.ensure(onPage(31));
    expect(heap.missing(onPage(1))).toBe(true);
    heap.reserve(4); // never below what is reserved already
    heap.ensure(onPage(32));
    expect(heap.missing(onPage(3))).toBe(false);
  });

  test("recyclePages: pages go into buffers the heap owns, an evicted page's buffer takes the next page", async () => {
    const { pages, hids } = bigItems(40);
    for (const later of [false, true]) {
      // A loader that decodes into `into` when given, as Blocks.readAny does.
      const offered: (Uint8Array | undefined)[] = [];
      const load = (i: number, into?: Uint8Array) => {
        offered.push(into);
        const out = into && into.length >= pages[i]!.length ? into.subarray(0, pages[i]!.length) : new Uint8Array(pages[i]!.length);
        out.set(pages[i]!);
        return later ? new Promise<Uint8Array>((r) => setImmediate(() => r(out))) : out;
      };
      const heap = Heap.paged(pages[0]!.slice(), pages.length, load, g.hidBlockShift, new Reporter(undefined))!;
      heap.recyclePages(g.maxBlockData);
      // Every item twice over, in page order; after each read, the items of the last 8 pages
      // (all resident) still read as their own pages' bytes.
      const sorted = [...hids].sort((x, y) => pageOf(x) - pageOf(y));
      for (const round of [0, 1]) {
        for (let k = 0; k < sorted.length; k++) {
          const wait = heap.ensure(sorted[k]!);
          if (wait) await wait;
          for (const h of sorted.slice(0, k + 1).filter((x) => pageOf(x) > pageOf(sorted[k]!) - 8)) {
            expect(heap.missing(h), `round ${round} hid ${h}`).toBe(false);
            const item = heap.get(h)!;
            expect(item[0], `round ${round} hid ${h}`).toBe(pageOf(h));
            expect(item).toEqual(pages[pageOf(h)]!.subarray(item.byteOffset, item.byteOffset + item.length));
          }
        }
      }
      expect(offered.every((b) => b !== undefined && b.length === g.maxBlockData)).toBe(true);
      // Eight pages stay besides page 0: nine buffers serve every read.
      expect(new Set(offered.map((b) => b!.buffer)).size).toBe(9);
      expect(pages.length).toBeGreaterThan(12);
      expect(offered.length).toBe(2 * (pages.length - 1)); // every page but 0, in each round
    }
    // Without recyclePages the loader is offered nothing.
    const plain: (Uint8Array | undefined)[] = [];
    const heap = Heap.paged(pages[0]!, pages.length, (i, into) => (plain.push(into), pages[i]!), g.hidBlockShift, new Reporter(undefined))!;
    for (const h of hids) heap.ensure(h);
    expect(plain.length).toBe(pages.length - 1);
    expect(plain.every((b) => b === undefined)).toBe(true);
  });
});

describe('a table in a paged heap', () => {
  test('a row whose cells lie on more pages than the heap keeps by default reads whole (no endless re-reading)', async () => {
    // One row of 20 strings too large to share a page with more than one other: 10+ pages.
    const cells = 20;
    const text = (k: number) => `${k}`.padEnd(MAX_HEAP_ITEM / 2 - 100, '.');
    const utf16 = (s: string) => new Uint8Array(Array.from(s).flatMap((c) => [c.charCodeAt(0), 0]));
    const columns = Array.from({ length: cells }, (_, k) => ({ id: 0x3001 + k, type: PT.UNICODE }));
    const values = new Map(columns.map((c, k) => [c.id, { id: c.id, type: c.type, bytes: utf16(text(k)) }]));
    // The values fit the heap, so the scope writes nothing (no NDB writer needed).
    const pages = buildTc(g, new NodeScope(undefined as unknown as NdbWriter), columns, [{ rowId: 0x200024, values }]).build();
    expect(pages.length).toBeGreaterThan(9);
    // Pages arrive in a later task, as from a file: a loop that never ends still lets the timeout fire.
    const { heap, loads } = paged(pages, true);
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
    const strings = (rows as { cells: { id: number; bytes: Uint8Array }[] }[])[0]!.cells.filter((c) => c.id >= 0x3001 && c.id <= 0x3000 + cells);
    expect(strings.map((c) => new TextDecoder('utf-16le').decode(c.bytes))).toEqual(Array.from({ length: cells }, (_, k) => text(k)));
    expect(new Set(loads).size).toBe(loads.length); // each page read once
    expect(findings).toEqual([]);
  });
});

describe('a table narrowed to some columns (Table.only)', () => {
  // Rows of a contents table in an ANSI file: a PT_STRING8 subject in code page 1251, the row's
  // PR_MESSAGE_CODEPAGE, a size, and a Unicode string.
  const cp1251 = (s: string) => new Uint8Array(Array.from(s).map((c) => (c >= 'А' && c <= 'я' ? c.charCodeAt(0) - 0x410 + 0xc0 : c.charCodeAt(0))));
  const utf16 = (s: string) => new Uint8Array(Array.from(s).flatMap((c) => [c.charCodeAt(0), 0]));
  const columns = [{ id: 0x0037, type: PT.STRING8 }, { id: 0x3ffd, type: PT.LONG }, { id: 0x0e08, type: PT.LONG }, { id: 0x3001, type: PT.UNICODE }];
  const rows = [1, 2, 3].map((k) => ({
    rowId: 0x200004 + 32 * k,
    values: new Map([
      [0x0037, { id: 0x0037, type: PT.STRING8, bytes: cp1251(`Привет ${k}`) }],
      [0x3ffd, { id: 0x3ffd, type: PT.LONG, inline: 1251 }],
      [0x0e08, { id: 0x0e08, type: PT.LONG, inline: 1000 * k }],
      [0x3001, { id: 0x3001, type: PT.UNICODE, bytes: utf16(`name ${k}`) }],
    ]),
  }));

  async function open() {
    const pages = buildTc(g, new NodeScope(undefined as unknown as NdbWriter), columns, rows).build();
    const findings: string[] = [];
    const rep = new Reporter((f) => findings.push(f.code));
    const node = Object.assign(Object.create(LtpNode.prototype) as LtpNode, { heap: Heap.open(pages, g.hidBlockShift, rep)!, nid: 0x802e, rep });
    const table = (await Table.openAny(node, rep, true))!;
    return { table, findings, node };
  }
  const list = async (t: Table) => {
    const out: { rowId: number; props: { id: number; value: unknown }[]; cp: number }[] = [];
    const c = t.listCursor();
    for (let r = await c.next(); r; r = await c.next()) {
      const cp = objectCodepageList(r.list, { codepage: 1252, force: false });
      const props = convertList(r.list, { rep: new Reporter(undefined), nid: r.rowId, codepage: cp, named: NamedMap.empty, skip: (id) => id === 0x67f2 || id === 0x67f3 });
      out.push({ rowId: r.rowId, props: props.map((p) => ({ id: p.tag >>> 16, value: p.value })), cp });
    }
    return out;
  };

  test('the same rows with only those cells; the code page columns keep 8-bit strings right', async () => {
    const { table } = await open();
    const all = await list(table);
    expect(all.map((r) => r.props.find((p) => p.id === 0x0037)?.value)).toEqual(['Привет 1', 'Привет 2', 'Привет 3']);
    const sizes = await list(table.only([0x0e08]));
    expect(sizes.map((r) => r.rowId)).toEqual(all.map((r) => r.rowId));
    expect(sizes.map((r) => r.props)).toEqual([1, 2, 3].map((k) => [{ id: 0x0e08, value: 1000 * k }]));
    // Narrowed to the subject, the row's code page is gone and the bytes read as 1252;
    // with CODEPAGE_IDS (as Folder.messages narrows) they read right.
    const bare = await list(table.only([0x0037]));
    expect(bare[0]!.props[0]!.value).not.toBe('Привет 1');
    const kept = await list(table.only([0x0037, ...CODEPAGE_IDS]));
    expect(kept.map((r) => r.props.find((p) => p.id === 0x0037)?.value)).toEqual(['Привет 1', 'Привет 2', 'Привет 3']);
  });

  test('cells of other columns are not read: heap items that do not resolve go unreported', async () => {
    const { table, findings, node } = await open();
    const heap = node.heap as unknown as { range(hnid: number): unknown };
    const range = heap.range.bind(heap);
    let asked = new Set<number>();
    let broken = new Set<number>();
    heap.range = (h: number) => (asked.add(h), broken.has(h) ? undefined : range(h));
    const sizes = await list(table.only([0x0e08]));
    const forSizes = asked;
    asked = new Set();
    await list(table);
    // The heap items only the whole rows ask for (their strings) resolve to nothing from here on.
    broken = new Set([...asked].filter((h) => !forSizes.has(h)));
    expect(broken.size).toBe(6);
    expect(findings).toEqual([]);
    expect(await list(table.only([0x0e08]))).toEqual(sizes);
    expect(sizes.map((r) => r.props)).toEqual([1, 2, 3].map((k) => [{ id: 0x0e08, value: 1000 * k }]));
    expect(findings).toEqual([]);
    await list(table);
    expect(findings).toContain('PST-TC-CELL');
  });
});
