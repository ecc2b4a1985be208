/**
 * Blocks and the trees built from them ([MS-PST] 2.2.2.8): one block read is
 * BBT lookup → bounds → BLOCKTRAILER (cb, bid, wSig) → dwCRC over the stored bytes → inflate
 * (4K blocks whose cbInflated ≠ cbStored, decided from the BBT entry, never by sniffing) →
 * decrypt (external blocks only). Damage becomes a Finding and the bytes are still returned
 * when they are usable, so one bad block affects only the items that use it.
 * Data trees (XBLOCK/XXBLOCK) resolve to the list of leaf BIDs; subnode trees (SLBLOCK/SIBLOCK)
 * to a map NID → (bidData, bidSub). Both detect cycles and never trust a stored length for an
 * allocation before it is bounded by what was actually read.
 */
import type { ByteSource } from '../../io/byte-source.ts';
import { BlockCrypt, type BlockDecodeOptions, type Codecs } from '../../codec/api.ts';
import { type Reporter, hex } from '../codes.ts';
import type { PstEncryption } from '../index.ts';
import type { BTrees, BbtEntry } from './btree.ts';
import { type Layout, computeSig, leId as idAt, le32 as u32, readId, trailerBid, trailerCrc, u64 } from './header.ts';

export interface SubnodeEntry {
  nid: number;
  bidData: number;
  bidSub: number;
}

export interface Ctx {
  nid?: number;
}

/** Marks stream buffers a Blocks instance may take back (see Blocks.recycle). */
const OWNER = Symbol('mailferry.streamBuffer');

/** Bytes per block arena and the largest block carved from one (see Blocks.alloc). */
const ARENA = 128 * 1024;
const ARENA_BLOCK = 16 * 1024;
const arenas = new WeakSet<ArrayBufferLike>();

/** Whether `v` lies in a block arena: copy it before it leaves the reader (see Blocks.alloc). */
export const isArenaView = (v: Uint8Array): boolean => arenas.has(v.buffer);


/** Internal blocks (XBLOCK, XXBLOCK, SLBLOCK, SIBLOCK) have BID bit 1 set. */
export const isInternal = (bid: number): boolean => Math.floor(bid / 2) % 2 === 1;

export class Blocks {
  /** Largest stream assembled in memory by `readStream` (a property value or heap). */
  maxStream = 512 * 1024 * 1024;

  constructor(
    private readonly src: ByteSource,
    readonly L: Layout,
    readonly bt: BTrees,
    private readonly rep: Reporter,
    private readonly codecs: Codecs | undefined,
    private readonly encryption: PstEncryption,
    /** Check dwCRC while reading (the validator turns it off after its block pass). */
    public verifyCrc: boolean,
  ) {
    this.crypt = encryption === 'permute' ? BlockCrypt.PERMUTE : encryption === 'cyclic' ? BlockCrypt.CYCLIC : BlockCrypt.NONE;
  }

  /** The file's cipher as the codecs name it (bCryptMethod; internal blocks are never encrypted). */
  private readonly crypt: BlockCrypt;

  /**
   * BBT lookup; when the BBT itself is damaged and the block is not found, fall back to the
   * blocks located by a scan of the file for valid block trailers (recovery).
   */
  lookup(bid: number): BbtEntry | null | Promise<BbtEntry | null> {
    const hit = this.bbtIndex?.(bid);
    if (hit) return hit;
    // Synchronous when the BBT path is cached (the common case: no promise per block read).
    const e = this.bt.bbt(bid);
    return e instanceof Promise ? this.recoveredLater(bid, e) : this.orRecovered(bid, e);
  }

  private recoveredLater(bid: number, e: Promise<BbtEntry | null>): Promise<BbtEntry | null> {
    return e.then((r) => this.orRecovered(bid, r));
  }

  private orRecovered(bid: number, e: BbtEntry | null): BbtEntry | null | Promise<BbtEntry | null> {
    if (e || !this.bt.bbtDamaged || !this.recoverBbt) return e;
    return this.fromScan(bid);
  }

  private fromScan(bid: number): Promise<BbtEntry | null> {
    this.recovered ??= this.scanTrailers();
    return this.recovered.then((m) => m.get(bid - (bid % 2)) ?? null);
  }

  /**
   * Optional in-memory BBT index (the validator builds one from its BBT walk of a sound tree):
   * consulted before the B-tree; undefined/null falls through to the B-tree lookup.
   */
  bbtIndex: ((bid: number) => BbtEntry | null | undefined) | undefined;

  /** Allow the trailer scan when the BBT is damaged (default true). */
  recoverBbt = true;
  private recovered: Promise<Map<number, BbtEntry>> | undefined;

