/**
 * Property context ([MS-PST] 2.3.3): a BTH (cbKey 2 = property id, cbEnt 6 = wPropType +
 * dwValueHnid) whose values are inline (≤ 4-byte types) or behind an HNID. Returns raw bytes per
 * property; the messaging layer decodes them once it knows the object's code page. A value that
 * does not resolve loses only that property (PST-PC-VALUE).
 */
import { type Reporter, hex } from '../codes.ts';
import { bthHeader, bthRecords, bthWalk } from './bth.ts';
import { CLIENT_PC } from './heap.ts';
import type { LtpNode } from './node.ts';
import { isInlinePcType } from './values.ts';
import { le16, le32 } from '../ndb/header.ts';

export interface RawProp {
  id: number;
  type: number;
  bytes: Uint8Array;
}

export async function readPc(node: LtpNode, rep: Reporter): Promise<RawProp[] | null> {
  return readPcAny(node, rep);
}

/**
 * readPc() without a promise unless a value lives in an uncached subnode; same result, checks and
 * findings in the same order.
 */
export function readPcAny(node: LtpNode, rep: Reporter): RawProp[] | null | Promise<RawProp[] | null> {
  const nid = node.nid;
  if (node.heap.clientSig !== CLIENT_PC) {
    rep.report('PST-HN-CLIENT', { nid, field: 'HNHDR.bClientSig', message: `Expected a property context (0xBC), found ${hex(node.heap.clientSig)}.` });
    return null;
  }
  const bth = bthRecords(node.heap, node.heap.hidUserRoot, rep, nid);
  if (!bth) return null;
  if (bth.header.cbKey !== 2 || bth.header.cbEnt !== 6) {
    rep.report('PST-BTH-HEADER', { nid, field: 'BTHHEADER.cbKey', message: `PC BTH has cbKey ${bth.header.cbKey}, cbEnt ${bth.header.cbEnt}.` });
    return null;
  }
  const out: RawProp[] = [];
  const records = bth.records;
  const add = (id: number, type: number, hnid: number, bytes: Uint8Array | null) => {
    if (!bytes) rep.report('PST-PC-VALUE', { nid, field: 'PropertyContext.dwValueHnid', message: `Property ${hex(id)} type ${hex(type)} (HNID ${hex(hnid)}).` });
    else out.push({ id, type, bytes });
  };
  const from = (k: number): RawProp[] | Promise<RawProp[]> => {
    for (; k < records.length; k++) {
      const { item: b, at } = records[k]!;
      const id = le16(b, at);
      const type = le16(b, at + 2);
      if (isInlinePcType(type)) {
        // A view, not a copy: inline types decode to numbers and the heap block is never reused.
        out.push({ id, type, bytes: b.subarray(at + 4, at + 8) });
        continue;
      }
      const hnid = le32(b, at + 4);
      // Heap HIDs resolve in place (their findings are the heap's); the field names the property
      // only for subnode HNIDs.
      const bytes = hnid === 0 ? new Uint8Array(0) : (hnid & 0x1f) === 0 ? node.heap.get(hnid) : node.hnidAny(hnid, `PC[${hex(id)}].dwValueHnid`);
      if (bytes instanceof Promise) {
        const next = k + 1;
        return bytes.then((v) => {
          add(id, type, hnid, v);
          return from(next);
        });
      }
      add(id, type, hnid, bytes);
    }
    return out;
  };
  return from(0);
}

/**
 * Raw properties without an object per property (the message hot path): property k is
 * (loc[4k] id, loc[4k+1] type) with its bytes at bufs[k][loc[4k+2], loc[4k+3]). Same content
 * and order as the RawProp[] readPc returns.
 */
export class RawList {
  n = 0;
  /** Per property: id, type, start, end. */
  readonly loc: number[];
  readonly bufs: Uint8Array[];

  /** `capacity`: the expected count (arrays sized once instead of grown push by push). */
  constructor(capacity = 0) {
    this.loc = capacity > 0 ? new Array<number>(4 * capacity) : [];
    this.bufs = capacity > 0 ? new Array<Uint8Array>(capacity) : [];
  }

