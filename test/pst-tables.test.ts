/**
 * Recipient and attachment tables whose row matrix lies in a subnode ([MS-PST] 2.3.4.4: more
 * rows than fit in the heap) read completely and in order, whether the reader's block reads are
 * answered from the slab cache (synchronous path) or all have to wait for the source (a cache of
 * two 512-byte slabs). A message with 150 recipients and 70 attachments is written by the PST
 * writer; everything the description holds must come back, identical in both cache set-ups.
 */
import { describe, expect, test } from 'vitest';
import { generateDescription, walkFolders, writePstToBytes, type MessageDesc } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { openPst, type Folder, type PstFile } from '../worker/pst/index.ts';
import type { Finding } from '../worker/findings.ts';
import type { Prop } from '../worker/mapi/types.ts';
import { validate } from '../worker/pst/validate.ts';
import type { PstFileImpl } from '../worker/pst/messaging/pst-file.ts';
import { LtpNode } from '../worker/pst/ltp/node.ts';
import { Table } from '../worker/pst/ltp/tc.ts';
import { Reporter } from '../worker/pst/codes.ts';

const val = (props: Prop[], id: number) => props.find((p) => p.tag >>> 16 === id && !p.name)?.value;

function bigTables(variant: 'ansi' | 'unicode' | 'ost4k') {
  const desc = generateDescription({ variant, crypt: variant === 'ost4k' ? 'none' : 'permute', messages: 6, seed: 3 });
  let target: MessageDesc | undefined;
  for (const { folder } of walkFolders(desc)) {
    for (const m of folder.messages ?? []) if (!target && m.recipients?.length) target = m;
  }
  if (!target) throw new Error('the generated description has no message with recipients');
  const r0 = target.recipients![0]!;
  target.recipients = Array.from({ length: 150 }, (_, i) => ({ ...r0, name: `Recipient ${i} ${'n'.repeat(i % 37)}`, email: `r${i}@example.org`, type: i % 3 === 0 ? ('cc' as const) : ('to' as const) }));
  target.attachments = Array.from({ length: 70 }, (_, i) => ({ filename: `part-${i}.txt`, content: { text: `attachment ${i}\n` } }));
  return { bytes: writePstToBytes(desc).bytes, subject: target.subject };
}

async function readTarget(pst: PstFile, subject: string) {
  const found: { recipients: string[]; attachments: string[] }[] = [];
  const rec = async (f: Folder) => {
    for await (const ref of f.messages()) {
      const m = await pst.readMessage(ref.nid);
      if (val(m.props, 0x0037) !== subject && !String(val(m.props, 0x0037) ?? '').endsWith(subject)) continue;
      found.push({
        recipients: m.recipients.map((r) => String(val(r, 0x3001))),
        attachments: m.attachments.map((a) => String(val(a.props, 0x3707) ?? val(a.props, 0x3704))),
      });
    }
    for (const s of await f.subfolders()) await rec(s);
  };
  await rec(await pst.rootFolder());
  return found;
}

describe('tables with the row matrix in a subnode', () => {
  for (const variant of ['ansi', 'unicode', 'ost4k'] as const) {
    test(`${variant}: 150 recipients and 70 attachments, cached and uncached reads`, async () => {
      const { bytes, subject } = bigTables(variant);
      const results = [];
      for (const opts of [{}, { cacheBytes: 1024, slabBytes: 512 }]) {
        const findings: Finding[] = [];
        const pst = await openPst(bytesSource(bytes), { ...opts, onFinding: (f) => findings.push(f) });
        const found = await readTarget(pst, subject);
        expect(findings.filter((f) => f.severity !== 'info'), JSON.stringify(opts)).toEqual([]);
        expect(found.length).toBe(1);
        const [m] = found;
        expect(m!.recipients).toEqual(Array.from({ length: 150 }, (_, i) => `Recipient ${i} ${'n'.repeat(i % 37)}`));
        expect(m!.attachments).toEqual(Array.from({ length: 70 }, (_, i) => `part-${i}.txt`));
        results.push(m);
      }
      expect(results[1]).toEqual(results[0]);
    });
  }
});

