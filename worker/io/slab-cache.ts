/**
 * A ByteSource wrapper that keeps recently read parts of the input in fixed-size slabs within a
 * byte budget (second-chance eviction, an LRU approximation without work per hit). Readers of random-access formats (PST B-trees, heap pages) touch the same
 * few kilobytes over and over; the slab cache turns that into one underlying read per slab while
 * keeping memory bounded no matter how large the input is. Reads larger than a quarter of the
 * budget bypass the cache so one huge attachment cannot evict everything else.
 */
import type { ByteSource } from './byte-source.ts';

export interface SlabCacheOptions {
  /** Bytes per slab (power of two, default 128 KiB). */
  slabBytes?: number;
  /**
   * Reuse the buffers of evicted slabs (default false). A slab is evicted only after every other
   * slab has had its turn, and its buffer is taken again only `slabs / 4` loads later, so a view
   * that read() or peek() returned is overwritten only if its caller keeps it across hundreds of
   * slab loads: for readers that use what they read before they read on (the PST reader decodes
   * every block into its own buffer at once). Without reuse, a walk through a file of several
   * GiB leaves one dead 128 KiB buffer per slab read for the garbage collector, and they pile up
   * to tens of MiB between collections.
   */
  recycle?: boolean;
  /**
   * Maximum bytes held in slabs (default 8 MiB). A PST walk reads B-tree pages and heap blocks
   * mostly once, near each other: 8, 16 and 32 MiB gave the same walk times on 1 and 4 GiB files,
   * message- and attachment-heavy. A small budget is also full early in a run, so peak memory
   * does not creep up with the file's size while the cache fills: with 32 MiB an
   * attachment-heavy walk peaked at 159 MiB on 1 GiB and 189 MiB on 4 GiB, with 8 MiB at 153
   * and 160 MiB.
   */
  budgetBytes?: number;
}

export interface SlabCacheStats {
  /** Bytes fetched from the underlying source. */
  bytesRead: number;
  /** Calls made to the underlying source. */
  reads: number;
  hits: number;
  misses: number;
  cachedBytes: number;
  peakCachedBytes: number;
}

export class SlabCache implements ByteSource {
  readonly size: number;
  readonly name?: string;
  readonly slabBytes: number;
  readonly budgetBytes: number;
  /**
   * Second-chance (CLOCK) order: insertion order, and a hit only sets the slab's `ref` bit (no
   * Map delete/set per hit: hits are the hot path of every block read). Eviction moves a slab
   * whose bit is set to the back once, clearing the bit, and drops the first one without it.
   */
  private readonly slabs = new Map<number, { bytes: Uint8Array; ref: boolean }>();
  /**
   * Slab loads under way: the latest in `pendingIndex`/`pending`, any others (concurrent reads)
   * in `loading`. A Map set and cleared for every load rebuilt its table every few loads, and on
   * a long run those tables were a good part of what reached the old generation.
   */
  private readonly loading = new Map<number, Promise<Uint8Array>>();
  private pendingIndex = -1;
  private pending: Promise<Uint8Array> | undefined;
  /** Buffers of evicted full-size slabs (recycle), oldest first, with the load count at eviction. */
  private readonly spare: { bytes: Uint8Array; at: number }[] | undefined;
  /** Loads a spare buffer waits before it is reused. */
  private readonly quarantine: number;
  private loads = 0;
  private readonly st: SlabCacheStats = { bytesRead: 0, reads: 0, hits: 0, misses: 0, cachedBytes: 0, peakCachedBytes: 0 };

  constructor(
    private readonly source: ByteSource,
    options: SlabCacheOptions = {},
  ) {
    this.size = source.size;
    this.name = source.name;
    let slab = options.slabBytes ?? 131072;
    if (!(slab >= 512) || (slab & (slab - 1)) !== 0) slab = 131072;
    this.slabBytes = slab;
    this.budgetBytes = Math.max(slab * 2, options.budgetBytes ?? 8 * 1024 * 1024);
    this.spare = options.recycle ? [] : undefined;
    this.quarantine = Math.max(2, (this.budgetBytes / slab) >> 2);
  }

  /** A buffer for a full slab: an evicted one out of quarantine (recycle), else a new one. */
  private slabBuffer(n: number): Uint8Array {
    const spare = this.spare;
    if (spare && n === this.slabBytes && spare.length && this.loads - spare[0]!.at >= this.quarantine) {
      return spare.shift()!.bytes;
    }
    return new Uint8Array(n);
  }

  stats(): SlabCacheStats {
    return { ...this.st };
  }

  /** Drop every slab (e.g. between phases of a validator pass). */
  clear(): void {
    // Views of cleared slabs may still be in use: their buffers are not reused.
    this.spare?.splice(0);
    this.slabs.clear();
    this.st.cachedBytes = 0;
  }