  /**
   * Locate blocks without the BBT: every aligned position whose preceding bytes form a
   * BLOCKTRAILER with a matching wSig and dwCRC is a block ([MS-PST] 2.2.2.8.1, 5.3, 5.5).
   * Used only when the BBT is damaged; reports how many blocks it found.
   */
  private async scanTrailers(): Promise<Map<number, BbtEntry>> {
    const L = this.L;
    const map = new Map<number, BbtEntry>();
    const CHUNK = 4 << 20;
    const maxSpan = Math.ceil((L.maxBlockData + L.blockTrailerSize) / L.blockAlign) * L.blockAlign;
    const size = this.src.size;
    const direct = (this.src as { readDirect?: (o: number, l: number) => Promise<Uint8Array> }).readDirect;
    for (let base = 0; base < size; base += CHUNK) {
      const from = Math.max(0, base - maxSpan);
      const buf = direct ? await direct.call(this.src, from, Math.min(size, base + CHUNK) - from) : await this.src.read(from, Math.min(size, base + CHUNK) - from);
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      for (let end = Math.max(base, 1024) + (L.blockAlign - (Math.max(base, 1024) % L.blockAlign)) % L.blockAlign; end <= base + CHUNK && end - from <= buf.length; end += L.blockAlign) {
        const t = end - from - L.blockTrailerSize;
        if (t < 0) continue;
        const cb = dv.getUint16(t, true);
        if (cb === 0 || cb > L.maxBlockData) continue;
        const wSig = dv.getUint16(t + 2, true);
        const crc = L.ansi ? dv.getUint32(t + 8, true) : dv.getUint32(t + 4, true);
        const bid = L.ansi ? dv.getUint32(t + 4, true) : u64(dv, t + 8);
        if (bid === 0) continue;
        const span = Math.ceil((cb + L.blockTrailerSize) / L.blockAlign) * L.blockAlign;
        const ib = end - span;
        if (ib < from || ib < 512 || wSig !== computeSig(ib, bid)) continue;
        const stored = buf.subarray(ib - from, ib - from + cb);
        if (!this.codecs || this.codecs.crc32(stored) !== crc) continue;
        const cbInflated = L.fourK ? dv.getUint16(t + 18, true) : cb;
        map.set(bid - (bid % 2), { bid, ib, cb, cbInflated, cRef: 0 });
        if (map.size >= 4_000_000) break;
      }
    }
    this.rep.report('PST-BBT-RECOVERED', { message: `${map.size} blocks were located by scanning the file for block trailers; items are read from them where the block B-tree fails.` });
    return map;
  }

  /** Read, check, inflate and decrypt one block. Null when it cannot be read at all. */
  async read(bid: number, ctx: Ctx = {}): Promise<Uint8Array | null> {
    return this.readAny(bid, ctx);
  }

  /**
   * read() without a promise when the BBT path and the block's bytes are cached (the common
   * case: one call per heap, subnode tree and table page); otherwise the same steps continue
   * asynchronously. Same checks, findings and result as read().
   *
   * `into`: a buffer the caller owns and no longer needs; the block is decoded into its start
   * when it fits (the result is then a view of it), else into a buffer of its own.
   */
  readAny(bid: number, ctx: Ctx = {}, into?: Uint8Array): Uint8Array | null | Promise<Uint8Array | null> {
    const found = this.lookup(bid);
    if (found instanceof Promise) return this.foundLater(bid, found, ctx, into);
    return this.foundAny(bid, found, ctx, into);
  }

  // Continuations live in their own methods: a closure in a hot function would make V8 allocate
  // its context on every call, taken branch or not.
  private foundLater(bid: number, found: Promise<BbtEntry | null>, ctx: Ctx, into: Uint8Array | undefined): Promise<Uint8Array | null> {
    return found.then((e) => this.foundAny(bid, e, ctx, into));
  }

  private decodeLater(e: BbtEntry, read: Promise<Uint8Array>, ctx: Ctx, into: Uint8Array | undefined): Promise<Uint8Array | null> {
    return read.then((b) => this.decodeNew(e, b, ctx, into));
  }

  private foundAny(bid: number, e: BbtEntry | null, ctx: Ctx, into?: Uint8Array): Uint8Array | null | Promise<Uint8Array | null> {
    if (!e) {
      this.rep.report('PST-BBT-MISSING', { nid: ctx.nid, field: 'BBTENTRY.bref.bid', message: `Block ${hex(bid)}.` });
      return null;
    }
    const span = this.span(e);
    if (!(e.ib >= 0) || e.ib + span > this.src.size) {
      this.rep.report('PST-BLOCK-BOUNDS', { nid: ctx.nid, offset: e.ib, field: 'BBTENTRY.bref.ib', message: `Block ${hex(e.bid)} (${e.cb} bytes) at ${hex(e.ib)}; file size ${this.src.size}.` });
      return null;
    }
    const hit = this.src.peek?.(e.ib, span);
    if (hit) return this.decodeNew(e, hit, ctx, into);
    return this.decodeLater(e, this.src.read(e.ib, span), ctx, into);
  }

  /** decode() into `into` when the block's (inflated) size fits, else into a fresh buffer. */
  private decodeNew(e: BbtEntry, b: Uint8Array, ctx: Ctx, into?: Uint8Array): Uint8Array | null {
    const n = this.L.fourK ? e.cbInflated : e.cb;
    const out = into && into.length >= n ? into.subarray(0, n) : this.alloc(n);
    return this.decode(e, b, ctx, out, false) ? out : null;
  }

  /** Bytes that hold any block of this file decoded (readAny's `into`). */
  get maxDecoded(): number {
    return this.L.fourK ? 65536 : this.L.maxBlockData;
  }

