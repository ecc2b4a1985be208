/**
 * B-tree-on-heap ([MS-PST] 2.3.2). PCs and TC row indexes are small enough that a full ordered
 * walk is what every caller needs, so this module only offers that walk, depth-limited.
 */
import { type Reporter, hex } from '../codes.ts';
import type { Heap } from './heap.ts';
import { le32 } from '../ndb/header.ts';

/** A leaf record: key at item[at], data at item[at + cbKey] (no per-record views: hot path). */
export interface BthRecord {
  item: Uint8Array;
  at: number;
}

export interface BthHeader {
  cbKey: number;
  cbEnt: number;
  levels: number;
  hidRoot: number;
}

const CB_KEYS = [2, 4, 8, 16];

export function bthHeader(heap: Heap, hid: number, rep: Reporter, nid?: number): BthHeader | null {
  const h = heap.get(hid);
  if (!h) return null;
  if (h.length < 8 || h[0] !== 0xb5 || !CB_KEYS.includes(h[1]!) || h[2]! < 1 || h[2]! > 32 || h[3]! > 8) {
    rep.report('PST-BTH-HEADER', { nid, field: h[0] !== 0xb5 ? 'BTHHEADER.bType' : 'BTHHEADER.cbKey', message: `At HID ${hex(hid)}.` });
    return null;
  }
  return { cbKey: h[1]!, cbEnt: h[2]!, levels: h[3]!, hidRoot: le32(h, 4) };
}

/**
 * Visit every leaf record of the BTH at `hid` in stored order (key at item[at], data at
 * item[at + cbKey]) without collecting them: the validator's hot path. Returns the header, or
 * null (with findings) when it is unusable.
 */
export function bthEach(heap: Heap, hid: number, rep: Reporter, nid: number | undefined, visit: (item: Uint8Array, at: number) => void): BthHeader | null {
  const header = bthHeader(heap, hid, rep, nid);
  if (header) bthWalk(heap, header, rep, nid, visit);
  return header;
}

/**
 * The walk of bthEach for a header already read (and checked by the caller), depth first in
 * stored order. Synchronous over a heap opened whole; over a paged heap it returns a promise
 * when it has to wait for a page (Heap.ensure), and goes on from there.
 */
export function bthWalk(heap: Heap, header: BthHeader, rep: Reporter, nid: number | undefined, visit: (item: Uint8Array, at: number) => void): void | Promise<void> {
  if (header.hidRoot === 0) return;
  // Cycle tracking only matters below intermediate levels (a leaf-only BTH visits one item).
  const seen = header.levels > 0 ? new Set<number>() : null;
  // (hid, level) pairs still to visit, the next on top.
  const stack = [header.hidRoot, header.levels];
  const run = (): void | Promise<void> => {
    while (stack.length) {
      const level = stack.pop()!;
      const h = stack.pop()!;
      const wait = heap.ensure(h);
      if (wait) {
        stack.push(h, level);
        return wait.then(run);
      }
      if (seen) {
        if (seen.has(h)) {
          rep.report('PST-BTH-CYCLE', { nid, field: 'IntermediateBTHRecord.hidNextLevel', message: `HID ${hex(h)}.` });
          continue;
        }
        seen.add(h);
      }
      const item = heap.get(h);
      if (!item) continue;
      const size = level > 0 ? header.cbKey + 4 : header.cbKey + header.cbEnt;
      if (item.length % size !== 0) rep.report('PST-BTH-HEADER', { nid, field: level > 0 ? 'IntermediateBTHRecord' : 'LeafBTHRecord', message: `Item of ${item.length} bytes is not a multiple of ${size}.` });
      const n = Math.floor(item.length / size);
      if (level > 0) {
        for (let i = n - 1; i >= 0; i--) stack.push(le32(item, i * size + header.cbKey), level - 1);
      } else {
        for (let i = 0; i < n; i++) visit(item, i * size);
      }
    }
  };
  return run();
}

/** Every leaf record of the BTH at `hid`, in stored order. */
export function bthRecords(heap: Heap, hid: number, rep: Reporter, nid?: number): { header: BthHeader; records: BthRecord[] } | null {
  const records: BthRecord[] = [];
  const header = bthEach(heap, hid, rep, nid, (item, at) => records.push({ item, at }));
  return header ? { header, records } : null;
}
