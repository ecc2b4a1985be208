/**
 * Pre-flight integrity check of a PST/OST file: the function behind `mailferry validate` and the
 * page's health report. It walks the file the way a migration will read it and reports every
 * problem in spec terms (Finding codes from codes.ts), then sums them up into a verdict.
 *
 * Quick mode: header (magic, version, dwCRCPartial/dwCRCFull, fAMapValid, ibFileEof), runs of
 * zero bytes (sampled), every BBT and NBT page (PAGETRAILER, BTPAGE counts, key order and
 * ranges, cycles), every BBT entry's range, every NBT entry's bidData/bidSub against the BBT,
 * and every folder's and message's nidParent (orphans).
 * Full mode adds every block (BLOCKTRAILER, wSig, dwCRC, inflate) read in file order within each
 * BBT leaf, and every node's LTP structures (PCs, TCs, messages with recipients, attachments and
 * embedded messages). Memory stays bounded: B-tree walks hold one path, BBT keys are kept as a
 * packed sorted array (4 bytes per block) for the reference check, findings are capped.
 */
import type { ByteSource } from '../io/byte-source.ts';
import { SlabCache } from '../io/slab-cache.ts';
import type { Codecs } from '../codec/api.ts';
import { loadCodecs } from '../codec/index.ts';
import type { Finding, Severity } from '../findings.ts';
import { Reporter, hex } from './codes.ts';
import { PstOpenError, type PstEncryption, type PstVariant } from './index.ts';
import { LtpNode } from './ltp/node.ts';
import { checkPc, type PcProbe } from './ltp/pc.ts';
import { Table } from './ltp/tc.ts';
import { bidKey, type BbtEntry } from './ndb/btree.ts';
import { parseHeader } from './ndb/header.ts';
import { Blocks } from './ndb/blocks.ts';
import { PstFileImpl, checkHeader, nidType, NID_ATTACHMENT_TABLE, NID_RECIPIENT_TABLE } from './messaging/pst-file.ts';

export type Verdict = 'ok' | 'warnings' | 'damaged' | 'not-a-pst';

export interface ValidateProgress {
  phase: 'header' | 'zero-scan' | 'bbt' | 'nbt' | 'blocks' | 'nodes';
  done: number;
  total: number;
}

export interface ValidateOptions {
  /** Check every block and every node's LTP structures too. */
  full?: boolean;
  onProgress?: (p: ValidateProgress) => void;
  /** Keep at most this many findings in the report (counts stay exact); default 10 000. */
  maxFindings?: number;
  cacheBytes?: number;
  codecs?: Codecs;
  /**
   * With `full`: keep at most this many BBT and NBT entries between passes (12 bytes each);
   * above it the later passes walk the B-trees again. Default 4 000 000 (under 50 MiB a list).
   */
  keptEntries?: number;
}

/**
 * The validator's result (also the `--json` output of `mailferry validate`).
 * - `verdict`: 'ok' (no findings above info), 'warnings', 'damaged' (at least one error),
 *   'not-a-pst' (not a PST/OST file at all, or empty).
 * - `counts`: findings by severity and by code, plus what was checked.
 * - `findings`: each with `code`, `severity`, `message`, and where known `nid`, `offset`, `field`.
 */
export interface ValidationReport {
  verdict: Verdict;
  file: { name?: string; size: number };
  variant?: PstVariant;
  wVer?: number;
  encryption?: PstEncryption;
  full: boolean;
  /** One-line summary for people. */
  summary: string;
  counts: {
    errors: number;
    warnings: number;
    info: number;
    byCode: Record<string, number>;
    bbtPages: number;
    nbtPages: number;
    bbtEntries: number;
    nbtEntries: number;
    blocksChecked: number;
    nodesChecked: number;
    bytesChecked: number;
  };
  findings: Finding[];
  /** True when more findings were found than kept. */
  truncated: boolean;
}