  /**
   * A buffer for one decoded block. Small blocks (nearly all: heaps, subnode and data trees) are
   * carved from a shared arena instead of getting an ArrayBuffer each: one backing store per
   * ARENA bytes instead of one per block was a sixth of a message walk. Views are never
   * reused; an arena is freed when no view of it is left. Values that leave the reader are
   * copied out of arenas (isArenaView), so a caller keeping one never pins an arena.
   */
  private alloc(n: number): Uint8Array {
    if (n > ARENA_BLOCK) return new Uint8Array(n);
    if (this.arenaAt + n > ARENA) {
      this.arena = new ArrayBuffer(ARENA);
      arenas.add(this.arena);
      this.arenaAt = 0;
      this.arenaGen++;
    }
    const v = new Uint8Array(this.arena, this.arenaAt, n);
    this.arenaAt += (n + 7) & ~7;
    return v;
  }

  private arena = new ArrayBuffer(0);
  private arenaAt = ARENA;
  /** Arenas started so far (arenaMark). */
  private arenaGen = 0;

  /**
   * Where the next small block will be carved (for arenaRewind). A caller that decodes blocks
   * only to take a few numbers from them (inspect's attachment counts: a subnode block and a
   * table's heap per message) hands the space back afterwards, so a long run of them leaves no
   * dead arenas waiting for the collector.
   */
  arenaMark(): number {
    return this.arenaGen * 2 * ARENA + this.arenaAt;
  }

  /**
   * Carve the next blocks from `mark` again when the arena is still the one it was taken in.
   * Every block read since the mark is then dead: no view of one may be used again.
   */
  arenaRewind(mark: number): void {
    if (Math.floor(mark / (2 * ARENA)) === this.arenaGen) this.arenaAt = mark % (2 * ARENA);
  }

  /**
   * Like read() for a known BBT entry (the validator walks the BBT itself). `raw` supplies the
   * block's bytes when the caller read them already; `checkOnly` skips decryption (the validator
   * only needs trailer, CRC and inflate checks) and may return a view of `raw`.
   */
  async readEntry(e: BbtEntry, ctx: Ctx = {}, raw?: Uint8Array, checkOnly = false): Promise<Uint8Array | null> {
    const span = this.span(e);
    if (!(e.ib >= 0) || e.ib + span > this.src.size) {
      this.rep.report('PST-BLOCK-BOUNDS', { nid: ctx.nid, offset: e.ib, field: 'BBTENTRY.bref.ib', message: `Block ${hex(e.bid)} (${e.cb} bytes) at ${hex(e.ib)}; file size ${this.src.size}.` });
      return null;
    }
    const b = raw ?? (await this.src.read(e.ib, span));
    if (checkOnly) return this.decode(e, b, ctx, undefined, true);
    return this.decodeNew(e, b, ctx);
  }

  /** Bytes a block occupies in the file: payload + trailer, aligned ([MS-PST] 2.2.2.8.1). */
  span(e: BbtEntry): number {
    return Math.ceil((e.cb + this.L.blockTrailerSize) / this.L.blockAlign) * this.L.blockAlign;
  }

  /**
   * Check one block's raw bytes (trailer, wSig, dwCRC) and decode it into `out` (inflate, then
   * decrypt in place). With `checkOnly` nothing is decrypted and the stored or inflated bytes
   * are returned. Returns null when the block cannot be used.
   */
  private decode(e: BbtEntry, b: Uint8Array, ctx: Ctx, out: Uint8Array | undefined, checkOnly: boolean): Uint8Array | null {
    const L = this.L;
    const nid = ctx.nid;
    const span = this.span(e);
    if (b.length < span) {
      this.rep.report('PST-BLOCK-BOUNDS', { nid, offset: e.ib, field: 'BBTENTRY.bref.ib' });
      return null;
    }
    const crc = this.trailer(e, b, span - L.blockTrailerSize, nid);
    const inflate = L.fourK && e.cbInflated !== e.cb;
    const codecs = this.codecs;
    if (codecs?.crcDecodeInto && out && !checkOnly && !inflate && this.verifyCrc) {
      // The common case (no inflate, CRC checked) without option/result objects.
      const crypt = isInternal(e.bid) ? BlockCrypt.NONE : this.crypt;
      if (codecs.crcDecodeInto(b, out, crypt, e.bid >>> 0) !== crc) {
        this.rep.report('PST-BLOCK-CRC', { nid, offset: e.ib, field: 'BLOCKTRAILER.dwCRC', message: `Block ${hex(e.bid)}.` });
      }
      return out;
    }
    const stored = b.subarray(0, e.cb);
    const fused = this.codecs?.decodeBlock;
    if (fused && out && !checkOnly) {
      // One pass through wasm memory: CRC, inflate or copy, decrypt.
      const crypt = isInternal(e.bid) ? BlockCrypt.NONE : this.crypt;
      const o = this.fusedOptions;
      o.crypt = crypt;
      o.key = e.bid >>> 0;
      o.inflate = inflate;
      o.crc = this.verifyCrc;
      const r = fused.call(this.codecs, stored, out, o);
      if (this.verifyCrc && r.crc !== crc) {
        this.rep.report('PST-BLOCK-CRC', { nid, offset: e.ib, field: 'BLOCKTRAILER.dwCRC', message: `Block ${hex(e.bid)}.` });
      }
      if (r.error !== 0) {
        this.rep.report('PST-BLOCK-INFLATE', { nid, offset: e.ib, field: 'BBTENTRY.cbInflated', message: `Block ${hex(e.bid)}: ${e.cb} → ${e.cbInflated} bytes failed (codec error ${r.error}).` });
        return null;
      }
      return out;
    }
    if (this.verifyCrc && this.codecs && this.codecs.crc32(stored) !== crc) {
      this.rep.report('PST-BLOCK-CRC', { nid, offset: e.ib, field: 'BLOCKTRAILER.dwCRC', message: `Block ${hex(e.bid)}.` });
    }
    let data: Uint8Array;
    if (inflate) {
      if (!this.codecs) {
        this.rep.report('PST-UNSUPPORTED', { nid, offset: e.ib, message: 'Compressed blocks need the inflate codec, which is not loaded.' });
        return null;
      }
      data = out ?? new Uint8Array(e.cbInflated);
      const r = this.codecs.inflate(stored, data, { exact: true });
      if (r.error !== 0) {
        this.rep.report('PST-BLOCK-INFLATE', { nid, offset: e.ib, field: 'BBTENTRY.cbInflated', message: `Block ${hex(e.bid)}: ${e.cb} → ${e.cbInflated} bytes failed (codec error ${r.error}).` });
        return null;
      }
    } else if (checkOnly || !out) {
      data = stored;
    } else {
      out.set(stored);
      data = out;
    }
    if (checkOnly) return data;
    if (!isInternal(e.bid) && this.encryption !== 'none') {
      if (!this.codecs) {
        this.rep.report('PST-UNSUPPORTED', { nid, offset: e.ib, message: 'Encrypted blocks need the codec module, which is not loaded.' });
        return null;
      }
      if (this.encryption === 'permute') this.codecs.permuteDecode(data);
      else this.codecs.cyclicDecode(data, e.bid >>> 0);
    }
    return data;
  }

