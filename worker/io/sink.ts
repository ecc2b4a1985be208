/**
 * Where output goes: a file, stdout, a File System Access writable, an OPFS file or an upload.
 * Writers push chunks in order and await each write, so a slow sink applies back-pressure
 * instead of letting output pile up in memory.
 */
export interface ByteSink {
  /** The sink may keep `chunk` only until the returned promise settles. */
  write(chunk: Uint8Array): Promise<void> | void;
  close(): Promise<void> | void;
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