  push(id: number, type: number, buf: Uint8Array, start: number, end: number): void {
    const n = this.n++;
    const loc = this.loc;
    loc[4 * n] = id;
    loc[4 * n + 1] = type;
    loc[4 * n + 2] = start;
    loc[4 * n + 3] = end;
    this.bufs[n] = buf;
  }

  static from(raw: RawProp[]): RawList {
    const l = new RawList();
    for (const p of raw) l.push(p.id, p.type, p.bytes, 0, p.bytes.length);
    return l;
  }
}

const EMPTY = new Uint8Array(0);

/** readPcAny() into a RawList: no object or view per property; same checks and findings. */
export function readPcListAny(node: LtpNode, rep: Reporter): RawList | null | Promise<RawList | null> {
  const nid = node.nid;
  const heap = node.heap;
  if (heap.clientSig !== CLIENT_PC) {
    rep.report('PST-HN-CLIENT', { nid, field: 'HNHDR.bClientSig', message: `Expected a property context (0xBC), found ${hex(heap.clientSig)}.` });
    return null;
  }
  // The leaf records as (items[k], ats[k]); a one-level BTH (nearly every PC) is one heap item
  // whose records are read in place: `leaf` from `leafAt`, `leafN` records (bthWalk's checks).
  let items: Uint8Array[] | undefined;
  let ats: number[] | undefined;
  let leaf: Uint8Array | null = null;
  let leafAt = 0;
  let leafN = 0;
  const header = bthHeader(heap, heap.hidUserRoot, rep, nid);
  if (!header) return null;
  if (header.levels === 0) {
    if (header.hidRoot !== 0) {
      leaf = heap.range(header.hidRoot);
      if (leaf) {
        const len = heap.end - heap.start;
        const size = header.cbKey + header.cbEnt;
        if (len % size !== 0) rep.report('PST-BTH-HEADER', { nid, field: 'LeafBTHRecord', message: `Item of ${len} bytes is not a multiple of ${size}.` });
        leafAt = heap.start;
        leafN = Math.floor(len / size);
      }
    }
  } else {
    const its: Uint8Array[] = (items = []);
    const as: number[] = (ats = []);
    bthWalk(heap, header, rep, nid, (item, at) => {
      its.push(item);
      as.push(at);
    });
  }
  if (header.cbKey !== 2 || header.cbEnt !== 6) {
    rep.report('PST-BTH-HEADER', { nid, field: 'BTHHEADER.cbKey', message: `PC BTH has cbKey ${header.cbKey}, cbEnt ${header.cbEnt}.` });
    return null;
  }
  const count = items ? items.length : leafN;
  const w: PcWalk = { node, rep, items, ats, leaf, leafAt, count, out: new RawList(Math.min(count, 4096)) };
  return pcFrom(w, 0);
}

/** readPcListAny's state between records (a plain object: no closure context per PC). */
interface PcWalk {
  node: LtpNode;
  rep: Reporter;
  items: Uint8Array[] | undefined;
  ats: number[] | undefined;
  leaf: Uint8Array | null;
  leafAt: number;
  count: number;
  out: RawList;
}

/** Records k.. of a PC into w.out; a promise from the first value in an uncached subnode on. */
function pcFrom(w: PcWalk, k: number): RawList | Promise<RawList> {
  const { node, items, ats, leaf, leafAt, count, out } = w;
  const heap = node.heap;
  for (; k < count; k++) {
    const b = items ? items[k]! : leaf!;
    const at = items ? ats![k]! : leafAt + 8 * k;
    const id = le16(b, at);
    const type = le16(b, at + 2);
    if (isInlinePcType(type)) {
      out.push(id, type, b, at + 4, at + 8);
      continue;
    }
    const hnid = le32(b, at + 4);
    if (hnid === 0) {
      out.push(id, type, EMPTY, 0, 0);
      continue;
    }
    if ((hnid & 0x1f) === 0) {
      const page = heap.range(hnid);
      if (page) out.push(id, type, page, heap.start, heap.end);
      else pcMissing(w, id, type, hnid);
      continue;
    }
    const v = node.hnidAny(hnid, `PC[${hex(id)}].dwValueHnid`);
    if (v instanceof Promise) return pcLater(w, v, k, id, type, hnid);
    pcValue(w, v, id, type, hnid);
  }
  return out;
}

