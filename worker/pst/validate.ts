/**
 * Pre-flight integrity check of a PST/OST file: the function behind `mailferry validate` and the
 * page's health report. It walks the file the way a migration will read it and reports every
 * problem in spec terms (Finding codes from codes.ts), then sums them up into a verdict.
 *
 * Quick mode: header (magic, version, dwCRCPartial/dwCRCFull, fAMapValid, ibFileEof), runs of
 * zero bytes (sampled), every BBT and NBT page (PAGETRAILER, BTPAGE counts, key order and
 * ranges, cycles), every BBT entry's range, every NBT entry's bidData/bidSub against the BBT,
 * and every folder's and message's nidParent (orphans).
 * Full mode adds every block (BLOCKTRAILER, wSig, dwCRC, inflate; validate-blocks.ts) and every
 * node's LTP structures (heaps, BTHs, PCs, TCs, subnode trees, messages with recipients,
 * attachments and embedded messages; validate-ltp.ts). When both B-trees are sound, that is one
 * sequential pass over the file: the blocks in file order, and each node checked synchronously
 * from the block bytes in hand right after the run holding its data block (fusedPass), with the
 * BBT kept (12 bytes per block) and the NBT (3-6 bytes per node). A BBT of more than one window
 * (WINDOW blocks) is taken in windows of BIDs, one such pass each (windowedPass), so the memory
 * for blocks does not grow with the file; the NBT is then kept as the list of leaf pages that
 * hold each window's nodes (about one byte per leaf page), read again in the window's turn.
 * Otherwise (a damaged B-tree, an NBT too large to keep) blocks are checked in file order per
 * batch of BBT leaves and nodes read through the reader's NDB layer. Folder tables of more than
 * a few hundred KiB go through the reader's layers with their heap paged. Memory stays bounded:
 * B-tree walks hold one path, kept lists are capped (keptEntries), findings are capped.
 */
import type { ByteSource } from '../io/byte-source.ts';
import { SlabCache } from '../io/slab-cache.ts';
import type { Codecs } from '../codec/api.ts';
import { loadCodecs } from '../codec/index.ts';
import type { Finding, Severity } from '../findings.ts';
import { Reporter, hex } from './codes.ts';
import { PstOpenError, type PstEncryption, type PstVariant } from './index.ts';
import { bbtLeafRaw, bidKey, lastAtOrBelow, type BbtEntry } from './ndb/btree.ts';
import { U32Vec } from './u32vec.ts';
import { LeafList, NbtPacked, NidSet } from './nbt-packed.ts';
import { parseHeader } from './ndb/header.ts';
import { Blocks } from './ndb/blocks.ts';
import { PstFileImpl, checkHeader, nidType } from './messaging/pst-file.ts';
import { BlockCheck } from './validate-blocks.ts';
import { BtWalker } from './validate-btree.ts';
import { LtpChecker, MISS, PAGED, type LtpSource } from './validate-ltp.ts';
import { checkNodeLayers } from './validate-layers.ts';

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
  /**
   * Budget of the slab cache behind the header, store and B-tree lookups (default 512 KiB, in
   * 64 KiB slabs). Blocks are read in the pass's own runs and B-tree pages through the walker's
   * own slabs, so little goes through it: validate --full of the 4 GiB message-heavy file loaded
   * 67 slabs and hit 65 times with 2 MiB. The larger the budget, the more of it a long run filled
   * with slabs read once, which a short one never did: with the reader's 8 MiB the 4 GiB file
   * peaked at 124-125 MiB, with 2 MiB at 122; with 512 KiB (and side windows of 256 KiB, see
   * SIDE_WINDOW) the 4 GiB files peaked 2-3 MiB lower than with 2 MiB, in the same time.
   */
  cacheBytes?: number;
  codecs?: Codecs;
  /**
   * With `full`: keep at most this many NBT entries between passes (packed, 3-6 bytes each), or
   * in a pass in windows this many references to NBT leaf pages (about a byte each); above it the
   * later passes walk the NBT again. And at most this many BBT entries (12 bytes each) at a time.
   * Default 4 000 000.
   */
  keptEntries?: number;
  /**
   * With `full`, check a sound BBT of more than `keptWhole` entries in windows of this many
   * entries (default 65 536, at most keptEntries), one fused pass each. With `parts` the BBT is
   * kept whole up to 2 097 152 entries (the parts need it whole).
   */
  windowEntries?: number;
  /**
   * With `full`: keep a sound BBT of up to this many entries whole, for one fused pass (default
   * 262 144, KEPT_WHOLE; when only windowEntries is given, windowEntries). At most keptEntries.
   */
  keptWhole?: number;
  /**
   * With `full`, a BBT taken in windows: called after each window, when that window's buffers and
   * plan are garbage (the CLI has the garbage collector run there now and then), and before the
   * first one when the index the first walk filled (up to keptWhole entries) has just been let
   * go: collected there, its few MiB do not wait through the first window (4 GiB
   * attachment-heavy file: 85 MiB instead of 88).
   */
  betweenWindows?: () => void;
  /** With `full`: told which way the blocks and nodes are checked, and in how many windows (tests, benchmarks). */
  onPass?: (pass: 'fused' | 'parts' | 'windowed' | 'two-pass', windows: number) => void;
  /** With `full`: bytes read per sequential run of the file (default 4 MiB; a run holds at least one block). */
  runBytes?: number;
  /**
   * With `full` and sound B-trees: cut the one pass over the file into `count` parts of about
   * equal work, part 0 checked here and the others handed to `run` (a worker thread or Web
   * Worker calling validatePart), all at once. The findings are those of one pass, listed part
   * by part; counts are the same. A part whose `run` fails is checked here.
   */
  parts?: { count: number; run(input: FusedPartInput, onProgress: (blocks: number, nodes: number) => void): Promise<FusedPartResult> };
  /**
   * With `full`: bytes of blocks one node may gather from outside the runs in hand (default
   * 32 MiB); past it that node is checked through the reader's layers, reading as it goes.
   */
  sideBytes?: number;
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

/**
 * The BIDs of the BBT, for the NBT's references to them. Keys are BID / 4 (the two low bits are
 * flags, [MS-PST] 2.2.2.2): a bitmap for keys below 2^28 (block BIDs come from a counter, so one
 * bit per block ever allocated: about a MiB for a file of nine million blocks, where a sorted
 * array took 36-72 MiB), a sorted array for the rest.
 */