  private async load(index: number): Promise<Uint8Array> {
    const hit = this.slabs.get(index);
    if (hit) {
      this.st.hits++;
      hit.ref = true;
      return hit.bytes;
    }
    if (index === this.pendingIndex) return this.pending!;
    const pending = this.loading.size ? this.loading.get(index) : undefined;
    if (pending) return pending;
    this.st.misses++;
    const p = (async () => {
      const start = index * this.slabBytes;
      let own: Uint8Array;
      this.loads++;
      if (this.source.readInto) {
        // Straight into the slab's own buffer (no second copy).
        const buf = this.slabBuffer(Math.max(0, Math.min(this.slabBytes, this.size - start)));
        const got = await this.source.readInto(start, buf);
        own = got === buf.length ? buf : buf.slice(0, got);
      } else {
        // The source may hand out a view it reuses; keep our own copy.
        const got = await this.source.read(start, this.slabBytes);
        own = this.slabBuffer(got.length);
        own.set(got);
      }
      this.st.reads++;
      this.st.bytesRead += own.length;
      this.slabs.set(index, { bytes: own, ref: false });
      this.st.cachedBytes += own.length;
      while (this.st.cachedBytes > this.budgetBytes) {
        const oldest = this.slabs.entries().next();
        if (oldest.done) break;
        const [k, e] = oldest.value;
        this.slabs.delete(k);
        if (e.ref && k !== index) {
          e.ref = false;
          this.slabs.set(k, e);
          continue;
        }
        this.st.cachedBytes -= e.bytes.length;
        if (this.spare && e.bytes.length === this.slabBytes && e.bytes.byteOffset === 0 && this.spare.length < this.quarantine + 16) this.spare.push({ bytes: e.bytes, at: this.loads });
      }
      if (this.st.cachedBytes > this.st.peakCachedBytes) this.st.peakCachedBytes = this.st.cachedBytes;
      return own;
    })();
    const first = this.pendingIndex < 0;
    if (first) {
      this.pendingIndex = index;
      this.pending = p;
    } else this.loading.set(index, p);
    try {
      return await p;
    } finally {
      if (first) {
        this.pendingIndex = -1;
        this.pending = undefined;
      } else this.loading.delete(index);
    }
  }

  /**
   * Synchronous read when [offset, offset+length) lies inside one slab that is cached (a view of
   * the slab, as read() would return), else undefined: the hot path of block reads, with no
   * promise per hit.
   */
  peek(offset: number, length: number): Uint8Array | undefined {
    if (!(offset >= 0) || !(length > 0) || offset !== Math.floor(offset) || length !== Math.floor(length)) return undefined;
    const end = offset + length;
    if (end > this.size) return undefined;
    const sb = this.slabBytes;
    const index = Math.floor(offset / sb);
    if (Math.floor((end - 1) / sb) !== index) return undefined;
    const e = this.slabs.get(index);
    if (!e) return undefined;
    const slab = e.bytes;
    const at = offset - index * sb;
    if (at + length > slab.length) return undefined;
    this.st.hits++;
    e.ref = true;
    return slab.subarray(at, at + length);
  }

  /**
   * Read past the cache: for large sequential runs (attachment data) that would only evict
   * the B-tree and heap pages everyone else needs. The result is the caller's to keep.
   */
  async readDirect(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, Math.floor(offset)), this.size);
    const n = Math.max(0, Math.min(this.size, start + Math.max(0, Math.floor(length))) - start);
    this.st.reads++;
    this.st.bytesRead += n;
    return this.source.read(start, n);
  }

  /**
   * Read past the cache into the caller's buffer (`dest.length` bytes from `offset`, clipped to
   * the input); returns the bytes read. Sources with their own `readInto` (the CLI's files) fill
   * `dest` directly, so a reader can reuse one buffer for every large run.
   */
  async readInto(offset: number, dest: Uint8Array): Promise<number> {
    const start = Math.min(Math.max(0, Math.floor(offset)), this.size);
    const n = Math.max(0, Math.min(this.size - start, dest.length));
    if (n === 0) return 0;
    this.st.reads++;
    this.st.bytesRead += n;
    if (this.source.readInto) return this.source.readInto(start, n === dest.length ? dest : dest.subarray(0, n));
    const got = await this.source.read(start, n);
    dest.set(got.length > n ? got.subarray(0, n) : got);
    return Math.min(n, got.length);
  }

  /**
   * Bytes [offset, offset+length) clipped to the input. A read inside one slab returns a view of
   * the slab: callers must treat the result as read-only and copy what they keep or modify.
   */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, Math.floor(offset)), this.size);
    const end = Math.min(this.size, start + Math.max(0, Math.floor(length)));
    const n = end - start;
    if (n <= 0) return new Uint8Array(0);
    if (n > this.budgetBytes / 4) return this.readDirect(start, n);
    const first = Math.floor(start / this.slabBytes);
    const last = Math.floor((end - 1) / this.slabBytes);
    if (first === last) {
      const slab = await this.load(first);
      const at = start - first * this.slabBytes;
      return slab.subarray(at, Math.min(slab.length, at + n));
    }
    const out = new Uint8Array(n);
    let got = 0;
    for (let i = first; i <= last; i++) {
      const slab = await this.load(i);
      const base = i * this.slabBytes;
      const from = Math.max(start, base) - base;
      const to = Math.min(end, base + slab.length) - base;
      if (to <= from) break;
      out.set(slab.subarray(from, to), got);
      got += to - from;
    }
    return got === n ? out : out.subarray(0, got);
  }
}
