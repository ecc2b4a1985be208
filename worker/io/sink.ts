/**
 * Where output goes: a file, stdout, a File System Access writable, an OPFS file or an upload.
 * Writers push chunks in order and await each write, so a slow sink applies back-pressure
 * instead of letting output pile up in memory.
 */
export interface ByteSink {
  /** The sink may keep `chunk` only until the returned promise settles. */
  write(chunk: Uint8Array): Promise<void> | void;
  /**
   * Optional: write a large `chunk` from the caller's memory in the background, so the caller can
   * go on (read the next message) while the bytes go out. `accepted` applies back-pressure as
   * write() does and keeps the order of writes; `released` settles (never rejects) once the sink
   * no longer needs `chunk`, and only then may the caller reuse it. A failed write is reported by
   * the next write() or close().
   */
  lend?(chunk: Uint8Array): Lent;
  close(): Promise<void> | void;
}

/** What ByteSink.lend returns. */
export interface Lent {
  accepted: Promise<void> | void;
  released: Promise<void>;
}

/** Collects output in memory: for tests and small items only. */
export class MemorySink implements ByteSink {
  private parts: Uint8Array[] = [];
  private length = 0;
  write(chunk: Uint8Array): void {
    this.parts.push(chunk.slice());
    this.length += chunk.length;
  }
  close(): void {}
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
