/**
 * A growable array of u32 (4 bytes per value, no object per value): NBT entries kept by the
 * validator, a table's row index, the row ids a folder listed. Capacity doubles as it fills.
 */
export class U32Vec {
  private a: Uint32Array<ArrayBuffer>;
  length = 0;

  /** `capacity` 16 or less keeps a small vector on the V8 heap (typed arrays up to 64 bytes). */
  constructor(capacity = 1024) {
    this.a = new Uint32Array(capacity);
  }

  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Uint32Array(Math.max(16, this.a.length * 2));
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v >>> 0;
  }

  at(i: number): number {
    return this.a[i]!;
  }

  /** The values (a copy, e.g. for a worker). */
  array(): Uint32Array<ArrayBuffer> {
    return this.a.slice(0, this.length);
  }

  static of(a: Uint32Array<ArrayBuffer>): U32Vec {
    const v = new U32Vec(0);
    v.a = a;
    v.length = a.length;
    return v;
  }
}