  /**
   * Check the BLOCKTRAILER at `b[t]` against the BBT entry (cb, bid, wSig; [MS-PST] 2.2.2.8.1) and
   * return its dwCRC. Read byte-wise: no DataView per block on the hottest path.
   */
  private trailer(e: BbtEntry, b: Uint8Array, t: number, nid: number | undefined): number {
    const ansi = this.L.ansi;
    const cb = b[t]! | (b[t + 1]! << 8);
    const wSig = b[t + 2]! | (b[t + 3]! << 8);
    const tbid = trailerBid(b, t, ansi);
    if (cb !== e.cb) {
      this.rep.report('PST-BLOCK-SIZE', { nid, offset: e.ib, field: 'BLOCKTRAILER.cb', message: `Block ${hex(e.bid)}: BBT says ${e.cb} bytes, trailer says ${cb}.` });
    }
    if (tbid - (tbid % 2) !== e.bid - (e.bid % 2)) {
      this.rep.report('PST-BLOCK-BID', { nid, offset: e.ib, field: 'BLOCKTRAILER.bid', message: `Expected ${hex(e.bid)}, trailer says ${hex(tbid)}.` });
    }
    if (wSig !== computeSig(e.ib, e.bid)) {
      this.rep.report('PST-BLOCK-SIG', { nid, offset: e.ib, field: 'BLOCKTRAILER.wSig', message: `Block ${hex(e.bid)}.` });
    }
    return trailerCrc(b, t, ansi);
  }

  /** decodeBlock's options, refilled per call (read synchronously by the codec). */
  private readonly fusedOptions: BlockDecodeOptions = { crypt: 0, key: 0, inflate: false, crc: true };

  /**
   * Read many blocks at once: BBT lookups first, then the file in large sequential runs, each
   * block checked and decoded straight into one output buffer. Returns a view per block (null
   * for unreadable ones; none asked for without `wantParts`); when all are readable the views
   * are consecutive in `whole`.
   *
   * Kept small, with the work in helpers (entriesOf, planRuns, decodeBatched, and decodeBlocks
   * for runs not decoded in one call): an async function this hot is optimised, and re-optimised
   * after each deoptimisation, as one unit with everything inlined into it, and one large body
   * made compiling it a third of the optimising compiler's time on an attachment-heavy walk.
   */
  async readMany(bids: number[], ctx: Ctx = {}, wantParts = true): Promise<{ parts: (Uint8Array | null)[]; whole: Uint8Array | null }> {
    if (bids.length === 1) {
      // Fast path: most nodes are one block.
      const d = await this.read(bids[0]!, ctx);
      return { parts: [d], whole: d };
    }
    let found = this.entriesOf(bids, ctx.nid, [], 0);
    if (found instanceof Promise) found = await found;
    const entries = found;
    const runs = this.planRuns(entries);
    const out = this.streamBuffer(runs.length ? runs[runs.length - 1]!.slotsEnd : 0);
    const st = new ManyState(wantParts);
    const held: Uint8Array[] = [];
    let pending = this.readRun(runs[0], out);
    try {
      for (let n = 0; n < runs.length; n++) {
        const r = runs[n]!;
        const buf = pending ? await pending : undefined;
        if (buf) held.push(buf);
        if (held.length > 1) this.releaseScratch(held.shift()!);
        // Two runs in flight: the next is read while this one decodes.
        pending = this.readRun(runs[n + 1], out);
        if (r.start < 0) {
          st.fail();
          continue;
        }
        // Runs read whole go through one codec call when nothing in them inflates and CRCs are checked.
        if (buf && buf.length >= r.end - r.start && !r.inflates && this.verifyCrc && this.codecs?.decodeRunInto) this.decodeBatched(entries as BbtEntry[], r, buf, out, st, ctx.nid);
        else await this.decodeBlocks(entries, r, buf, out, st, ctx);
      }
    } finally {
      for (const h of held) this.releaseScratch(h);
      if (pending) pending.then((b) => this.releaseScratch(b), () => {});
    }
    const at = st.at;
    return { parts: st.parts, whole: st.ok && entries.length === bids.length ? (at === out.length ? out : out.subarray(0, at)) : null };
  }

