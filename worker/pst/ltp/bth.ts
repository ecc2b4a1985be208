/**
 * B-tree-on-heap ([MS-PST] 2.3.2). PCs and TC row indexes are small enough that a full ordered
 * walk is what every caller needs, so this module only offers that walk, depth-limited.
 */
import { type Reporter, hex } from '../codes.ts';
import type { Heap } from './heap.ts';

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

export function bthHeader(heap: Heap, hid: number, rep: Reporter, nid?: number): BthHeader | null {
  const h = heap.get(hid);
  if (!h) return null;
  if (h.length < 8 || h[0] !== 0xb5 || ![2, 4, 8, 16].includes(h[1]!) || h[2]! < 1 || h[2]! > 32 || h[3]! > 8) {
    rep.report('PST-BTH-HEADER', { nid, field: h[0] !== 0xb5 ? 'BTHHEADER.bType' : 'BTHHEADER.cbKey', message: `At HID ${hex(hid)}.` });
    return null;
  }
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  return { cbKey: h[1]!, cbEnt: h[2]!, levels: h[3]!, hidRoot: dv.getUint32(4, true) };
}

/** Every leaf record of the BTH at `hid`, in stored order. */
export function bthRecords(heap: Heap, hid: number, rep: Reporter, nid?: number): { header: BthHeader; records: BthRecord[] } | null {
  const header = bthHeader(heap, hid, rep, nid);
  if (!header) return null;
  const records: BthRecord[] = [];
  if (header.hidRoot === 0) return { header, records };
  const seen = new Set<number>();
  const walk = (h: number, level: number) => {
    if (seen.has(h)) {
      rep.report('PST-BTH-CYCLE', { nid, field: 'IntermediateBTHRecord.hidNextLevel', message: `HID ${hex(h)}.` });
      return;
    }
    seen.add(h);
    const item = heap.get(h);
    if (!item) return;
    const size = level > 0 ? header.cbKey + 4 : header.cbKey + header.cbEnt;
    if (item.length % size !== 0) rep.report('PST-BTH-HEADER', { nid, field: level > 0 ? 'IntermediateBTHRecord' : 'LeafBTHRecord', message: `Item of ${item.length} bytes is not a multiple of ${size}.` });
    const n = Math.floor(item.length / size);
    for (let i = 0; i < n; i++) {
      const at = i * size;
      if (level > 0) {
        const dv = new DataView(item.buffer, item.byteOffset + at + header.cbKey, 4);
        walk(dv.getUint32(0, true), level - 1);
      } else {
        records.push({ item, at });
      }
    }
  };
  walk(header.hidRoot, header.levels);
  return { header, records };
}