/** Growable sorted set of BID keys / 4 (u32, or f64 once a key exceeds 2^32). */
class BidSet {
  private a: Uint32Array | Float64Array = new Uint32Array(1024);
  n = 0;
  sorted = true;
  add(bid: number): void {
    const k = Math.floor(bidKey(bid) / 4);
    if (this.n === this.a.length) {
      const b = new (this.a.constructor as Uint32ArrayConstructor)(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    if (k > 0xffffffff && this.a instanceof Uint32Array) this.a = Float64Array.from(this.a);
    if (this.n > 0 && k <= this.a[this.n - 1]!) this.sorted = false;
    this.a[this.n++] = k;
  }
  finish(): void {
    if (!this.sorted) {
      this.a = this.a.subarray(0, this.n).sort();
      this.sorted = true;
    }
  }
  has(bid: number): boolean {
    const k = Math.floor(bidKey(bid) / 4);
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.a[mid]!;
      if (v === k) return true;
      if (v < k) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

/** Growable u32 array (4 bytes per node, nothing per-object). */
class U32Vec {
  private a = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v >>> 0;
  }
  at(i: number): number {
    return this.a[i]!;
  }
}

/** Sorted list of NIDs (u32) for membership tests. */
class NidList {
  private a = new Uint32Array(1024);
  private n = 0;
  add(nid: number): void {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = nid >>> 0;
  }
  finish(): void {
    this.a = this.a.subarray(0, this.n).sort();
  }
  has(nid: number): boolean {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.a[mid]!;
      if (v === nid) return true;
      if (v < nid) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

/**
 * The BBT kept from the validator's own walk, packed (12 bytes per block: bid and ib/blockAlign
 * as u32, cb and cbInflated as u16), so the block pass can go through the file in offset order
 * without a second BBT walk and the LTP pass can resolve BIDs without re-reading BBT pages. Used
 * only when the walk found the tree sound (no findings, strictly ascending keys, every value
 * representable); otherwise `ok` is false and the B-tree paths are used as before.
 */
class BbtIndex {
  ok = true;
  n = 0;
  private bid = new Uint32Array(1024);
  private ibq = new Uint32Array(1024);
  private cb = new Uint16Array(1024);
  private cbi = new Uint16Array(1024);
  constructor(
    private readonly align: number,
    private readonly limit: number,
  ) {}
  add(e: BbtEntry): void {
    if (!this.ok) return;
    if (this.n >= this.limit) {
      // Past the cap the block pass walks the BBT again: memory stays bounded on huge files.
      this.ok = false;
      this.bid = this.ibq = new Uint32Array(0);
      this.cb = this.cbi = new Uint16Array(0);
      return;
    }
    const q = e.ib / this.align;
    if (e.bid > 0xffffffff || !Number.isInteger(q) || q > 0xffffffff || e.cb > 0xffff || e.cbInflated > 0xffff
      || (this.n > 0 && bidKey(e.bid) <= bidKey(this.bid[this.n - 1]!))) {
      this.ok = false;
      return;
    }
    if (this.n === this.bid.length) {
      const grow = <T extends Uint32Array | Uint16Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(a.length * 2);
        b.set(a);
        return b;
      };
      this.bid = grow(this.bid);
      this.ibq = grow(this.ibq);
      this.cb = grow(this.cb);
      this.cbi = grow(this.cbi);
    }
    const i = this.n++;
    this.bid[i] = e.bid;
    this.ibq[i] = q;
    this.cb[i] = e.cb;
    this.cbi[i] = e.cbInflated;
  }
  entry(i: number): BbtEntry {
    return { bid: this.bid[i]!, ib: this.ibq[i]! * this.align, cb: this.cb[i]!, cbInflated: this.cbi[i]!, cRef: 0 };
  }
  ib(i: number): number {
    return this.ibq[i]! * this.align;
  }
  find(bid: number): BbtEntry | undefined {
    const k = bidKey(bid);
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = bidKey(this.bid[mid]!);
      if (v === k) return this.entry(mid);
      if (v < k) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
  /** Entry indexes in file order. */
  fileOrder(): Uint32Array {
    const order = new Uint32Array(this.n);
    let sorted = true;
    for (let i = 0; i < this.n; i++) {
      order[i] = i;
      if (i > 0 && this.ibq[i]! < this.ibq[i - 1]!) sorted = false;
    }
    if (!sorted) {
      const ibq = this.ibq;
      order.sort((a, b) => ibq[a]! - ibq[b]!);
    }
    return order;
  }
}

/**
 * The LTP pass's view of the file: a few large windows (LRU) filled with one read each, so the
 * ~6 small block reads per message cost a bounds check and a subarray instead of a slab-cache
 * lookup each. Views are valid until the next read that misses (the LTP pass decodes every
 * block into its own buffer right after reading it, one read at a time).
 */
class WindowSource implements ByteSource {
  readonly size: number;
  readonly name?: string;
  private readonly bufs: Uint8Array[] = [];
  private readonly starts: number[] = [];
  private readonly lens: number[] = [];
  private readonly used: number[] = [];
  private tick = 0;
  constructor(private readonly src: ByteSource, private readonly win = 2 << 20, count = 4) {
    this.size = src.size;
    this.name = src.name;
    for (let i = 0; i < count; i++) {
      this.starts.push(-1);
      this.lens.push(0);
      this.used.push(0);
    }
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, Math.floor(offset)), this.size);
    const end = Math.min(this.size, start + Math.max(0, Math.floor(length)));
    for (let k = 0; k < this.starts.length; k++) {
      const ws = this.starts[k]!;
      if (ws >= 0 && start >= ws && end <= ws + this.lens[k]!) {
        this.used[k] = ++this.tick;
        return this.bufs[k]!.subarray(start - ws, end - ws);
      }
    }
    if (end - start > this.win / 2) return this.src.read(start, end - start);
    let v = 0;
    for (let k = 1; k < this.used.length; k++) if (this.used[k]! < this.used[v]!) v = k;
    const ws = start - (start % 65536);
    const len = Math.min(this.win, this.size - ws);
    this.bufs[v] ??= new Uint8Array(this.win);
    const buf = this.bufs[v]!;
    this.starts[v] = -1;
    let n: number;
    if (this.src.readInto) n = await this.src.readInto(ws, buf.subarray(0, len));
    else {
      const got = await this.src.read(ws, len);
      buf.set(got.subarray(0, len));
      n = Math.min(len, got.length);
    }
    this.starts[v] = ws;
    this.lens[v] = n;
    this.used[v] = ++this.tick;
    return buf.subarray(start - ws, Math.min(end, ws + n) - ws);
  }
}

const PC_NIDS = new Set([0x21, 0x61]);

export async function validate(source: ByteSource, options: ValidateOptions = {}): Promise<ValidationReport> {
  const full = options.full === true;
  const maxFindings = options.maxFindings ?? 10_000;
  const findings: Finding[] = [];
  const counts: ValidationReport['counts'] = {
    errors: 0, warnings: 0, info: 0, byCode: {}, bbtPages: 0, nbtPages: 0, bbtEntries: 0, nbtEntries: 0,
    blocksChecked: 0, nodesChecked: 0, bytesChecked: 0,
  };
  let truncated = false;
  const sink = (f: Finding) => {
    const key: Record<Severity, 'errors' | 'warnings' | 'info'> = { error: 'errors', warning: 'warnings', info: 'info' };
    counts[key[f.severity]]++;
    counts.byCode[f.code] = (counts.byCode[f.code] ?? 0) + 1;
    if (findings.length < maxFindings) findings.push(f);
    else truncated = true;
  };
  const rep = new Reporter(sink);
  const progress = options.onProgress ?? (() => {});
  const report = (extra: Partial<ValidationReport>): ValidationReport => {
    const verdict: Verdict = extra.verdict ?? (counts.errors > 0 ? 'damaged' : counts.warnings > 0 ? 'warnings' : 'ok');
    const summary = extra.summary ?? (verdict === 'ok'
      ? 'No problems found.'
      : `${counts.errors} error(s), ${counts.warnings} warning(s)` + (verdict === 'damaged' ? ': the file is damaged; items that use the damaged structures may be lost or incomplete.' : '.'));
    return { verdict, file: { name: source.name, size: source.size }, full, summary, counts, findings, truncated, ...extra };
  };

  const codecs = options.codecs ?? (await loadCodecs());
  const cache = new SlabCache(source, { budgetBytes: options.cacheBytes });
  progress({ phase: 'header', done: 0, total: 1 });
  let file: PstFileImpl;
  try {
    const head = (await cache.read(0, 564)).slice();
    const { header, crcPartialOk, crcFullOk } = parseHeader(head, cache.size, (d) => codecs.crc32(d));
    checkHeader(header, cache.size, rep, crcPartialOk, crcFullOk);
    file = new PstFileImpl(cache, header, rep, codecs, {});
  } catch (e) {
    if (!(e instanceof PstOpenError)) throw e;
    const notPst = e.code === 'PST-NOT-PST' || e.code === 'PST-EMPTY';
    sink({ code: e.code, severity: 'error', message: e.message, field: e.code === 'PST-NOT-PST' ? 'HEADER.dwMagic' : undefined });
    return report({ verdict: notPst ? 'not-a-pst' : 'damaged', summary: e.message });
  }
  const h = file.header;
  const extra = { variant: h.variant, wVer: h.wVer, encryption: h.encryption };

  // Zero runs, sampled: a 4 KiB window at every 1 MiB (every 256 KiB in full mode) and the end.
  const step = full ? 256 * 1024 : 1024 * 1024;
  const runs: { start: number; end: number; data: boolean }[] = [];
  {
    let runStart = -1;
    const total = cache.size;
    for (let at = 0; at < total; at += step) {
      const w = await source.read(at, Math.min(4096, total - at));
      const zero = w.length > 0 && w.every((x) => x === 0);
      if (zero && runStart < 0) runStart = at;
      if (!zero && runStart >= 0) {
        if (at - runStart >= 2 * step) runs.push({ start: runStart, end: at, data: false });
        runStart = -1;
      }
      if ((at / step) % 64 === 0) progress({ phase: 'zero-scan', done: at, total });
    }
    if (runStart >= 0 && total - runStart >= step) runs.push({ start: runStart, end: total, data: false });
  }
  const inRunOf = (r: { start: number; end: number }, ib: number) => ib >= r.start && ib < r.end;
  const inRun = (ib: number) => {
    for (const r of runs) if (ib >= r.start && ib < r.end) return r;
    return undefined;
  };

  for (const r of runs) if (inRunOf(r, h.nbtRoot.ib) || inRunOf(r, h.bbtRoot.ib)) r.data = true;

  // BBT: every page, every entry's range; remember keys for the NBT reference check.
  const bids = new BidSet();
  const L = h.layout;
  const keptLimit = options.keptEntries ?? 4_000_000;
  const index = full ? new BbtIndex(L.blockAlign, keptLimit) : null;
  const beforeBbt = rep.count;
  for await (const page of file.bt.walk('bbt')) {
    counts.bbtPages++;
    const pr = inRun(page.ib);
    if (pr) pr.data = true;
    if (!page.bbt) continue;
    for (const e of page.bbt) {
      counts.bbtEntries++;
      bids.add(e.bid);
      index?.add(e);
      const span = Math.ceil((e.cb + L.blockTrailerSize) / L.blockAlign) * L.blockAlign;
      if (e.ib % L.blockAlign !== 0 || e.ib + span > cache.size || e.ib < 512) {
        rep.report('PST-BTREE-RANGE', { offset: page.ib, field: 'BBTENTRY.bref.ib', message: `Block ${hex(e.bid)} at ${hex(e.ib)} (${e.cb} bytes) lies outside the file or is misaligned.` });
      }
      if (L.fourK && e.cbInflated < e.cb) {
        rep.report('PST-BTREE-RANGE', { offset: page.ib, field: 'BBTENTRY.cbInflated', message: `Block ${hex(e.bid)}: cbInflated ${e.cbInflated} < cbStored ${e.cb}.` });
      }
      const r = inRun(e.ib);
      if (r) r.data = true;
    }
    if (counts.bbtPages % 256 === 0) progress({ phase: 'bbt', done: counts.bbtEntries, total: 0 });
  }
  bids.finish();
  const bbtIndex = index && index.ok && rep.count === beforeBbt && index.n === counts.bbtEntries ? index : null;
  for (const r of runs) {
    rep.report(r.data ? 'PST-ZERO-RUN' : 'PST-ZERO-RUN-FREE', { offset: r.start, message: `About ${Math.round((r.end - r.start) / 1024)} KiB of zero bytes from ${hex(r.start)}.` });
  }

  // NBT: every page; every entry's blocks must be in the BBT; folders and messages must have a
  // parent folder in the NBT (NBTENTRY.nidParent), else they are orphans.
  const nodeIds = new NidList();
  const children = new U32Vec();
  const parents = new U32Vec();
  // Full mode keeps (nid, bidData, bidSub) of a sound NBT for the LTP pass (12 bytes per node)
  // instead of walking the tree a second time.
  let nbtKeep: { nid: U32Vec; data: U32Vec; sub: U32Vec } | null = full ? { nid: new U32Vec(), data: new U32Vec(), sub: new U32Vec() } : null;
  const beforeNbt = rep.count;
  for await (const page of file.bt.walk('nbt')) {
    counts.nbtPages++;
    if (!page.nbt) continue;
    for (const e of page.nbt) {
      counts.nbtEntries++;
      nodeIds.add(e.nid);
      if (nbtKeep) {
        if (e.bidData > 0xffffffff || e.bidSub > 0xffffffff || nbtKeep.nid.length >= keptLimit) nbtKeep = null;
        else {
          nbtKeep.nid.push(e.nid);
          nbtKeep.data.push(e.bidData);
          nbtKeep.sub.push(e.bidSub);
        }
      }
      const t = nidType(e.nid);
      if ((t === 0x02 || t === 0x03 || t === 0x04 || t === 0x08) && e.nid !== 0x122) {
        children.push(e.nid);
        parents.push(e.nidParent);
      }
      if (e.bidData && !bids.has(e.bidData)) {
        rep.report('PST-BBT-MISSING', { nid: e.nid, offset: page.ib, field: 'NBTENTRY.bidData', message: `Node ${hex(e.nid)} refers to block ${hex(e.bidData)}.` });
      }
      if (e.bidSub && !bids.has(e.bidSub)) {
        rep.report('PST-BBT-MISSING', { nid: e.nid, offset: page.ib, field: 'NBTENTRY.bidSub', message: `Node ${hex(e.nid)} refers to subnode block ${hex(e.bidSub)}.` });
      }
    }
    if (counts.nbtPages % 256 === 0) progress({ phase: 'nbt', done: counts.nbtEntries, total: 0 });
  }

  if (rep.count !== beforeNbt) nbtKeep = null;
  nodeIds.finish();
  let orphans = 0;
  for (let i = 0; i < children.length; i++) {
    const nid = children.at(i);
    const parent = parents.at(i);
    if (nodeIds.has(parent)) continue;
    if (++orphans <= 100) rep.report('PST-ORPHAN', { nid, field: 'NBTENTRY.nidParent', message: `Node ${hex(nid)} names parent ${hex(parent)}, which is not in the node B-tree.` });
  }
  if (orphans > 100) rep.report('PST-ORPHAN', { field: 'NBTENTRY.nidParent', message: `${orphans} orphaned nodes in total.` });

  if (full) {
    // Every block, in file order within batches of BBT leaves, read in large sequential runs.
    file.bt.clear();
    const RUN = 4 << 20;
    const runBufs = source.readInto ? [new Uint8Array(RUN), new Uint8Array(RUN)] : [];
    let batch: BbtEntry[] = [];
    const flush = async () => {
      const entries = batch.sort((a, b) => a.ib - b.ib);
      batch = [];
      // Runs of nearby blocks (≤ RUN bytes each); run r+1 is read while run r is checked, into
      // two reused buffers when the source can fill a caller's buffer.
      const runs: number[] = []; // i, j, start, end per run (j = i: one unreadable entry)
      let i = 0;
      while (i < entries.length) {
        const start = entries[i]!.ib;
        let end = start;
        let j = i;
        for (; j < entries.length; j++) {
          const e = entries[j]!;
          const span = file.blocks.span(e);
          if (e.ib < start || e.ib + span - start > RUN || e.ib + span > cache.size || e.ib - end > 1 << 20) break;
          end = Math.max(end, e.ib + span);
        }
        runs.push(i, j, start, end);
        i = Math.max(j, i + 1);
      }
      const fetchRun = (r: number): Promise<Uint8Array | undefined> | undefined => {
        if (r >= runs.length || runs[r + 1]! <= runs[r]!) return undefined;
        const start = runs[r + 2]!;
        const len = runs[r + 3]! - start;
        if (!source.readInto) return source.read(start, len);
        const buf = runBufs[(r >> 2) & 1]!.subarray(0, len);
        return source.readInto(start, buf).then((n) => (n < len ? buf.subarray(0, n) : buf));
      };
      let next = fetchRun(0);
      for (let r = 0; r < runs.length; r += 4) {
        const [ri, rj, start] = [runs[r]!, runs[r + 1]!, runs[r + 2]!];
        const buf = await next;
        next = fetchRun(r + 4);
        for (let k = ri; k < Math.max(rj, ri + 1); k++) {
          const e = entries[k]!;
          const raw = buf && k < rj ? buf.subarray(e.ib - start, e.ib - start + file.blocks.span(e)) : undefined;
          const data = await file.blocks.readEntry(e, {}, raw, true);
          counts.blocksChecked++;
          counts.bytesChecked += e.cb;
          if (data && Math.floor(e.bid / 2) % 2 === 1) {
            const t = data[0];
            if (t !== 0x01 && t !== 0x02) rep.report('PST-BLOCK-TYPE', { offset: e.ib, field: 'XBLOCK.btype', message: `Internal block ${hex(e.bid)} has type ${hex(t ?? 0)}.` });
          }
        }
      }
      await next;
      progress({ phase: 'blocks', done: counts.blocksChecked, total: counts.bbtEntries });
    };
    if (bbtIndex) {
      // The BBT from the first walk, in file order: one sequential pass over the whole file.
      const order = bbtIndex.fileOrder();
      for (let k = 0; k < order.length; k++) {
        batch.push(bbtIndex.entry(order[k]!));
        if (batch.length >= 8192) await flush();
      }
    } else {
      for await (const page of file.bt.walk('bbt')) {
        if (!page.bbt) continue;
        for (const e of page.bbt) batch.push(e);
        if (batch.length >= 8192) await flush();
      }
    }
    await flush();
    // Block trailers and CRCs are checked now; the LTP pass need not redo them.
    file.blocks.verifyCrc = false;
    // With a sound BBT in memory the LTP pass reads blocks through large windows of the file.
    const blocks = bbtIndex ? new Blocks(new WindowSource(source), L, file.bt, rep, codecs, h.encryption, false) : file.blocks;
    if (bbtIndex) blocks.bbtIndex = (bid) => bbtIndex.find(bid);
    // Every node's LTP structures (a second NBT walk: nothing per node is kept).
    const total = counts.nbtEntries;
    file.bt.clear();
    const kept = nbtKeep;
    const nodes = kept
      ? (function* () {
        const n = { nid: 0, bidData: 0, bidSub: 0 };
        for (let i = 0; i < kept.nid.length; i++) {
          n.nid = kept.nid.at(i);
          n.bidData = kept.data.at(i);
          n.bidSub = kept.sub.at(i);
          yield n;
        }
      })()
      : (async function* () {
        for await (const page of file.bt.walk('nbt')) yield* page.nbt ?? [];
      })();
    for await (const n of nodes) {
      counts.nodesChecked++;
      const t = nidType(n.nid);
      try {
        if (t === 0x04 || t === 0x08) {
          const node = await LtpNode.open(blocks, rep, n.nid, n.bidData, n.bidSub, undefined, true);
          if (!node) rep.report('PST-MESSAGE', { nid: n.nid, message: `Message ${hex(n.nid)} has no readable heap.` });
          else await checkMessage(node, rep, L.ansi, 0);
        } else if (t === 0x02 || t === 0x03 || PC_NIDS.has(n.nid)) {
          const node = await LtpNode.open(blocks, rep, n.nid, n.bidData, n.bidSub, undefined, true);
          if (node) await checkPc(node, rep);
          else rep.report('PST-FOLDER', { nid: n.nid, message: `Object ${hex(n.nid)} has no readable heap.` });
        } else if (t === 0x0d || t === 0x0e || t === 0x0f || t === 0x10) {
          const node = await LtpNode.open(blocks, rep, n.nid, n.bidData, n.bidSub, undefined, true);
          // Search contents tables may use the undocumented 0xAC table variant: not checked.
          const table = node && !(t === 0x10 && node.heap.clientSig === 0xac) ? Table.open(node, rep, L.ansi) : null;
          if (table) await table.checkRows();
        }
      } catch (e) {
        rep.report('PST-MESSAGE', { nid: n.nid, message: `Unexpected failure: ${(e as Error).message}` });
      }
      if (counts.nodesChecked % 500 === 0) progress({ phase: 'nodes', done: counts.nodesChecked, total });
    }
    progress({ phase: 'nodes', done: total, total });
  }
  await file.storeInfo().catch(() => undefined); // reports the password flag (info)
  return report(extra);
}

/**
 * LTP structure of one message: its PC, recipient and attachment TCs, every attachment PC and
 * embedded messages below them ([MS-PST] 2.4.5-2.4.6). Values in subnodes are not read (the
 * block pass checked their blocks); the node is shallow.
 */
async function checkMessage(node: LtpNode, rep: Reporter, ansi: boolean, depth: number): Promise<void> {
  if (!(await checkPc(node, rep))) {
    rep.report('PST-MESSAGE', { nid: node.nid, message: `Message ${hex(node.nid)}: its property context is unreadable.` });
    return;
  }
  const subs = await node.subnodes();
  for (const tnid of [NID_RECIPIENT_TABLE, NID_ATTACHMENT_TABLE]) {
    if (!subs.has(tnid)) continue;
    const tn = await node.openSubnode(tnid);
    const table = tn ? Table.open(tn, rep, ansi) : null;
    if (!table) {
      rep.report(tnid === NID_RECIPIENT_TABLE ? 'PST-RECIPIENTS' : 'PST-ATTACHMENT', { nid: node.nid, message: `Message ${hex(node.nid)}: table ${hex(tnid)} is unreadable.` });
      continue;
    }
    if (tnid !== NID_ATTACHMENT_TABLE) {
      await table.checkRows();
      continue;
    }
    await table.checkRows(async (rowId) => {
      const an = await node.openSubnode(rowId);
      const probe: PcProbe = {};
      if (!an || !(await checkPc(an, rep, probe))) {
        rep.report('PST-ATTACHMENT', { nid: node.nid, message: `Attachment ${hex(rowId)} of message ${hex(node.nid)} is unreadable.` });
        return;
      }
      const m = probe.attachMethod;
      if (probe.objectNid !== undefined && (m === 5 || m === undefined)) {
        if (depth >= 32) {
          rep.report('PST-EMBED-DEPTH', { nid: node.nid });
          return;
        }
        const sub = await an.openSubnode(probe.objectNid);
        if (!sub) rep.report('PST-ATTACHMENT', { nid: node.nid, field: 'PidTagAttachDataObject', message: `Embedded message of attachment ${hex(rowId)} is unreadable.` });
        else await checkMessage(sub, rep, ansi, depth + 1);
      }
    });
  }
}
