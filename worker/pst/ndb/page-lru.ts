/**
 * The least-recently-used index behind BTrees' page cache: page offset → a value, in a fixed
 * open-addressing hash table and a doubly linked use order, both typed arrays sized once. A Map
 * used as an LRU (delete and set on every use) rebuilds its table every few hundred uses; each
 * table of a thousand entries outlived a few young collections and died in the old generation,
 * the largest thing inspect left there on a 4 GiB file (25 MB of 1.6M messages' lookups).
 */
export class PageLru<T> {
  readonly capacity: number;
  /** Page offset of each slot. */
  private readonly ibs: Float64Array;
  private readonly values: (T | undefined)[];
  /** Use order: slot → neighbour towards the most (prev) and least (next) recent, -1 at the ends. */
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  /** Hash table (linear probing): slot + 1, 0 for empty. */
  private readonly table: Int32Array;
  private readonly shift: number;
  private head = -1;
  private tail = -1;
  size = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity | 0);
    this.ibs = new Float64Array(this.capacity);
    this.values = new Array<T | undefined>(this.capacity).fill(undefined);
    this.prev = new Int32Array(this.capacity);
    this.next = new Int32Array(this.capacity);
    let bits = 1;
    while (1 << bits < 2 * this.capacity) bits++;
    this.table = new Int32Array(1 << bits);
    this.shift = 32 - bits;
  }

  /** Home bucket of offset `ib` (a multiple of 512, below 2^53). */
  private home(ib: number): number {
    const x = (ib / 512) | 0;
    return Math.imul(x ^ ((ib / 4294967296) | 0), 0x9e3779b1) >>> this.shift;
  }

  /** The slot holding `ib`, or -1. Does not change the use order. */
  find(ib: number): number {
    const mask = this.table.length - 1;
    for (let h = this.home(ib); ; h = (h + 1) & mask) {
      const s = this.table[h]! - 1;
      if (s < 0) return -1;
      if (this.ibs[s] === ib) return s;
    }
  }

  /** The value of slot `s` (from find()). */
  value(s: number): T {
    return this.values[s] as T;
  }

  /** Mark slot `s` most recently used. */
  touch(s: number): void {
    if (this.head === s) return;
    this.unlink(s);
    this.pushHead(s);
  }

  /**
   * Set `ib` to `v` as the most recently used entry. When that makes one entry too many, the
   * least recently used one goes and its value is returned (else undefined).
   */
  set(ib: number, v: T): T | undefined {
    const at = this.find(ib);
    if (at >= 0) {
      this.values[at] = v;
      this.touch(at);
      return undefined;
    }
    let s: number;
    let evicted: T | undefined;
    if (this.size < this.capacity) {
      s = this.size++;
    } else {
      s = this.tail;
      evicted = this.values[s];
      this.unlink(s);
      this.unhash(this.ibs[s]!);
    }
    this.ibs[s] = ib;
    this.values[s] = v;
    const mask = this.table.length - 1;
    let h = this.home(ib);
    while (this.table[h] !== 0) h = (h + 1) & mask;
    this.table[h] = s + 1;
    this.pushHead(s);
    return evicted;
  }

  /** Every value held, in no particular order. */
  *entries(): IterableIterator<T> {
    for (let s = 0; s < this.size; s++) yield this.values[s] as T;
  }

  clear(): void {
    this.table.fill(0);
    this.values.fill(undefined);
    this.head = this.tail = -1;
    this.size = 0;
  }

  private pushHead(s: number): void {
    this.prev[s] = -1;
    this.next[s] = this.head;
    if (this.head >= 0) this.prev[this.head] = s;
    this.head = s;
    if (this.tail < 0) this.tail = s;
  }

  private unlink(s: number): void {
    const p = this.prev[s]!;
    const n = this.next[s]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
  }

  /** Remove `ib` from the hash table, shifting back the entries its bucket displaced. */
  private unhash(ib: number): void {
    const t = this.table;
    const mask = t.length - 1;
    let h = this.home(ib);
    while (this.ibs[t[h]! - 1] !== ib) h = (h + 1) & mask;
    for (let j = (h + 1) & mask; t[j] !== 0; j = (j + 1) & mask) {
      const k = this.home(this.ibs[t[j]! - 1]!);
      // Move t[j] into the hole at h unless its home lies cyclically in (h, j].
      if (h <= j ? h < k && k <= j : h < k || k <= j) continue;
      t[h] = t[j]!;
      h = j;
    }
    t[h] = 0;
  }
}
