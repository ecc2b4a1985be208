/**
 * The one interface every reader uses for random access to an input (hyparquet style).
 * Small on purpose: a Blob/File, a Node file handle and an in-memory buffer all fit it,
 * and the slab cache (slab-cache.ts) wraps any of them with a byte budget.
 */
export interface ByteSource {
  /** Total length of the input in bytes. */
  readonly size: number;
  /** A label for messages (file name); never used to open anything. */
  readonly name?: string;
  /**
   * Bytes [offset, offset+length) clipped to `size`: the result is shorter only at the end
   * of the input. The caller must not keep the result past its next call unless it copies it.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional, fflate style: fill the caller's `dest` with bytes from `offset` (clipped to `size`)
   * and resolve to the count, so a reader can reuse one buffer for large runs instead of getting
   * a fresh one per read.
   */
  readInto?(offset: number, dest: Uint8Array): Promise<number>;
  /**
   * Optional synchronous fast path: bytes [offset, offset+length) when the source already holds
   * them in memory (a cache hit), else undefined and the caller uses `read`. Same view rules as
   * `read`; a source may answer undefined for any request.
   */
  peek?(offset: number, length: number): Uint8Array | undefined;
}

/** A source over bytes already in memory (small fixtures, decoded MIME parts). */
export function bytesSource(bytes: Uint8Array, name?: string): ByteSource {
  return {
    size: bytes.length,
    name,
    read(offset, length) {
      const start = Math.min(Math.max(0, offset), bytes.length);
      const end = Math.min(bytes.length, start + Math.max(0, length));
      return Promise.resolve(bytes.subarray(start, end));
    },
  };
}

/** A source over a Blob or File, reading only the slices asked for. */
export function blobSource(blob: Blob, name?: string): ByteSource {
  return {
    size: blob.size,
    name: name ?? (blob as { name?: string }).name,
    async read(offset, length) {
      const start = Math.min(Math.max(0, offset), blob.size);
      const end = Math.min(blob.size, start + Math.max(0, length));
      return new Uint8Array(await blob.slice(start, end).arrayBuffer());
    },
  };
}