  /**
   * The BBT entries of `bids` from index `i` on, appended to `entries` (null for missing ones),
   * cut where the stream would pass maxStream. Synchronous while the BBT pages are cached (an
   * await per block costs a promise); continues asynchronously from the first lookup that is not.
   */
  private entriesOf(bids: number[], nid: number | undefined, entries: (BbtEntry | null)[], i: number, total = 0): (BbtEntry | null)[] | Promise<(BbtEntry | null)[]> {
    for (; i < bids.length && total >= 0; i++) {
      const found = this.lookup(bids[i]!);
      if (found instanceof Promise) return found.then((e) => this.entriesOf(bids, nid, entries, i + 1, this.addEntry(bids[i]!, e, nid, entries, total)));
      total = this.addEntry(bids[i]!, found, nid, entries, total);
    }
    return entries;
  }

  /** entriesOf's step: append `e` and return the stream's bytes so far, or -1 past maxStream. */
  private addEntry(bid: number, e: BbtEntry | null, nid: number | undefined, entries: (BbtEntry | null)[], total: number): number {
    if (!e) this.rep.report('PST-BBT-MISSING', { nid, field: 'BBTENTRY.bref.bid', message: `Block ${hex(bid)}.` });
    else total += this.L.fourK ? e.cbInflated : e.cb;
    if (total > this.maxStream) {
      this.rep.report('PST-UNSUPPORTED', { nid, message: `A stream is larger than ${this.maxStream} bytes; it is cut there.` });
      return -1;
    }
    entries.push(e);
    return total;
  }

  /**
   * Runs of blocks that lie back to back (small gaps allowed) in the file, at most RUN bytes each.
   * In-place runs are read straight into the output buffer at `pos`, the sum of the slots before
   * it, which is never before the run's first payload: decoding front to back then only
   * overwrites bytes already decoded, and the next run (read meanwhile) has its own slot. The
   * output is a little longer than the stream (trailers, alignment); `whole` is a view of it.
   */
  private planRuns(entries: (BbtEntry | null)[]): BlockRun[] {
    const RUN = Blocks.RUN;
    const fourK = this.L.fourK;
    const runs: BlockRun[] = [];
    const canFill = this.src.readInto !== undefined;
    let slots = 0;
    for (let i = 0; i < entries.length; ) {
      const first = entries[i];
      if (!first) {
        runs.push(new BlockRun(i, i + 1, -1, -1, slots, false, false, slots));
        i++;
        continue;
      }
      let j = i + 1;
      let end = first.ib + this.span(first);
      let payload = fourK ? first.cbInflated : first.cb;
      let inflates = fourK && first.cbInflated !== first.cb;
      while (j < entries.length) {
        const e = entries[j];
        if (!e || e.ib < end || e.ib - end > 65536 || e.ib + this.span(e) - first.ib > RUN) break;
        end = e.ib + this.span(e);
        payload += fourK ? e.cbInflated : e.cb;
        if (fourK && e.cbInflated !== e.cb) inflates = true;
        j++;
      }
      const raw = end - first.ib;
      const inPlace = canFill && j - i > 1 && !inflates && end <= this.src.size && raw - payload <= (payload >>> 4) + 65536;
      const pos = slots;
      slots += inPlace ? raw : payload;
      runs.push(new BlockRun(i, j, first.ib, end, pos, inPlace, inflates, slots));
      i = j;
    }
    return runs;
  }

  /**
   * Start reading run `r` (of more than one block) whole: in place into `out`, or into a pooled
   * scratch buffer (fresh 4 MiB buffers per run cost more in page faults and GC than the copy).
   */
  private readRun(r: BlockRun | undefined, out: Uint8Array): Promise<Uint8Array> | undefined {
    if (!r || !(r.start >= 0 && r.end <= this.src.size && r.j - r.i > 1)) return undefined;
    if (!r.inPlace) return this.readRange(r.start, r.end - r.start);
    const dest = out.subarray(r.pos, r.pos + (r.end - r.start));
    return this.src.readInto!(r.start, dest).then((got) => dest.subarray(0, got));
  }

  /**
   * A run of several blocks, or one cut short by the file's end, when it cannot be decoded in one
   * call (decodeBatched): block by block, from `buf` when the run was read whole, else each
   * block from the source.
   */
  private async decodeBlocks(entries: (BbtEntry | null)[], r: BlockRun, buf: Uint8Array | undefined, out: Uint8Array, st: ManyState, ctx: Ctx): Promise<void> {
    for (let k = r.i; k < r.j; k++) {
      const e = entries[k]!;
      const size = this.L.fourK ? e.cbInflated : e.cb;
      const dest = out.subarray(st.at, st.at + size);
      st.at += size;
      let raw: Uint8Array;
      if (buf) raw = buf.subarray(e.ib - r.start, e.ib - r.start + this.span(e));
      else {
        if (!(e.ib >= 0) || e.ib + this.span(e) > this.src.size) {
          this.rep.report('PST-BLOCK-BOUNDS', { nid: ctx.nid, offset: e.ib, field: 'BBTENTRY.bref.ib', message: `Block ${hex(e.bid)} (${e.cb} bytes) at ${hex(e.ib)}; file size ${this.src.size}.` });
          st.fail();
          continue;
        }
        raw = await this.src.read(e.ib, this.span(e));
      }
      st.push(this.decode(e, raw, ctx, dest, false));
    }
  }