function pcLater(w: PcWalk, v: Promise<Uint8Array | null>, k: number, id: number, type: number, hnid: number): Promise<RawList> {
  return v.then((x) => {
    pcValue(w, x, id, type, hnid);
    return pcFrom(w, k + 1);
  });
}

function pcValue(w: PcWalk, x: Uint8Array | null, id: number, type: number, hnid: number): void {
  if (x) w.out.push(id, type, x, 0, x.length);
  else pcMissing(w, id, type, hnid);
}

function pcMissing(w: PcWalk, id: number, type: number, hnid: number): void {
  w.rep.report('PST-PC-VALUE', { nid: w.node.nid, field: 'PropertyContext.dwValueHnid', message: `Property ${hex(id)} type ${hex(type)} (HNID ${hex(hnid)}).` });
}

/** What the validator needs from an attachment's PC (first resolved value of each). */
export interface PcProbe {
  /** PidTagAttachDataObject (0x3701, PtypObject) resolved with at least 4 bytes: its NID. */
  objectNid?: number;
  /** PidTagAttachMethod (0x3705, PtypInteger32). */
  attachMethod?: number;
}

/**
 * readPc's checks, findings and result (true where readPc returns a list, false where it
 * returns null) without building the property list: no per-property allocation, heap values
 * checked in place, only values in subnodes awaited. Optionally probes the attachment fields.
 */
export async function checkPc(node: LtpNode, rep: Reporter, probe?: PcProbe): Promise<boolean> {
  const nid = node.nid;
  const heap = node.heap;
  if (heap.clientSig !== CLIENT_PC) {
    rep.report('PST-HN-CLIENT', { nid, field: 'HNHDR.bClientSig', message: `Expected a property context (0xBC), found ${hex(heap.clientSig)}.` });
    return false;
  }
  let pending: number[] | null = null;
  let rec = 0;
  let objAt = -1;
  let methodAt = -1;
  const header = bthHeader(heap, heap.hidUserRoot, rep, nid);
  if (!header) return false;
  if (header.cbKey !== 2 || header.cbEnt !== 6) {
    bthWalk(heap, header, rep, nid, () => {}); // readPc walks (and reports) before this check
    rep.report('PST-BTH-HEADER', { nid, field: 'BTHHEADER.cbKey', message: `PC BTH has cbKey ${header.cbKey}, cbEnt ${header.cbEnt}.` });
    return false;
  }
  bthWalk(heap, header, rep, nid, (b, at) => {
    const r = rec++;
    const id = le16(b, at);
    const type = le16(b, at + 2);
    if (isInlinePcType(type)) {
      if (probe && id === 0x3705 && type === 0x0003 && methodAt < 0) {
        methodAt = r;
        probe.attachMethod = le32(b, at + 4);
      }
      return;
    }
    const hnid = le32(b, at + 4);
    if (hnid === 0 || (hnid & 0x1f) !== 0) {
      // Empty, or in a subnode: resolved below (async), in record order.
      (pending ??= []).push(r, id, type, hnid);
      return;
    }
    if (!heap.has(hnid)) {
      rep.report('PST-PC-VALUE', { nid, field: 'PropertyContext.dwValueHnid', message: `Property ${hex(id)} type ${hex(type)} (HNID ${hex(hnid)}).` });
      return;
    }
    if (probe && id === 0x3701 && type === 0x000d && objAt < 0) {
      objAt = r;
      const v = heap.get(hnid, true)!;
      if (v.length >= 4) probe.objectNid = le32(v, 0);
    }
  });
  if (pending) {
    const p: number[] = pending;
    for (let i = 0; i < p.length; i += 4) {
      const [r, id, type, hnid] = [p[i]!, p[i + 1]!, p[i + 2]!, p[i + 3]!];
      const bytes = await node.hnid(hnid, hnid !== 0 ? `PC[${hex(id)}].dwValueHnid` : '');
      if (!bytes) {
        rep.report('PST-PC-VALUE', { nid, field: 'PropertyContext.dwValueHnid', message: `Property ${hex(id)} type ${hex(type)} (HNID ${hex(hnid)}).` });
        continue;
      }
      if (probe && id === 0x3701 && type === 0x000d && (objAt < 0 || r < objAt)) {
        objAt = r;
        probe.objectNid = bytes.length >= 4 ? le32(bytes, 0) : undefined;
      }
    }
  }
  return true;
}