class BidSet {
  private bits = new Uint32Array(2048);
  private a: Uint32Array | Float64Array = new Uint32Array(0);
  n = 0;
  sorted = true;
  private static readonly BITMAP_KEYS = 2 ** 28;
  add(bid: number): void {
    const k = Math.floor(bidKey(bid) / 4);
    if (k < BidSet.BITMAP_KEYS) {
      const w = k >>> 5;
      if (w >= this.bits.length) {
        const b = new Uint32Array(Math.max(w + 1, this.bits.length * 2));
        b.set(this.bits);
        this.bits = b;
      }
      this.bits[w]! |= 1 << (k & 31);
      return;
    }
    if (this.n === this.a.length) {
      const b = new (this.a.constructor as Uint32ArrayConstructor)(Math.max(1024, this.a.length * 2));
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
    if (k < BidSet.BITMAP_KEYS) {
      const w = k >>> 5;
      return w < this.bits.length && (this.bits[w]! & (1 << (k & 31))) !== 0;
    }
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
  /** Drop the keys (only the NBT pass asks for them; validate's closures outlive it). */
  release(): void {
    this.bits = new Uint32Array(0);
    this.a = new Uint32Array(0);
    this.n = 0;
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
  private bid = new Uint32Array(65536);
  private ibq = new Uint32Array(65536);
  private cb = new Uint16Array(65536);
  private cbi = new Uint16Array(65536);
  /** bidKey of every `window`-th entry added: where each window of windowedPass starts. */
  readonly starts: number[] = [];
  private seen = 0;
  constructor(
    readonly align: number,
    readonly limit: number,
    private window = limit,
  ) {}
  /** The entries as arrays (copies, for a worker; see BbtIndex.of). */
  arrays(): BbtArrays {
    const n = this.n;
    return { align: this.align, bid: this.bid.slice(0, n), ibq: this.ibq.slice(0, n), cb: this.cb.slice(0, n), cbi: this.cbi.slice(0, n) };
  }
  static of(a: BbtArrays): BbtIndex {
    const x = new BbtIndex(a.align, a.bid.length);
    x.bid = a.bid;
    x.ibq = a.ibq;
    x.cb = a.cb;
    x.cbi = a.cbi;
    x.n = a.bid.length;
    return x;
  }
  /**
   * Past the cap the entries are dropped (memory stays bounded on huge files) but still checked:
   * `over` with `ok` says the tree can be taken in windows (`starts`); the first `limit` entries
   * stay.
   */
  over = false;
  private lastKey = -1;
  add(bid: number, ib: number, cb: number, cbInflated: number): void {
    if (!this.ok) return;
    const q = ib / this.align;
    if (bid > 0xffffffff || !Number.isInteger(q) || q > 0xffffffff || cb > 0xffff || cbInflated > 0xffff || bidKey(bid) <= this.lastKey) {
      this.ok = false;
      return;
    }
    this.lastKey = bidKey(bid);
    if (this.seen++ % this.window === 0) this.starts.push(this.lastKey);
    if (this.over) return;
    if (this.n >= this.limit) {
      this.over = true;
      return;
    }
    if (this.n === this.bid.length) {
      const grow = <T extends Uint32Array | Uint16Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(Math.min(a.length * 2, Math.max(this.limit, a.length + 1)));
        b.set(a);
        return b;
      };
      this.bid = grow(this.bid);
      this.ibq = grow(this.ibq);
      this.cb = grow(this.cb);
      this.cbi = grow(this.cbi);
    }
    const i = this.n++;
    this.bid[i] = bid;
    this.ibq[i] = q;
    this.cb[i] = cb;
    this.cbi[i] = cbInflated;
  }
  /** Empty for good, the arrays let go (a larger index replaced by windows: windowIndex). */
  release(): void {
    this.bid = new Uint32Array(0);
    this.ibq = new Uint32Array(0);
    this.cb = new Uint16Array(0);
    this.cbi = new Uint16Array(0);
    this.n = 0;
    this.ok = false;
  }
  /** Empty again, keeping the arrays, for a window of windowedPass (`starts` stays as it is). */
  reset(): void {
    this.window = Infinity;
    this.n = 0;
    this.over = false;
    this.lastKey = -1;
  }
  entry(i: number): BbtEntry {
    return { bid: this.bid[i]!, ib: this.ibq[i]! * this.align, cb: this.cb[i]!, cbInflated: this.cbi[i]!, cRef: 0 };
  }
  ib(i: number): number {
    return this.ibq[i]! * this.align;
  }
  find(bid: number): BbtEntry | undefined {
    const i = this.indexOf(bid);
    return i < 0 ? undefined : this.entry(i);
  }
  /** Position of `bid` (bidKey match), or -1. */
  indexOf(bid: number): number {
    const k = bidKey(bid);
    const a = this.bid;
    let lo = 0;
    let hi = this.n - 1;
    // BIDs are handed out in steps of 4 and mostly kept: interpolation finds a key in a probe
    // or two; after four probes it falls back to bisection (at most 4 + log2 n probes).
    for (let probe = 0; lo <= hi; probe++) {
      const lv = a[lo]! - (a[lo]! & 1);
      const hv = a[hi]! - (a[hi]! & 1);
      if (k < lv || k > hv) return -1;
      let mid = probe < 4 && hv > lv ? lo + Math.floor(((k - lv) / (hv - lv)) * (hi - lo)) : (lo + hi) >> 1;
      if (mid < lo) mid = lo;
      else if (mid > hi) mid = hi;
      const v = a[mid]!;
      const vk = v - (v & 1);
      if (vk === k) return mid;
      if (vk < k) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
  bidAt(i: number): number {
    return this.bid[i]!;
  }
  cbAt(i: number): number {
    return this.cb[i]!;
  }
  cbInflatedAt(i: number): number {
    return this.cbi[i]!;
  }
  /** Entry indexes in file order. */
  fileOrder(arrays: PlanArrays = new PlanArrays()): Uint32Array {
    const order = arrays.u32(0, this.n);
    let sorted = true;
    for (let i = 0; i < this.n; i++) {
      order[i] = i;
      if (i > 0 && this.ibq[i]! < this.ibq[i - 1]!) sorted = false;
    }
    if (sorted) return order;
    return offsetOrder(this.ibq, this.n, arrays);
  }
}

/**
 * Typed arrays the plans of a windowed pass take in turn (planFused, offsetOrder): each window's
 * plan is done with before the next is made, so one set, grown to the largest window, serves
 * them all instead of a few MiB of new arrays per window. A plan made once takes a fresh set.
 * Exported for tests.
 */
export class PlanArrays {
  private readonly u32s: Uint32Array[] = [];
  private readonly f64s: Float64Array[] = [];
  /** Array `slot` with `n` elements (contents left from an earlier plan: callers write all n). */
  u32(slot: number, n: number): Uint32Array {
    let a = this.u32s[slot];
    if (!a || a.length < n) a = this.u32s[slot] = new Uint32Array(Math.max(n, a ? Math.ceil(a.length * 1.5) : 0));
    return a.subarray(0, n);
  }
  f64(slot: number, n: number): Float64Array {
    let a = this.f64s[slot];
    if (!a || a.length < n) a = this.f64s[slot] = new Float64Array(Math.max(n, a ? Math.ceil(a.length * 1.5) : 0));
    return a.subarray(0, n);
  }
}

/**
 * Indexes 0..n-1 ordered by `ibq[i]`, ties by index (BbtIndex.fileOrder): a stable radix sort
 * over the u32 values, 16 bits at a time, two passes over the entries instead of a comparison
 * sort of 10^5-10^6 keys. Exported for tests.
 */
export function offsetOrder(ibq: Uint32Array, n: number, arrays: PlanArrays = new PlanArrays()): Uint32Array {
  const order = arrays.u32(0, n);
  const tmp = arrays.u32(1, n);
  const at = arrays.u32(2, 65536).fill(0);
  for (let i = 0; i < n; i++) at[ibq[i]! & 0xffff]++;
  for (let d = 0, sum = 0; d < 65536; d++) {
    const c = at[d]!;
    at[d] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) tmp[at[ibq[i]! & 0xffff]++] = i;
  at.fill(0);
  for (let i = 0; i < n; i++) at[ibq[i]! >>> 16]++;
  for (let d = 0, sum = 0; d < 65536; d++) {
    const c = at[d]!;
    at[d] = sum;
    sum += c;
  }
  for (let k = 0; k < n; k++) {
    const i = tmp[k]!;
    order[at[ibq[i]! >>> 16]++] = i;
  }
  return order;
}

/**
 * Bytes per window of the WindowSource behind the fused pass's blocks that lie outside its runs
 * in hand. 256 KiB instead of 512: the same times, and the 4 GiB files peaked about 1 MiB lower.
 */
const SIDE_WINDOW = 256 << 10;

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

export async function validate(source: ByteSource, options: ValidateOptions = {}): Promise<ValidationReport> {
  const full = options.full === true;
  const maxFindings = options.maxFindings ?? 10_000;
  const counts: ValidationReport['counts'] = {
    errors: 0, warnings: 0, info: 0, byCode: {}, bbtPages: 0, nbtPages: 0, bbtEntries: 0, nbtEntries: 0,
    blocksChecked: 0, nodesChecked: 0, bytesChecked: 0,
  };
  const tally = new FindingTally(counts, maxFindings);
  const rep = new Reporter(tally.add);
  const progress = options.onProgress ?? (() => {});
  const report = (extra: Partial<ValidationReport>): ValidationReport => {
    const verdict: Verdict = extra.verdict ?? (counts.errors > 0 ? 'damaged' : counts.warnings > 0 ? 'warnings' : 'ok');
    const summary = extra.summary ?? (verdict === 'ok'
      ? 'No problems found.'
      : `${counts.errors} error(s), ${counts.warnings} warning(s)` + (verdict === 'damaged' ? ': the file is damaged; items that use the damaged structures may be lost or incomplete.' : '.'));
    return { verdict, file: { name: source.name, size: source.size }, full, summary, counts, findings: tally.findings, truncated: tally.truncated, ...extra };
  };

  const codecs = options.codecs ?? (await loadCodecs());
  const cache = new SlabCache(source, { budgetBytes: options.cacheBytes ?? 512 << 10, slabBytes: 64 << 10 });
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
    tally.add({ code: e.code, severity: 'error', message: e.message, field: e.code === 'PST-NOT-PST' ? 'HEADER.dwMagic' : undefined });
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
    const probe = new Uint8Array(4096);
    const allZero = (w: Uint8Array) => {
      for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
      return w.length > 0;
    };
    for (let at = 0; at < total; at += step) {
      const len = Math.min(4096, total - at);
      const w = source.readInto ? probe.subarray(0, await source.readInto(at, probe.subarray(0, len))) : await source.read(at, len);
      const zero = allZero(w);
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
  // The BBT is kept whole up to KEPT_WHOLE entries (or one window, when the caller sets the
  // windows); past that windowedPass takes it in windows, so memory is the same however many
  // blocks the file has. The parts of a pass in threads need it whole.
  const windowEntries = Math.max(1, Math.min(keptLimit, options.windowEntries ?? WINDOW));
  const wholeEntries = Math.max(1, options.keptWhole ?? (options.windowEntries !== undefined ? windowEntries : Math.max(windowEntries, KEPT_WHOLE)));
  const index = full ? new BbtIndex(L.blockAlign, Math.min(keptLimit, options.parts ? PARTS_KEPT : wholeEntries), windowEntries) : null;
  const beforeBbt = rep.count;
  const walker = new BtWalker(source, L, rep, (d) => codecs.crc32(d));
  await walker.walk('bbt', h.bbtRoot, {
    page: (ib) => {
      counts.bbtPages++;
      const pr = inRun(ib);
      if (pr) pr.data = true;
      if (counts.bbtPages % 256 === 0) progress({ phase: 'bbt', done: counts.bbtEntries, total: 0 });
    },
    leaf: (n, _keys, bid, ib, cb, cbi, pageIb) => {
      counts.bbtEntries += n;
      const align = L.blockAlign;
      for (let i = 0; i < n; i++) {
        const eBid = bid[i]!;
        const eIb = ib[i]!;
        const eCb = cb[i]!;
        const eCbi = cbi[i]!;
        bids.add(eBid);
        index?.add(eBid, eIb, eCb, eCbi);
        const span = (eCb + L.blockTrailerSize + align - 1) & -align;
        if (eIb % align !== 0 || eIb + span > cache.size || eIb < 512) {
          rep.report('PST-BTREE-RANGE', { offset: pageIb, field: 'BBTENTRY.bref.ib', message: `Block ${hex(eBid)} at ${hex(eIb)} (${eCb} bytes) lies outside the file or is misaligned.` });
        }
        if (L.fourK && eCbi < eCb) {
          rep.report('PST-BTREE-RANGE', { offset: pageIb, field: 'BBTENTRY.cbInflated', message: `Block ${hex(eBid)}: cbInflated ${eCbi} < cbStored ${eCb}.` });
        }
        if (runs.length) {
          const r = inRun(eIb);
          if (r) r.data = true;
        }
      }
    },
  });
  // Block reads through the NDB layer fall back to a trailer scan when the BBT is damaged.
  if (walker.bbtDamaged) file.bt.bbtDamaged = true;
  bids.finish();
  const bbtIndex = index && index.ok && rep.count === beforeBbt && index.n === counts.bbtEntries ? index : null;
  // A sound BBT too large to keep whole: the full pass takes it in windows (windowedPass).
  const bbtWindowed = index && index.ok && index.over && rep.count === beforeBbt;
  for (const r of runs) {
    rep.report(r.data ? 'PST-ZERO-RUN' : 'PST-ZERO-RUN-FREE', { offset: r.start, message: `About ${Math.round((r.end - r.start) / 1024)} KiB of zero bytes from ${hex(r.start)}.` });
  }

  // Windowed, the NBT is kept as the leaf pages of each window's nodes (by their data block's key).
  const starts = bbtWindowed ? index.starts : [0];
  const nbtKeep = await nbtPass(walker, h.nbtRoot, bids, rep, counts, progress, full, keptLimit, starts);
  bids.release();
  walker.release();

  if (full) {
    file.bt.clear();
    const bc = new BlockCheck(L, rep, codecs, h.encryption, source.size);
    const nodeDone = () => {
      if (++counts.nodesChecked % 500 === 0) progress({ phase: 'nodes', done: counts.nodesChecked, total: counts.nbtEntries });
    };
    // Blocks through the NDB layer for the reader-layer checks: with a sound BBT in memory they
    // come from large windows of the file, else through B-tree lookups (and trailer-scan recovery).
    const win = bbtWindowed && nbtKeep?.pages ? windowIndex(index, windowEntries) : null;
    const kept = bbtIndex ?? win;
    const layerBlocks = () => {
      const blocks = kept ? new Blocks(new WindowSource(source, SIDE_WINDOW), L, file.bt, rep, codecs, h.encryption, false) : file.blocks;
      if (kept) blocks.bbtIndex = (bid) => kept.find(bid);
      blocks.verifyCrc = false; // the block pass checks every CRC
      return blocks;
    };
    const runBytes = Math.max(512, options.runBytes ?? RUN);
    const sideBytes = Math.max(0, options.sideBytes ?? 32 << 20);
    const blocksProgress = () => progress({ phase: 'blocks', done: counts.blocksChecked, total: counts.bbtEntries });
    if (win && nbtKeep?.pages) {
      // The BBT again, alongside the pass (found sound: no mirror of BTrees' cache); a few slabs
      // are enough for a walk in key order. The NBT leaves each window names, read again by a
      // walker of their own (the BBT walk's entries stay in its scratch arrays meanwhile).
      const walk = new BtWalker(source, L, new Reporter(undefined), (d) => codecs.crc32(d), 8, false);
      const leaves = new BtWalker(source, L, new Reporter(undefined), (d) => codecs.crc32(d), 8, false);
      const pages: (LeafList | null)[] = nbtKeep.pages;
      const windowOf = windowFinder(starts);
      const nodes = async (w: number, into: NbtVecs) => {
        into.nid.length = into.data.length = into.sub.length = 0;
        const list = pages[w]!;
        pages[w] = null;
        for (const ib of list.offsets()) {
          await leaves.leaf('nbt', ib, (n, nid, data, sub) => {
            for (let i = 0; i < n; i++) {
              if (windowOf(bidKey(data[i]!)) !== w) continue;
              into.nid.push(nid[i]!);
              into.data.push(data[i]!);
              into.sub.push(sub[i]!);
            }
          });
        }
      };
      if (win !== index) options.betweenWindows?.();
      const scratch = newScratch();
      const ltp = new LtpChecker(rep, L, NO_SOURCE);
      let layers: Blocks | undefined;
      // Blocks of other windows: through the B-tree.
      const outer = (bid: number) => file.bt.bbt(bid);
      const windows = await windowedPass(walk, h.bbtRoot, win, starts, nodes, (plan) =>
        fusedPass(source, win, plan.nbt, plan, 0, plan.runs, bc, ltp, counts, blocksProgress, nodeDone, () => (layers ??= layerBlocks()), runBytes, sideBytes, outer, scratch),
      bc, source.size, runBytes, nodeDone, counts.bbtPages, options.betweenWindows);
      walk.release();
      leaves.release();
      options.onPass?.('windowed', windows);
    } else if (bbtIndex && nbtKeep?.packed) {
      const nbt = unpack(nbtKeep.packed);
      const plan = planFused(bbtIndex, nbt, bc, source.size, runBytes);
      for (let k = 0; k < plan.skipped; k++) nodeDone();
      const pool = options.parts;
      const cuts = pool && pool.count > 1 ? splitFused(plan, pool.count) : [0, plan.runs];
      options.onPass?.(!pool || cuts.length <= 2 ? 'fused' : 'parts', 1);
      if (!pool || cuts.length <= 2) {
        await fusedPass(source, bbtIndex, nbt, plan, 0, plan.runs, bc, new LtpChecker(rep, L, NO_SOURCE), counts, blocksProgress, nodeDone, layerBlocks, runBytes, sideBytes);
      } else {
        const parts = cuts.length - 1;
        const bbt = bbtIndex.arrays();
        const arrays = { nid: nbt.nid.array(), data: nbt.data.array(), sub: nbt.sub.array() };
        const input = (part: number): FusedPartInput => ({ part, cuts, bbt, nbt: arrays, runBytes, sideBytes, maxFindings });
        const done = new Float64Array(parts);
        const nodesDone = new Float64Array(parts);
        const onPart = (part: number) => (blocks: number, nodes: number) => {
          done[part] = blocks;
          nodesDone[part] = nodes;
          progress({ phase: 'blocks', done: done.reduce((a, b) => a + b, 0), total: counts.bbtEntries });
        };
        const local = (part: number) => validatePart(source, input(part), { codecs, onProgress: onPart(part) });
        // Parts 1.. through the pool (a lost one is done here after all), part 0 meanwhile here.
        const remote = Array.from({ length: parts - 1 }, (_, k) => pool.run(input(k + 1), onPart(k + 1)).catch(() => local(k + 1)));
        const results = [await local(0)];
        for (const r of remote) results.push(await r);
        for (const r of results) {
          tally.absorb(r);
          counts.blocksChecked += r.counts.blocksChecked;
          counts.bytesChecked += r.counts.bytesChecked;
          counts.nodesChecked += r.counts.nodesChecked;
        }
      }
    } else {
      options.onPass?.('two-pass', 1);
      await blockPass(source, file, bbtIndex, bc, counts, progress);
      const blocks = layerBlocks();
      file.bt.clear();
      const kept = nbtKeep?.packed ? unpack(nbtKeep.packed) : null;
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
        if (LtpChecker.checks(n.nid)) await checkNodeLayers(blocks, rep, L.ansi, n.nid, n.bidData, n.bidSub);
        nodeDone();
      }
    }
    progress({ phase: 'nodes', done: counts.nbtEntries, total: counts.nbtEntries });
  }
  await file.storeInfo().catch(() => undefined); // reports the password flag (info)
  return report(extra);
}

/**
 * The NBT's pages and entries ([MS-PST] 2.2.2.7.7.4): every entry's blocks must be in the BBT;
 * folders and messages must have a parent in the NBT (NBTENTRY.nidParent), else they are
 * orphans. Its own function so the orphan check's lists are gone once it returns.
 */
async function nbtPass(
  walker: BtWalker, root: { bid: number; ib: number }, bids: BidSet, rep: Reporter, counts: ValidationReport['counts'],
  progress: (p: ValidateProgress) => void, full: boolean, keptLimit: number, starts: number[],
): Promise<KeptNbt | null> {
  // The orphan check: a parent that is a folder already seen settles a node at once (a sound NBT
  // has a few folders and names them); the rest wait for the end, against every NID.
  const nodeIds = new NidSet();
  const folders = new Set<number>();
  const children = new U32Vec(256);
  const parents = new U32Vec(256);
  // Full mode keeps what the LTP pass needs of a sound NBT instead of walking the tree a second
  // time: in one window (nid, bidData, bidSub), packed (3-6 bytes per node); in windows of the
  // BBT (`starts`), for each window the leaf pages holding its nodes (those whose data block's
  // key falls in it; before the first: the first).
  const windowed = starts.length > 1;
  let packed: NbtPacked | null = full && !windowed ? new NbtPacked() : null;
  let pages: LeafList[] | null = full && windowed ? starts.map(() => new LeafList()) : null;
  /** The leaf page last added to each window's list. */
  const lastPage = windowed ? new Float64Array(starts.length).fill(-1) : null;
  const windowOf = windowFinder(starts);
  let kept = 0;
  const beforeNbt = rep.count;
  await walker.walk('nbt', root, {
    page: () => {
      if (++counts.nbtPages % 256 === 0) progress({ phase: 'nbt', done: counts.nbtEntries, total: 0 });
    },
    leaf: (n, nid, bidData, bidSub, nidParent, _f4, pageIb) => {
      for (let i = 0; i < n; i++) {
        const eNid = nid[i]!;
        const eData = bidData[i]!;
        const eSub = bidSub[i]!;
        counts.nbtEntries++;
        nodeIds.add(eNid);
        const t = nidType(eNid);
        if ((t === 0x02 || t === 0x03) && folders.size < FOLDERS_KEPT) folders.add(eNid);
        if (packed || pages) {
          if (eNid > 0xffffffff || eData > 0xffffffff || eSub > 0xffffffff || kept >= keptLimit) packed = pages = null;
          else if (pages) {
            const w = windowOf(bidKey(eData));
            if (lastPage![w] !== pageIb) {
              pages[w]!.push(pageIb);
              lastPage![w] = pageIb;
              kept++;
            }
          } else {
            packed!.push(eNid, eData, eSub);
            kept++;
          }
        }
        if ((t === 0x02 || t === 0x03 || t === 0x04 || t === 0x08) && eNid !== 0x122 && !folders.has(nidParent[i]!)) {
          children.push(eNid);
          parents.push(nidParent[i]!);
        }
        if (eData && !bids.has(eData)) {
          rep.report('PST-BBT-MISSING', { nid: eNid, offset: pageIb, field: 'NBTENTRY.bidData', message: `Node ${hex(eNid)} refers to block ${hex(eData)}.` });
        }
        if (eSub && !bids.has(eSub)) {
          rep.report('PST-BBT-MISSING', { nid: eNid, offset: pageIb, field: 'NBTENTRY.bidSub', message: `Node ${hex(eNid)} refers to subnode block ${hex(eSub)}.` });
        }
      }
    },
  });
  if (rep.count !== beforeNbt) packed = pages = null;
  const known = nodeIds.hasEach(parents.array());
  let orphans = 0;
  for (let i = 0; i < children.length; i++) {
    const nid = children.at(i);
    const parent = parents.at(i);
    if (known.has(parent)) continue;
    if (++orphans <= 100) rep.report('PST-ORPHAN', { nid, field: 'NBTENTRY.nidParent', message: `Node ${hex(nid)} names parent ${hex(parent)}, which is not in the node B-tree.` });
  }
  if (orphans > 100) rep.report('PST-ORPHAN', { field: 'NBTENTRY.nidParent', message: `${orphans} orphaned nodes in total.` });

  return packed ? { packed } : pages ? { pages } : null;
}

/** What nbtPass keeps of a sound NBT for validate --full's node checks. */
type KeptNbt = { packed: NbtPacked; pages?: undefined } | { pages: LeafList[]; packed?: undefined };

/**
 * The window of windowedPass a BID key falls in (`starts`: each window's first key; a key before
 * the first window's goes to the first). Data blocks mostly ascend with the NID, so the last
 * answer is tried before a bisection.
 */
function windowFinder(starts: number[]): (key: number) => number {
  let w = 0;
  return (k) => {
    if (k < starts[w]! || (w + 1 < starts.length && k >= starts[w + 1]!)) w = Math.max(0, lastAtOrBelow(starts, k));
    return w;
  };
}

/** Folder NIDs the orphan check keeps in a Set (past it, their children wait for the end). */
const FOLDERS_KEPT = 1 << 16;

/**
 * BBT entries per window of windowedPass: 12 bytes each and about 9 more for the plan (1.3 MiB),
 * plus the window's nodes, whatever the file's size. On large files more windows cost no time:
 * validate --full took the same with windows of 32k, 64k, 128k and 256k entries (4 GiB
 * message-heavy file, 9 million blocks: 11.0-11.4 s), and peaked lower the smaller they were,
 * down to 64k (MiB, 256k → 64k): 4 GiB message-heavy 98 → 92, 1 GiB 95 → 90; attachment-heavy
 * 4 GiB 90 → 87.
 */
const WINDOW = 1 << 16;
/**
 * BBT entries kept whole for one fused pass: a BBT up to this size is not taken in windows. A
 * windowed pass walks the BBT a second time and finds a window's blocks that lie in another one
 * through the B-tree: on a file of 30 000 messages (171k blocks) 0.54 s in windows of 64k
 * instead of 0.44 s whole, with the same peak; from about a million blocks on, windows of 64k
 * took no longer than windows of 256k.
 */
const KEPT_WHOLE = 1 << 18;
/** BBT entries kept whole for a pass cut into parts (ValidateOptions.parts); past it, windows. */
const PARTS_KEPT = 1 << 21;

/** The index for windowedPass's windows: the first walk's (it holds one window), or a new one. */
function windowIndex(index: BbtIndex, size: number): BbtIndex {
  if (index.limit !== size) {
    index.release();
    return new BbtIndex(index.align, size, Infinity);
  }
  index.reset();
  return index;
}

/**
 * validate --full's fused pass for a sound BBT too large to keep whole (over one window): the
 * BBT is walked again ([MS-PST] 2.2.2.7.7.3, BBTENTRY) and taken in windows in BID order, the
 * ones the first walk marked (`starts`); each window is one fused pass over its blocks in file
 * order and over its nodes (those whose NBTENTRY.bidData falls in its BID range, from `nodes`, in
 * NBT order). Block BIDs come from a counter as blocks are written, so a message's blocks nearly
 * always share its data block's window; a block in another window is found through the B-tree
 * (by `pass`), decoded for the node, and checked (CRC, trailer) once, by its own window. Memory:
 * one window and its nodes, whatever the file's size. Every window's nodes are checked, also if
 * the second walk ends early (their blocks then through the B-tree).
 */
async function windowedPass(
  walk: BtWalker, root: { bid: number; ib: number },
  win: BbtIndex, starts: number[], nodes: (w: number, into: NbtVecs) => Promise<void>, pass: (plan: FusedPlan & { nbt: NbtVecs }) => Promise<void>,
  bc: BlockCheck, fileSize: number, runBytes: number, nodeDone: () => void, bbtPages: number, between?: () => void,
): Promise<number> {
  const sel: NbtVecs = { nid: new U32Vec(), data: new U32Vec(), sub: new U32Vec() };
  const arrays = new PlanArrays();
  let w = 0;
  /** Window `w` in hand, with its nodes. */
  const flush = async () => {
    await nodes(w, sel);
    const plan = planFused(win, sel, bc, fileSize, runBytes, arrays);
    for (let k = 0; k < plan.skipped; k++) nodeDone();
    await pass({ ...plan, nbt: sel });
    win.reset();
    w++;
    between?.();
  };
  const take = (from: number, n: number, bid: Float64Array, ib: Float64Array, cb: Float64Array, cbi: Float64Array): Promise<void> | undefined => {
    for (let i = from; i < n; i++) {
      if (w + 1 < starts.length && bidKey(bid[i]!) >= starts[w + 1]!) return flush().then(() => take(i, n, bid, ib, cb, cbi));
      win.add(bid[i]!, ib[i]!, cb[i]!, cbi[i]!);
    }
    return undefined;
  };
  await walk.walk('bbt', root, { page: () => {}, leaf: (n, _keys, bid, ib, cb, cbi) => take(0, n, bid, ib, cb, cbi) }, bbtPages);
  while (w < starts.length) await flush();
  return starts.length;
}

const NO_SOURCE: LtpSource = {
  block: () => null,
  size: () => -1,
};

/** Block runs: read up to RUN bytes at a time, gaps of at most GAP bytes read through. */
const RUN = 4 << 20;
const GAP = 1 << 20;

/**
 * The block pass without the fused LTP checks (the BBT is damaged or too large to keep, or the
 * NBT is): every block in file order within batches, read in large runs, checked in place.
 */
async function blockPass(source: ByteSource, file: PstFileImpl, bbtIndex: BbtIndex | null, bc: BlockCheck, counts: ValidationReport['counts'], progress: (p: ValidateProgress) => void): Promise<void> {
  const runBufs = source.readInto ? [new Uint8Array(RUN), new Uint8Array(RUN)] : [];
  // Batches of BATCH entries, packed (an object per entry of a nine-million-block BBT was a
  // sixth of this pass in collections), checked in file order.
  const BATCH = 65536;
  const bid = new Float64Array(BATCH);
  const ib = new Float64Array(BATCH);
  const cb = new Uint32Array(BATCH);
  const cbi = new Uint32Array(BATCH);
  const keys = new Float64Array(BATCH);
  let n = 0;
  const align = file.header.layout.blockAlign;
  const flush = async () => {
    // File order, ties in BBT order: (offset, batch position) packed in one number and sorted
    // natively; the offset in units of the block alignment on files too large for exact keys.
    const k = keys.subarray(0, n);
    const unit = source.size * BATCH < 2 ** 53 ? 1 : align;
    for (let i = 0; i < n; i++) k[i] = Math.floor(Math.min(Math.max(ib[i]!, 0), source.size) / unit) * BATCH + i;
    k.sort();
    const at = (j: number) => k[j]! % BATCH;
    const count = n;
    n = 0;
    const runs: number[] = []; // i, j, start, end per run over sorted positions (j = i: one block outside the file)
    let i = 0;
    while (i < count) {
      const start = ib[at(i)]!;
      let end = start;
      let j = i;
      for (; j < count; j++) {
        const e = at(j);
        const span = bc.span(cb[e]!);
        if (ib[e]! < start || ib[e]! + span - start > RUN || ib[e]! + span > source.size || ib[e]! - end > GAP) break;
        end = Math.max(end, ib[e]! + span);
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
      return source.readInto(start, buf).then((got) => (got < len ? buf.subarray(0, got) : buf));
    };
    let next = fetchRun(0);
    for (let r = 0; r < runs.length; r += 4) {
      const ri = runs[r]!;
      const rj = runs[r + 1]!;
      const start = runs[r + 2]!;
      const buf = await next;
      next = fetchRun(r + 4);
      for (let q = ri; q < Math.max(rj, ri + 1); q++) {
        const e = at(q);
        const off = ib[e]! - start;
        bc.check(bid[e]!, ib[e]!, cb[e]!, cbi[e]!, buf && q < rj ? buf : undefined, off, buf ? Math.max(0, Math.min(bc.span(cb[e]!), buf.length - off)) : 0);
        counts.blocksChecked++;
        counts.bytesChecked += cb[e]!;
      }
    }
    await next;
    progress({ phase: 'blocks', done: counts.blocksChecked, total: counts.bbtEntries });
  };
  // Promise only when the batch is full (no await per entry).
  const add = (eBid: number, eIb: number, eCb: number, eCbi: number): Promise<void> | undefined => {
    bid[n] = eBid;
    ib[n] = eIb;
    cb[n] = eCb;
    cbi[n] = eCbi;
    return ++n === BATCH ? flush() : undefined;
  };
  if (bbtIndex) {
    const order = bbtIndex.fileOrder();
    for (let k = 0; k < order.length; k++) {
      const e = bbtIndex.entry(order[k]!);
      const full = add(e.bid, e.ib, e.cb, e.cbInflated);
      if (full) await full;
    }
  } else {
    for await (const page of file.bt.walk('bbt')) {
      const raw = bbtLeafRaw(page);
      if (raw) {
        for (let o = 0; o < raw.length; o += 5) {
          const full = add(raw[o]!, raw[o + 1]!, raw[o + 2]!, raw[o + 3]!);
          if (full) await full;
        }
      } else {
        for (const e of page.bbt ?? []) {
          const full = add(e.bid, e.ib, e.cb, e.cbInflated);
          if (full) await full;
        }
      }
    }
  }
  await flush();
}

/** BbtIndex entries as plain arrays (BbtIndex.arrays / BbtIndex.of). */
export interface BbtArrays {
  align: number;
  bid: Uint32Array<ArrayBuffer>;
  ibq: Uint32Array<ArrayBuffer>;
  cb: Uint16Array<ArrayBuffer>;
  cbi: Uint16Array<ArrayBuffer>;
}

/** The NBT entries a fused pass checks: (nid, bidData, bidSub) per node, by position. */
interface NbtVecs {
  nid: U32Vec;
  data: U32Vec;
  sub: U32Vec;
}

/** The kept NBT as arrays, for a pass that takes its nodes by position. */
function unpack(p: NbtPacked): NbtVecs {
  const v: NbtVecs = { nid: new U32Vec(p.length), data: new U32Vec(p.length), sub: new U32Vec(p.length) };
  p.forEach((nid, data, sub) => {
    v.nid.push(nid);
    v.data.push(data);
    v.sub.push(sub);
  });
  return v;
}

/** The counts a fused pass keeps. */
type PassCounts = Pick<ValidationReport['counts'], 'blocksChecked' | 'bytesChecked'>;

/**
 * One part of validate --full's fused pass, for a worker (ValidateOptions.parts): plain data
 * only, so it crosses to a worker thread as it is. The part opens nothing but `source`.
 */
export interface FusedPartInput {
  part: number;
  /** splitFused's cuts: the part checks runs [cuts[part], cuts[part + 1]). */
  cuts: number[];
  bbt: BbtArrays;
  nbt: { nid: Uint32Array<ArrayBuffer>; data: Uint32Array<ArrayBuffer>; sub: Uint32Array<ArrayBuffer> };
  runBytes: number;
  sideBytes: number;
  maxFindings: number;
}

export interface FusedPartResult {
  /** In the order found, at most maxFindings. */
  findings: Finding[];
  truncated: boolean;
  counts: Pick<ValidationReport['counts'], 'errors' | 'warnings' | 'info' | 'byCode' | 'blocksChecked' | 'bytesChecked' | 'nodesChecked'>;
}

/**
 * Run one part of the fused pass (validate's parts option; a worker calls this): the header is
 * read again for the layout and cipher, the run plan is recomputed from the same entries (so
 * every part cuts the file alike), and the part's findings and counts are returned.
 */
export async function validatePart(
  source: ByteSource, input: FusedPartInput, options: { codecs?: Codecs; onProgress?: (blocks: number, nodes: number) => void } = {},
): Promise<FusedPartResult> {
  const codecs = options.codecs ?? (await loadCodecs());
  const counts: FusedPartResult['counts'] = { errors: 0, warnings: 0, info: 0, byCode: {}, blocksChecked: 0, bytesChecked: 0, nodesChecked: 0 };
  const tally = new FindingTally(counts, input.maxFindings);
  const rep = new Reporter(tally.add);
  const cache = new SlabCache(source, { budgetBytes: 1 << 20 });
  const { header } = parseHeader((await cache.read(0, 564)).slice(), cache.size, (d) => codecs.crc32(d));
  const file = new PstFileImpl(cache, header, rep, codecs, {});
  const L = header.layout;
  const index = BbtIndex.of(input.bbt);
  const nbt: NbtVecs = { nid: U32Vec.of(input.nbt.nid), data: U32Vec.of(input.nbt.data), sub: U32Vec.of(input.nbt.sub) };
  const bc = new BlockCheck(L, rep, codecs, header.encryption, source.size);
  const plan = planFused(index, nbt, bc, source.size, input.runBytes);
  const cuts = input.cuts;
  if (plan.runs !== cuts[cuts.length - 1] || !(input.part >= 0 && input.part + 1 < cuts.length)) throw new Error('validatePart: the cuts do not fit this file');
  const layerBlocks = () => {
    const blocks = new Blocks(new WindowSource(source, SIDE_WINDOW), L, file.bt, rep, codecs, header.encryption, false);
    blocks.bbtIndex = (bid) => index.find(bid);
    blocks.verifyCrc = false;
    return blocks;
  };
  const progress = () => options.onProgress?.(counts.blocksChecked, counts.nodesChecked);
  const nodeDone = () => {
    if (++counts.nodesChecked % 500 === 0) progress();
  };
  const ra = cuts[input.part]!;
  const rb = cuts[input.part + 1]!;
  await fusedPass(source, index, nbt, plan, ra, rb, bc, new LtpChecker(rep, L, NO_SOURCE), counts, progress, nodeDone, layerBlocks, input.runBytes, input.sideBytes);
  return { findings: tally.findings, truncated: tally.truncated, counts };
}

/**
 * Findings as a report keeps them (validate and each part of the fused pass): counted by
 * severity and by code, the first `max` listed.
 */
class FindingTally {
  readonly findings: Finding[] = [];
  truncated = false;
  constructor(
    private readonly counts: Pick<ValidationReport['counts'], 'errors' | 'warnings' | 'info' | 'byCode'>,
    private readonly max: number,
  ) {}

  readonly add = (f: Finding): void => {
    this.counts[SEVERITY_COUNT[f.severity]]++;
    this.counts.byCode[f.code] = (this.counts.byCode[f.code] ?? 0) + 1;
    this.list(f);
  };

  /** A part's findings, counted there, after those so far. */
  absorb(r: FusedPartResult): void {
    this.counts.errors += r.counts.errors;
    this.counts.warnings += r.counts.warnings;
    this.counts.info += r.counts.info;
    for (const [code, n] of Object.entries(r.counts.byCode)) this.counts.byCode[code] = (this.counts.byCode[code] ?? 0) + n;
    for (const f of r.findings) this.list(f);
    if (r.truncated) this.truncated = true;
  }

  private list(f: Finding): void {
    if (this.findings.length < this.max) this.findings.push(f);
    else this.truncated = true;
  }
}

const SEVERITY_COUNT: Record<Severity, 'errors' | 'warnings' | 'info'> = { error: 'errors', warning: 'warnings', info: 'info' };

/** The block runs and node order of the fused pass (deterministic: every part computes the same). */
interface FusedPlan {
  /** Entry indexes in file order. */
  order: Uint32Array;
  /** Per run: [k0, k1) over `order`; [start, end) bytes (-1, -1 for a block outside the file). */
  runK: number[];
  runB: number[];
  runs: number;
  /** Run of each entry index. */
  runOf: Uint32Array;
  /** Nodes to check (NBT positions), by their data block's offset; nodes without one last. */
  nodes: Uint32Array;
  nodeKey: Float64Array;
  /** NBT positions of nodes the LTP checks skip (counted as checked by the first part). */
  skipped: number;
}

function planFused(index: BbtIndex, nbt: NbtVecs, bc: BlockCheck, size: number, runBytes: number, arrays: PlanArrays = new PlanArrays()): FusedPlan {
  const order = index.fileOrder(arrays);
  const n = order.length;
  // Runs over `order`: [k0, k1) entries, [start, end) bytes; k1 = k0 + 1 and start = -1 for a
  // block outside the file.
  const runK: number[] = [];
  const runB: number[] = [];
  for (let k = 0; k < n; ) {
    const i0 = order[k]!;
    const start = index.ib(i0);
    if (!bc.inFile(start, index.cbAt(i0))) {
      runK.push(k, k + 1);
      runB.push(-1, -1);
      k++;
      continue;
    }
    let end = start;
    let j = k;
    for (; j < n; j++) {
      const i = order[j]!;
      const ib = index.ib(i);
      const span = bc.span(index.cbAt(i));
      // The first block always (it lies in the file); then while the run stays within runBytes.
      if (j > k && (ib + span - start > runBytes || ib + span > size || ib - end > GAP)) break;
      end = Math.max(end, ib + span);
    }
    runK.push(k, j);
    runB.push(start, end);
    k = j;
  }
  const runs = runK.length / 2;

  // Nodes to check, ordered by their data block's file offset (no data block: at the end).
  const total = nbt.nid.length;
  const nodeKey = arrays.f64(0, total);
  let m = 0;
  let skipped = 0;
  const nodeIdx = arrays.u32(3, total);
  for (let i = 0; i < total; i++) {
    if (!LtpChecker.checks(nbt.nid.at(i))) {
      nodeKey[i] = 0;
      skipped++;
      continue;
    }
    const at = nbt.data.at(i) ? index.indexOf(nbt.data.at(i)) : -1;
    nodeKey[i] = at < 0 ? Infinity : index.ib(at);
    nodeIdx[m++] = i;
  }
  const nodes = nodeIdx.subarray(0, m);
  {
    // Packed (offset, NBT position) keys sort natively when exact; nodes without a data block last.
    const last = size + 1;
    if (last * total < 2 ** 53) {
      const keys = arrays.f64(1, m);
      for (let k = 0; k < m; k++) {
        const i = nodes[k]!;
        keys[k] = Math.min(nodeKey[i]!, last) * total + i;
      }
      keys.sort();
      for (let k = 0; k < m; k++) nodes[k] = keys[k]! % total;
    } else nodes.sort((a, b) => nodeKey[a]! - nodeKey[b]! || a - b);
  }

  const runOf = arrays.u32(4, n);
  for (let r = 0; r < runs; r++) for (let k = runK[2 * r]!; k < runK[2 * r + 1]!; k++) runOf[order[k]!] = r;
  return { order, runK, runB, runs, runOf, nodes, nodeKey, skipped };
}

/**
 * Where the fused pass is cut into at most `parts` ranges of runs of about equal work (bytes,
 * blocks and nodes; a cut only before a run inside the file): ascending run indexes, 0 first and
 * `runs` last, one more than the ranges (fewer when the file has few runs).
 */
function splitFused(plan: FusedPlan, parts: number): number[] {
  const { runs, runK, runB, nodes, nodeKey } = plan;
  const w = new Float64Array(runs);
  let k = 0;
  for (let r = 0; r < runs; r++) {
    const next = r + 1 < runs && runB[2 * (r + 1)]! >= 0 ? runB[2 * (r + 1)]! : Infinity;
    let nodesHere = 0;
    for (; k < nodes.length && nodeKey[nodes[k]!]! < next; k++) nodesHere++;
    w[r] = Math.max(0, runB[2 * r + 1]! - runB[2 * r]!) / 16384 + (runK[2 * r + 1]! - runK[2 * r]!) + 12 * nodesHere;
  }
  let total = 0;
  for (let r = 0; r < runs; r++) total += w[r]!;
  const cuts = [0];
  let acc = 0;
  for (let r = 0; r < runs && cuts.length < parts; r++) {
    if (r > cuts[cuts.length - 1]! && runB[2 * r]! >= 0 && acc >= (total * cuts.length) / parts) cuts.push(r);
    acc += w[r]!;
  }
  cuts.push(runs);
  return cuts;
}

/** Run buffers the fused pass keeps: the previous, current and next run, and two being read. */
const RING = 5;
/** Bytes of the arena decoded blocks live in (reset per node). */
const ARENA = 4 << 20;

/** The fused pass's buffers, reused from one window to the next (windowedPass). */
interface FusedScratch {
  bufs: (Uint8Array | undefined)[];
  arena: Uint8Array;
}
const newScratch = (): FusedScratch => ({ bufs: new Array<Uint8Array | undefined>(RING), arena: new Uint8Array(ARENA) });

/**
 * One sequential pass over the file for a sound BBT and NBT kept in memory: the blocks in file
 * order, read in runs of up to RUN bytes (the next run is read while this one is checked); each
 * block's trailer, CRC and inflate are checked, and then the LTP checks of every node whose data
 * block lies in this run run over the bytes in hand: the previous, this and the next run are
 * kept, so a message's other blocks (subnode tree, tables, attachment PCs) are nearly always
 * there too. Blocks elsewhere are read one by one. Decoded blocks live in an arena that is reset
 * per node. Memory: four run buffers, the arena, and 4 + 8 bytes per block and node for the
 * orders.
 *
 * `ra`..`rb` limits the pass to a range of runs (splitFused), for parts run side by side: the
 * blocks of those runs and the nodes whose data block lies in them (the last part: also the
 * nodes without one). A node's blocks in another part's runs are decoded here but checked (CRC,
 * trailer, once) by that part, so the parts together make the findings of one whole pass.
 */
async function fusedPass(
  source: ByteSource, index: BbtIndex, nbt: NbtVecs, plan: FusedPlan, ra: number, rb: number, bc: BlockCheck, ltp: LtpChecker,
  counts: PassCounts, progress: () => void, nodeDone: () => void, layerBlocks: () => Blocks, runBytes: number, sideBudget: number,
  outer?: (bid: number) => BbtEntry | null | Promise<BbtEntry | null>, scratch: FusedScratch = newScratch(),
): Promise<void> {
  const { order, runK, runB, runs, runOf, nodes, nodeKey } = plan;
  const n = order.length;
  const last = rb >= runs;
  // Run buffers: the previous, current and next run are kept while the two after it are read
  // (reads of large files then overlap each other as well as the checks).
  const bufs = scratch.bufs;
  const wStart = new Float64Array(RING).fill(-1);
  const wLen = new Float64Array(RING);
  const loads: (Promise<void> | undefined)[] = new Array(RING);
  // Reads go one run past the range: a node near its end nearly always has its blocks in hand.
  const loadEnd = Math.min(runs, rb + 1);
  const load = (r: number): Promise<void> | undefined => {
    if (r >= loadEnd) return undefined;
    const slot = r % RING;
    wStart[slot] = -1;
    const start = runB[2 * r]!;
    if (start < 0) return undefined;
    const len = runB[2 * r + 1]! - start;
    const done = (b: Uint8Array) => {
      bufs[slot] = b;
      wStart[slot] = start;
      wLen[slot] = b.length;
    };
    if (source.readInto) {
      const buf = (bufs[slot] = bufs[slot] && bufs[slot]!.buffer.byteLength >= len ? new Uint8Array(bufs[slot]!.buffer) : new Uint8Array(Math.max(len, runBytes)));
      const dest = buf.subarray(0, len);
      return source.readInto(start, dest).then((got) => done(dest.subarray(0, got)));
    }
    return source.read(start, len).then(done);
  };

  // Decoded blocks: an arena reset per node (fresh buffers past its end).
  const arena = scratch.arena;
  let arenaAt = 0;
  const alloc = (size: number): Uint8Array => {
    if (arenaAt + size > ARENA) return new Uint8Array(size);
    const b = arena.subarray(arenaAt, arenaAt + size);
    arenaAt += size;
    return b;
  };
  // Blocks the LTP checks decoded from the runs in hand were checked in the same pass (CRC and
  // decrypt in one go); the block loop skips them.
  const checked = new Uint8Array(n);
  /** Decode block i, whose span is buf[off, off + len), for node `nid`. */
  const decode = (i: number, buf: Uint8Array, off: number, len: number, nid: number, inRun: boolean): Uint8Array | null => {
    const bid = index.bidAt(i);
    const cb = index.cbAt(i);
    const cbi = index.cbInflatedAt(i);
    const out = bc.inPlace(bid, cb, cbi) ? undefined : alloc(cb === cbi ? cb : cbi);
    if (!inRun || checked[i] || len < bc.span(cb) || runOf[i]! < ra || runOf[i]! >= rb) return bc.decode(bid, index.ib(i), cb, cbi, buf, off, len, nid, out);
    checked[i] = 1;
    return bc.checkAndDecode(bid, index.ib(i), cb, cbi, buf, off, len, nid, out);
  };
  // Blocks of the current node read on their own (not in the runs in hand), kept raw until the
  // node is done: a node that meets one is checked again from the start once it is read. Like
  // blocks in the runs, they are decoded per request (trailer findings name the reading node).
  const side = new Map<number, Uint8Array>();
  let sideBytes = 0;
  let missing = -1;
  // Data-tree leaves the current attempt announced (LtpSource.want): fetched with the next miss.
  let wanted: readonly number[] = [];
  const SIDE_BUDGET = sideBudget;
  const ltpMissing = (bid: number, nid: number) => ltp.rep.report('PST-BBT-MISSING', { nid, field: 'BBTENTRY.bref.bid', message: `Block ${hex(bid)}.` });
  // With `outer` (a window of a larger BBT, windowedPass): blocks outside the window, by bidKey,
  // as the B-tree gave them (null: not in the BBT) and their raw bytes when read on their own;
  // kept until the node is done. They are decoded here and checked by their own window.
  const outerEntries = new Map<number, BbtEntry | null>();
  const outerRaw = new Map<number, Uint8Array>();
  let missingOuter = -1;
  const outerEntry = (bid: number, nid: number): BbtEntry | null => {
    const e = outerEntries.get(bidKey(bid));
    if (e === undefined) {
      missingOuter = bid;
      throw MISS;
    }
    if (!e) ltpMissing(bid, nid);
    return e;
  };
  /** The ring slot whose run holds the span [ib, ib + span), or -1. */
  const slotOf = (ib: number, span: number): number => {
    for (let s = 0; s < RING; s++) {
      const ws = wStart[s]!;
      if (ws >= 0 && ib >= ws && ib + span <= ws + wLen[s]!) return s;
    }
    return -1;
  };
  const outerBlock = (bid: number, nid: number): Uint8Array | null => {
    const e = outerEntry(bid, nid);
    if (!e) return null;
    if (!bc.inFile(e.ib, e.cb)) {
      bc.bounds(e.bid, e.ib, e.cb, nid);
      return null;
    }
    const span = bc.span(e.cb);
    const out = () => (bc.inPlace(e.bid, e.cb, e.cbInflated) ? undefined : alloc(e.cb === e.cbInflated ? e.cb : e.cbInflated));
    const s = slotOf(e.ib, span);
    if (s >= 0) return bc.decode(e.bid, e.ib, e.cb, e.cbInflated, bufs[s]!, e.ib - wStart[s]!, span, nid, out());
    const raw = outerRaw.get(bidKey(bid));
    if (raw) return bc.decode(e.bid, e.ib, e.cb, e.cbInflated, raw, 0, raw.length, nid, out());
    missingOuter = bid;
    throw MISS;
  };
  ltp.src = {
    block(bid, nid) {
      const i = index.indexOf(bid);
      if (i < 0) {
        if (outer) return outerBlock(bid, nid);
        ltpMissing(bid, nid);
        return null;
      }
      const ib = index.ib(i);
      const cb = index.cbAt(i);
      if (!bc.inFile(ib, cb)) {
        bc.bounds(index.bidAt(i), ib, cb, nid);
        return null;
      }
      const span = bc.span(cb);
      const s = slotOf(ib, span);
      if (s >= 0) return decode(i, bufs[s]!, ib - wStart[s]!, span, nid, true);
      const raw = side.get(i);
      if (raw) return decode(i, raw, 0, raw.length, nid, false);
      missing = i;
      throw MISS;
    },
    want(bids) {
      if (bids.length > 1) wanted = bids;
    },
    size(bid, nid) {
      const i = index.indexOf(bid);
      if (i < 0) {
        if (outer) {
          const e = outerEntry(bid, nid);
          return !e ? -1 : ltp.L.fourK ? e.cbInflated : e.cb;
        }
        ltpMissing(bid, nid);
        return -1;
      }
      return ltp.L.fourK ? index.cbInflatedAt(i) : index.cbAt(i);
    },
  };
  let layers: Blocks | undefined;
  const inWindows = (i: number) => slotOf(index.ib(i), bc.span(index.cbAt(i))) >= 0;

  // Next node (in `nodes`) to check: the first whose data block lies in this range.
  let next = 0;
  if (ra > 0) {
    const from = runB[2 * ra]!;
    while (next < nodes.length && nodeKey[nodes[next]!]! < from) next++;
  }
  const checkNodes = async (below: number) => {
    for (; next < nodes.length && nodeKey[nodes[next]!]! < below; next++) {
      const i = nodes[next]!;
      const nid = nbt.nid.at(i);
      for (let attempt = 0; ; attempt++) {
        arenaAt = 0;
        wanted = [];
        missing = missingOuter = -1;
        try {
          ltp.checkNode(nid, nbt.data.at(i), nbt.sub.at(i));
          break;
        } catch (e) {
          if (e === PAGED) {
            await checkNodeLayers((layers ??= layerBlocks()), ltp.rep, ltp.L.ansi, nid, nbt.data.at(i), nbt.sub.at(i));
            break;
          }
          if (e !== MISS) {
            ltp.rep.report('PST-MESSAGE', { nid, message: `Unexpected failure: ${(e as Error).message}` });
            break;
          }
        }
        // Each retry re-checks the node from the start: past 16 retries (blocks scattered over
        // the file, not announced as one data tree) streaming through the layers is cheaper.
        if (sideBytes > SIDE_BUDGET || attempt >= 16) {
          // Blocks too far apart to gather: the reader's layers read them as they go.
          await checkNodeLayers((layers ??= layerBlocks()), ltp.rep, ltp.L.ansi, nid, nbt.data.at(i), nbt.sub.at(i));
          break;
        }
        // The missing block, and the announced leaves of the data tree it belongs to (a big
        // table's row matrix then costs one retry, not one per block).
        /** A block of another window: its BBT entry, and its bytes unless a run in hand holds them. */
        const fetchOuter = async (bid: number) => {
          const key = bidKey(bid);
          let e = outerEntries.get(key);
          if (e === undefined) outerEntries.set(key, (e = await outer!(bid)));
          if (!e || outerRaw.has(key) || !bc.inFile(e.ib, e.cb)) return;
          const span = bc.span(e.cb);
          if (slotOf(e.ib, span) >= 0) return;
          outerRaw.set(key, (await source.read(e.ib, span)).slice());
          sideBytes += span;
        };
        const fetchOne = async (m: number) => {
          const span = bc.span(index.cbAt(m));
          // An own copy: the source may reuse its buffers.
          side.set(m, (await source.read(index.ib(m), span)).slice());
          sideBytes += span;
        };
        const w = wanted;
        wanted = [];
        let announced: boolean;
        if (missingOuter >= 0) {
          const key = bidKey(missingOuter);
          await fetchOuter(missingOuter);
          announced = w.some((b) => bidKey(b) === key);
        } else {
          const m = missing;
          await fetchOne(m);
          announced = w.some((b) => index.indexOf(b) === m);
        }
        if (announced) {
          for (const b of w) {
            if (sideBytes > SIDE_BUDGET) break;
            const k = index.indexOf(b);
            if (k < 0) {
              if (outer) await fetchOuter(b);
            } else if (!side.has(k) && bc.inFile(index.ib(k), index.cbAt(k)) && !inWindows(k)) await fetchOne(k);
          }
        }
      }
      if (side.size || outerEntries.size) {
        side.clear();
        outerEntries.clear();
        outerRaw.clear();
        sideBytes = 0;
      }
      nodeDone();
    }
  };

  loads[ra % RING] = load(ra);
  loads[(ra + 1) % RING] = load(ra + 1);
  loads[(ra + 2) % RING] = load(ra + 2);
  for (let r = ra; r < rb; r++) {
    await loads[r % RING];
    await loads[(r + 1) % RING];
    loads[(r + 3) % RING] = load(r + 3);
    const slot = r % RING;
    const start = runB[2 * r]!;
    // Nodes whose data block starts before the next run (the runs cover the file in order),
    // then the blocks of this run their checks did not reach.
    await checkNodes(r + 1 < runs && runB[2 * (r + 1)]! >= 0 ? runB[2 * (r + 1)]! : start >= 0 ? runB[2 * r + 1]! : -Infinity);
    const buf = start >= 0 && wStart[slot] === start ? bufs[slot]! : undefined;
    for (let k = runK[2 * r]!; k < runK[2 * r + 1]!; k++) {
      const i = order[k]!;
      const cb = index.cbAt(i);
      counts.bytesChecked += cb;
      if (checked[i]) continue;
      checked[i] = 1;
      const ib = index.ib(i);
      const off = ib - start;
      bc.check(index.bidAt(i), ib, cb, index.cbInflatedAt(i), buf, off, buf ? Math.max(0, Math.min(bc.span(cb), buf.length - off)) : 0);
    }
    counts.blocksChecked += runK[2 * r + 1]! - runK[2 * r]!;
    if (r % 4 === 3) progress();
  }
  progress();
  if (last) await checkNodes(Infinity);
  for (let r = rb; r < loadEnd; r++) await loads[r % RING];
}