  /**
   * A run read whole into `buf`, none of its blocks inflating: trailers checked here, CRC and
   * cipher of all its blocks in one codec call (Codecs.decodeRunInto), payloads back to back into
   * `out` from `st.at`.
   */
  private decodeBatched(entries: BbtEntry[], r: BlockRun, buf: Uint8Array, out: Uint8Array, st: ManyState, nid: number | undefined): void {
    const n = r.j - r.i;
    if (this.runDesc.length < 4 * n) {
      this.runDesc = new Uint32Array(8 * n);
      this.runCrc = new Uint32Array(2 * n);
    }
    const desc = this.runDesc;
    const crcs = this.runCrc;
    const crypt = this.crypt;
    const trailerSize = this.L.blockTrailerSize;
    for (let k = 0; k < n; k++) {
      const e = entries[r.i + k]!;
      const off = e.ib - r.start;
      crcs[k] = this.trailer(e, buf, off + this.span(e) - trailerSize, nid);
      desc[4 * k] = off;
      desc[4 * k + 1] = e.cb;
      const c = isInternal(e.bid) ? BlockCrypt.NONE : crypt;
      const key = e.bid >>> 0;
      desc[4 * k + 2] = c === BlockCrypt.CYCLIC ? (c << 16) | ((key ^ (key >>> 16)) & 0xffff) : c << 16;
    }
    this.codecs!.decodeRunInto!(buf, desc, n, out, st.at);
    for (let k = 0; k < n; k++) {
      const e = entries[r.i + k]!;
      if (desc[4 * k + 3] !== crcs[k]) {
        this.rep.report('PST-BLOCK-CRC', { nid, offset: e.ib, field: 'BLOCKTRAILER.dwCRC', message: `Block ${hex(e.bid)}.` });
      }
      if (st.wantParts) st.parts.push(out.subarray(st.at, st.at + e.cb));
      st.at += e.cb;
    }
  }

  /** decodeBatched's block list and trailer CRCs, reused from run to run. */
  private runDesc = new Uint32Array(0);
  private runCrc = new Uint32Array(0);

  /**
   * A buffer for a stream of `n` bytes. Streams of RECYCLE_MIN bytes and more (attachment data)
   * get a buffer the caller may hand back with recycle() once it is done with the value, so a
   * converter going through many large attachments reuses one buffer instead of faulting in
   * fresh pages (and leaving dead ones to the GC) for each.
   */
  private streamBuffer(n: number): Uint8Array {
    if (n < Blocks.RECYCLE_MIN) return new Uint8Array(n);
    const spare = this.spare;
    // A stream much smaller than the spare gets its own buffer: it would otherwise take the spare
    // from the next stream of the spare's size, which then faults in a fresh one.
    if (spare && spare.byteLength >= n && n > spare.byteLength >>> 1) {
      this.spare = undefined;
      return new Uint8Array(spare, 0, n);
    }
    // Rounded up to whole MiB: streams of about one size (slack from trailers and alignment varies
    // by a few KiB) then fit the spare the previous one left.
    const b = new Uint8Array(Math.ceil(n / Blocks.RECYCLE_MIN) * Blocks.RECYCLE_MIN).subarray(0, n);
    // A mark on the buffer, not a WeakSet: weak collections keep their keys alive until a full
    // GC, which held dead 32 MiB attachment buffers (+90 MiB peak on an attachment-heavy walk).
    (b.buffer as unknown as Record<symbol, Blocks>)[OWNER] = this;
    return b;
  }

  /**
   * The caller is done with `v` (a value this reader returned): if it lies in a large stream
   * buffer, that buffer may be reused for a later stream. Nothing may read `v` afterwards.
   */
  recycle(v: Uint8Array): void {
    const buf = v.buffer;
    if ((buf as unknown as Record<symbol, Blocks | undefined>)[OWNER] !== this || buf.byteLength > Blocks.RECYCLE_MAX) return;
    if (!this.spare || this.spare.byteLength < buf.byteLength) this.spare = buf as ArrayBuffer;
  }

  private spare: ArrayBuffer | undefined;
  private static readonly RECYCLE_MIN = 1 << 20;
  /** A larger buffer is left to the GC rather than kept as the spare. */
  private static readonly RECYCLE_MAX = 64 << 20;

  /** Free run buffers (at most two kept; one decoding, one being filled). */
  private readonly scratch: Uint8Array[] = [];
  private readonly ownScratch = new WeakSet<ArrayBufferLike>();
  private static readonly RUN = 4 << 20;

  private releaseScratch(b: Uint8Array): void {
    if (this.ownScratch.has(b.buffer) && this.scratch.length < 2) this.scratch.push(new Uint8Array(b.buffer));
  }