describe('folder tables with a paged heap', () => {
  // 24000 messages over four mail folders: each contents table keeps 6000 rows' strings in a heap
  // of well over 32 pages (paged), and over the 64 pages a paged heap keeps in memory.
  test('a folder of 6000 messages lists every row, in order, from a paged contents-table heap', async () => {
    const desc = generateDescription({ variant: 'unicode', crypt: 'permute', messages: 24000, seed: 4 });
    const { bytes } = writePstToBytes(desc);
    const findings: Finding[] = [];
    const pst = await openPst(bytesSource(bytes), { cacheBytes: 256 * 1024, onFinding: (f) => findings.push(f) });
    const find = async (f: Folder): Promise<Folder | undefined> => {
      for (const s of await f.subfolders()) {
        const hit = s.name === 'Inbox' ? s : await find(s);
        if (hit) return hit;
      }
      return undefined;
    };
    const inbox = (await find(await pst.rootFolder()))!;
    // The table is opened as the reader opens it for messages(): its heap is paged.
    const impl = pst as unknown as { table(nid: number, required: boolean): Promise<{ node: { heap: { isPaged: boolean; pages: unknown[] } }; rowCount: number } | null> };
    const t = await impl.table(((inbox.nid & ~0x1f) | 0x0e) >>> 0, true);
    expect(t!.node.heap.isPaged).toBe(true);
    expect(t!.node.heap.pages.length).toBeGreaterThan(64);
    expect(t!.rowCount).toBe(6000);
    const listed: string[] = [];
    for await (const ref of inbox.messages()) listed.push(ref.subject ?? '');
    const inboxDesc = walkFolders(desc).find(({ path }) => path.join('/') === 'Inbox')!.folder;
    expect(listed).toEqual(inboxDesc.messages!.map((m) => m.subject));
    // Each row's subject also matches the message it names (row cells come from the right pages).
    let k = 0;
    for await (const ref of inbox.messages()) {
      if (k++ % 97 !== 0) continue;
      expect(val((await pst.readMessage(ref.nid)).props, 0x0037)).toBe(ref.subject);
    }
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
  }, 60_000);

  // messages({ columns }) reads only the cells of those columns (Table.only): a size column needs
  // no heap page of the table at all, and a broken heap page goes unnoticed by such a listing,
  // while the full listing reports it; both list every row with the same sizes.
  test('messages() with columns reads no other cells: fewer block reads, none of a broken heap page', async () => {
    const desc = generateDescription({ variant: 'unicode', crypt: 'none', messages: 24000, seed: 4 });
    const { bytes } = writePstToBytes(desc);
    const list = async (file: Uint8Array, columns?: number[]) => {
      const findings: Finding[] = [];
      const pst = (await openPst(bytesSource(file), { onFinding: (f) => findings.push(f) })) as unknown as PstFileImpl;
      let inbox: Folder | undefined;
      for (const s of await (await pst.rootFolder()).subfolders()) for (const t of [s, ...(await s.subfolders())]) if (t.name === 'Inbox') inbox = t;
      let reads = 0;
      const readAny = pst.blocks.readAny.bind(pst.blocks);
      pst.blocks.readAny = (bid, ctx, buf) => (reads++, readAny(bid, ctx, buf));
      const rows: { nid: number; size?: number; ids: number[] }[] = [];
      for await (const ref of inbox!.messages(columns ? { columns } : {})) rows.push({ nid: ref.nid, size: ref.size, ids: ref.row.map((p) => p.tag >>> 16) });
      return { rows, reads, findings, pst, inbox: inbox! };
    };
    const all = await list(bytes);
    const sized = await list(bytes, [0x0e08]);
    expect(all.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(sized.rows.length).toBe(6000);
    expect(sized.rows.map((r) => [r.nid, r.size])).toEqual(all.rows.map((r) => [r.nid, r.size]));
    expect(sized.rows.every((r) => r.ids.length === 1 && r.ids[0] === 0x0e08)).toBe(true);
    expect(all.rows.some((r) => r.ids.includes(0x0037))).toBe(true);
    // The table's heap has over 64 pages, which the full listing reads for the strings and the
    // sizes alone do not (both read the row matrix).
    expect(all.reads - sized.reads).toBeGreaterThanOrEqual(64);

    const tableNid = ((all.inbox.nid & ~0x1f) | 0x0e) >>> 0;
    const entry = (await all.pst.bt.nbt(tableNid))!;
    const tree = (await all.pst.blocks.dataTree(entry.bidData))!;
    const page = (await all.pst.bt.bbt(tree.bids[10]!))!;
    const broken = bytes.slice();
    broken[page.ib] = 0xf0; // HNPAGEHDR.ibHnpm of heap page 10: past the page's end
    broken[page.ib + 1] = 0xff;
    const full = await list(broken);
    expect(full.findings.some((f) => f.code === 'PST-HN-PAGEMAP' && f.nid === tableNid)).toBe(true);
    const quick = await list(broken, [0x0e08]);
    expect(quick.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(quick.rows).toEqual(sized.rows);
  }, 120_000);

  // validate --full checks such a table through the reader's layers with the heap paged too
  // (its fast path would hold every block of the heap at once): sound, it finds nothing; with
  // one heap page's HNPAGEMAP offset broken it names that table and no message.
  test('validate --full over a paged contents-table heap, sound and with a broken heap page', async () => {
    const desc = generateDescription({ variant: 'unicode', crypt: 'none', messages: 24000, seed: 4 });
    const { bytes } = writePstToBytes(desc);
    for (const o of [{}, { keptEntries: 7 }]) {
      const r = await validate(bytesSource(bytes), { full: true, ...o });
      expect(r.verdict, JSON.stringify(r.findings.slice(0, 3))).toBe('ok');
      expect(r.counts.nodesChecked).toBe(r.counts.nbtEntries);
    }
    const pst = (await openPst(bytesSource(bytes))) as unknown as PstFileImpl;
    let inbox: Folder | undefined;
    for (const s of await (await pst.rootFolder()).subfolders()) for (const t of [s, ...(await s.subfolders())]) if (t.name === 'Inbox') inbox = t;
    const tableNid = ((inbox!.nid & ~0x1f) | 0x0e) >>> 0;
    const entry = (await pst.bt.nbt(tableNid))!;
    const tree = (await pst.blocks.dataTree(entry.bidData))!;
    expect(tree.bids.length).toBeGreaterThan(64);

    // A block decoded into a buffer the caller offers: the same bytes, in that buffer; a buffer
    // too small for the block is left alone.
    const own = (await pst.blocks.read(tree.bids[3]!))!;
    const into = new Uint8Array(pst.blocks.maxDecoded).fill(0xaa);
    const got = (await pst.blocks.readAny(tree.bids[3]!, {}, into))!;
    expect(got.buffer).toBe(into.buffer);
    expect(got).toEqual(own);
    const small = new Uint8Array(16);
    const other = (await pst.blocks.readAny(tree.bids[3]!, {}, small))!;
    expect(other.buffer).not.toBe(small.buffer);
    expect(other).toEqual(own);

    // The validator's row check (paged heap with recyclePages, row matrix through a recycling
    // cursor): every heap page and matrix block after the first goes into one of a few buffers.
    const offered: (Uint8Array | undefined)[] = [];
    const readAny = pst.blocks.readAny.bind(pst.blocks);
    pst.blocks.readAny = (bid, ctx, buf) => (offered.push(buf), readAny(bid, ctx, buf));
    const seen: string[] = [];
    const rep = new Reporter((f) => seen.push(f.code));
    const node = (await LtpNode.openPaged(pst.blocks, rep, tableNid, entry.bidData, entry.bidSub, true, true))!;
    expect(node.heap.isPaged).toBe(true);
    const table = (await Table.openAny(node, rep, false))!;
    await table.checkRows();
    expect(seen).toEqual([]);
    const used = offered.filter((b) => b !== undefined);
    expect(used.length).toBeGreaterThan(64);
    expect(new Set(used.map((b) => b!.buffer)).size).toBeLessThan(12);
    pst.blocks.readAny = readAny;
    const page = (await pst.bt.bbt(tree.bids[10]!))!;
    const broken = bytes.slice();
    broken[page.ib] = 0xf0; // HNPAGEHDR.ibHnpm of heap page 10: past the page's end
    broken[page.ib + 1] = 0xff;
    const r = await validate(bytesSource(broken), { full: true });
    expect(r.verdict).toBe('damaged');
    expect(r.findings.some((f) => f.code === 'PST-HN-PAGEMAP' && f.nid === tableNid)).toBe(true);
    expect(r.findings.filter((f) => f.severity === 'error' && f.nid !== undefined && f.nid !== tableNid)).toEqual([]);
    expect(r.counts.nodesChecked).toBe(r.counts.nbtEntries);
  }, 120_000);
});