  private async readRange(offset: number, length: number): Promise<Uint8Array> {
    if (this.src.readInto && length <= Blocks.RUN) {
      let b = this.scratch.pop();
      if (!b) {
        b = new Uint8Array(Blocks.RUN);
        this.ownScratch.add(b.buffer);
      }
      try {
        const got = await this.src.readInto(offset, b.subarray(0, length));
        return b.subarray(0, got);
      } catch (err) {
        this.releaseScratch(b);
        throw err;
      }
    }
    const direct = (this.src as { readDirect?: (o: number, l: number) => Promise<Uint8Array> }).readDirect;
    return length >= 256 * 1024 && direct ? direct.call(this.src, offset, length) : this.src.read(offset, length);
  }

  /**
   * The leaf data BIDs of a node's data tree (a single data block, or XBLOCK/XXBLOCK), in order,
   * plus the total size the tree claims. [MS-PST] 2.2.2.8.3.2
   */
  async dataTree(bid: number, ctx: Ctx = {}): Promise<{ bids: number[]; total: number | undefined } | null> {
    if (!isInternal(bid)) return { bids: [bid], total: undefined };
    const out: number[] = [];
    const seen = new Set<number>();
    let total: number | undefined;
    const walk = async (b: number, depth: number): Promise<boolean> => {
      if (seen.has(b) || depth > 2) {
        this.rep.report('PST-DATATREE-CYCLE', { nid: ctx.nid, field: 'XBLOCK.rgbid', message: `Block ${hex(b)}.` });
        return false;
      }
      seen.add(b);
      const x = await this.read(b, ctx);
      if (!x) return false;
      if (x.length < 8 || x[0] !== 0x01 || (x[1] !== 1 && x[1] !== 2)) {
        this.rep.report('PST-BLOCK-TYPE', { nid: ctx.nid, field: x[0] !== 0x01 ? 'XBLOCK.btype' : 'XBLOCK.cLevel', message: `Block ${hex(b)}.` });
        return false;
      }
      const dv = new DataView(x.buffer, x.byteOffset, x.byteLength);
      const level = x[1]!;
      const cEnt = dv.getUint16(2, true);
      if (depth === 0) total = dv.getUint32(4, true);
      const id = this.L.idSize;
      const n = Math.min(cEnt, Math.floor((x.length - 8) / id));
      if (n < cEnt) this.rep.report('PST-BLOCK-TYPE', { nid: ctx.nid, field: 'XBLOCK.cEnt', message: `Block ${hex(b)} lists ${cEnt} entries but holds ${n}.` });
      for (let i = 0; i < n; i++) {
        const child = readId(dv, 8 + i * id, id);
        if (level === 2) {
          if (!(await walk(child, depth + 1))) return false;
        } else {
          if (isInternal(child)) {
            this.rep.report('PST-BLOCK-TYPE', { nid: ctx.nid, field: 'XBLOCK.rgbid', message: `XBLOCK ${hex(b)} lists an internal block ${hex(child)}.` });
            return false;
          }
          out.push(child);
        }
      }
      return true;
    };
    if (!(await walk(bid, 0))) return null;
    return { bids: out, total };
  }

  /** Read every leaf block of a data tree (in order). Null entries are unreadable blocks. */
  async readTree(bid: number, ctx: Ctx = {}): Promise<(Uint8Array | null)[] | null> {
    const t = await this.dataTree(bid, ctx);
    return t ? this.readLeaves(t, ctx) : null;
  }

  /** readTree() for a data tree already resolved by dataTree(). */
  async readLeaves(t: { bids: number[]; total: number | undefined }, ctx: Ctx = {}): Promise<(Uint8Array | null)[]> {
    const { parts, whole } = await this.readMany(t.bids, ctx);
    if (t.total !== undefined && whole && t.total !== whole.length) {
      this.rep.report('PST-DATATREE-TOTAL', { nid: ctx.nid, field: 'XBLOCK.lcbTotal', message: `Tree claims ${t.total} bytes, blocks hold ${whole.length}.` });
    }
    return parts;
  }

  /** A node's whole data stream; unreadable blocks make the result null. */
  async readStream(bid: number, ctx: Ctx = {}): Promise<Uint8Array | null> {
    const t = await this.dataTree(bid, ctx);
    if (!t) return null;
    const { whole } = await this.readMany(t.bids, ctx, false);
    if (t.total !== undefined && whole && t.total !== whole.length) {
      this.rep.report('PST-DATATREE-TOTAL', { nid: ctx.nid, field: 'XBLOCK.lcbTotal', message: `Tree claims ${t.total} bytes, blocks hold ${whole.length}.` });
    }
    return whole;
  }

  /**
   * readStream() without a promise for a stream of one data block that is cached (most values in
   * subnodes); data trees go through readStream.
   */
  readStreamAny(bid: number, ctx: Ctx = {}): Uint8Array | null | Promise<Uint8Array | null> {
    return isInternal(bid) ? this.readStream(bid, ctx) : this.readAny(bid, ctx);
  }

  /** The subnode tree at `bidSub` ([MS-PST] 2.2.2.8.3.3) as a map NID → entry. */
  async subnodes(bidSub: number, ctx: Ctx = {}): Promise<Map<number, SubnodeEntry>> {
    return this.subnodesAny(bidSub, ctx);
  }

  /**
   * subnodes() without a promise while every block of the tree is cached (usually one SLBLOCK);
   * at the first uncached block the walk continues asynchronously, same order and findings.
   */
  subnodesAny(bidSub: number, ctx: Ctx = {}): Map<number, SubnodeEntry> | Promise<Map<number, SubnodeEntry>> {
    const map = new Map<number, SubnodeEntry>();
    if (!bidSub) return map;
    const x = this.readAny(bidSub, ctx);
    // Fast path (no closures): a cached single SLBLOCK, or an unreadable root.
    if (!(x instanceof Promise)) {
      if (!x) return map;
      if (x.length >= 4 && x[0] === 0x02 && x[1] === 0) {
        this.slLeaf(bidSub, x, ctx, map);
        return map;
      }
    }
    return this.subnodeWalk(bidSub, x, ctx, map);
  }

  /** The entries of SLBLOCK `x` (block `b`) into `map` ([MS-PST] 2.2.2.8.3.3.1). */
  private slLeaf(b: number, x: Uint8Array, ctx: Ctx, map: Map<number, SubnodeEntry>): void {
    const id = this.L.idSize;
    const cEnt = x[2]! | (x[3]! << 8);
    const head = id === 8 ? 8 : 4;
    const size = 3 * id;
    const n = Math.min(cEnt, Math.floor((x.length - head) / size));
    if (n < cEnt) this.rep.report('PST-BLOCK-TYPE', { nid: ctx.nid, field: 'SLBLOCK.cEnt', message: `Block ${hex(b)} lists ${cEnt} entries but holds ${n}.` });
    // Byte-wise (no DataView per block): SLENTRY = nid, bidData, bidSub of the layout's width.
    for (let i = 0; i < n; i++) {
      const at = head + i * size;
      const nid = u32(x, at);
      map.set(nid, { nid, bidData: idAt(x, at + id, id), bidSub: idAt(x, at + 2 * id, id) });
    }
  }

  /** The general subnode-tree walk from the root's read result `root` (SIBLOCKs, async reads). */
  private subnodeWalk(bidSub: number, root: Uint8Array | null | Promise<Uint8Array | null>, ctx: Ctx, map: Map<number, SubnodeEntry>): Map<number, SubnodeEntry> | Promise<Map<number, SubnodeEntry>> {
    // Blocks on the path so far (cycle check); only needed below an SIBLOCK.
    let seen: Set<number> | undefined;
    const id = this.L.idSize;
    const walk = (b: number, depth: number): void | Promise<void> => {
      if (seen?.has(b) || depth > 8) {
        this.rep.report('PST-DATATREE-CYCLE', { nid: ctx.nid, field: 'SIENTRY.bid', message: `Block ${hex(b)}.` });
        return;
      }
      seen?.add(b);
      const x = this.readAny(b, ctx);
      return x instanceof Promise ? x.then((v) => visit(b, v, depth)) : visit(b, x, depth);
    };
    const visit = (b: number, x: Uint8Array | null, depth: number): void | Promise<void> => {
      if (!x) return;
      if (x.length < 4 || x[0] !== 0x02 || x[1]! > 1) {
        this.rep.report('PST-BLOCK-TYPE', { nid: ctx.nid, field: x[0] !== 0x02 ? 'SLBLOCK.btype' : 'SLBLOCK.cLevel', message: `Block ${hex(b)}.` });
        return;
      }
      if (x[1] === 0) {
        this.slLeaf(b, x, ctx, map);
        return;
      }
      const dv = new DataView(x.buffer, x.byteOffset, x.byteLength);
      const cEnt = dv.getUint16(2, true);
      const head = id === 8 ? 8 : 4;
      const size = 2 * id;
      const n = Math.min(cEnt, Math.floor((x.length - head) / size));
      if (n < cEnt) this.rep.report('PST-BLOCK-TYPE', { nid: ctx.nid, field: 'SLBLOCK.cEnt', message: `Block ${hex(b)} lists ${cEnt} entries but holds ${n}.` });
      // Only the root can have been visited before the first SIBLOCK.
      seen ??= new Set([b]);
      const from = (i: number): void | Promise<void> => {
        for (; i < n; i++) {
          const r = walk(readId(dv, head + i * size + id, id), depth + 1);
          if (r) {
            const next = i + 1;
            return r.then(() => from(next));
          }
        }
      };
      return from(0);
    };
    // The root was read by the caller (walk()'s first step: no cycle is possible yet).
    const r = root instanceof Promise ? root.then((v) => visit(bidSub, v, 0)) : visit(bidSub, root, 0);
    return r ? r.then(() => map) : map;
  }
}

/** One run of Blocks.readMany: entries i..j-1, file bytes [start, end) (-1: an entry missing). */
class BlockRun {
  constructor(
    readonly i: number,
    readonly j: number,
    readonly start: number,
    readonly end: number,
    /** Where an in-place run's raw bytes go in the output buffer. */
    readonly pos: number,
    readonly inPlace: boolean,
    readonly inflates: boolean,
    /** Output bytes taken by this run and the ones before it. */
    readonly slotsEnd: number,
  ) {}
}

/** What readMany has decoded so far: the output position, the views per block, whether all were readable. */
class ManyState {
  at = 0;
  ok = true;
  readonly parts: (Uint8Array | null)[] = [];
  constructor(readonly wantParts: boolean) {}

  push(d: Uint8Array | null): void {
    if (!d) this.ok = false;
    this.parts.push(d);
  }

  fail(): void {
    this.ok = false;
    this.parts.push(null);
  }
}
