/**
 * Browser ends of the ByteSink interface. Output never piles up in memory: every chunk goes
 * straight to disk, either through a File System Access writable (a file the user picked with
 * the save picker; the handle is structured-cloned into the worker) or into the origin-private
 * file system, where a dedicated worker gets a synchronous access handle — the fastest path and
 * the one that works in every current engine. The page later offers the OPFS file for download
 * (getFile() returns a disk-backed File, so the download is streamed too).
 */
import type { ByteSink } from './sink.ts';

/** Minimal shapes of the OPFS / File System Access types (the WebWorker lib lags behind). */
interface SyncAccessHandle {
  write(buffer: Uint8Array<ArrayBuffer>, options?: { at?: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
interface WritableFileStream {
  write(data: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
  abort?(): Promise<void>;
}
export interface FileHandleLike {
  readonly name: string;
  createWritable?(options?: { keepExistingData?: boolean }): Promise<WritableFileStream>;
  createSyncAccessHandle?(): Promise<SyncAccessHandle>;
}
interface DirectoryHandleLike {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirectoryHandleLike>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandleLike>;
}

/** The folder inside OPFS that holds converted streams (wiped by kiosk mode). */
export const OPFS_OUTPUT_DIR = 'mailferry-output';

/** A sink counting what passes through it, for progress and the final size. */
export interface CountingSink extends ByteSink {
  readonly bytesWritten: number;
}

/** Sink over a File System Access file handle (from showSaveFilePicker / a picked folder). */
export async function writableSink(handle: FileHandleLike): Promise<CountingSink> {
  if (!handle.createWritable) throw new Error('this browser cannot write to the chosen file');
  const stream = await handle.createWritable({ keepExistingData: false });
  let written = 0;
  let closed = false;
  return {
    get bytesWritten() {
      return written;
    },
    async write(chunk) {
      // The writer may reuse `chunk` after we return; the stream copies on write.
      await stream.write(chunk as Uint8Array<ArrayBuffer>);
      written += chunk.length;
    },
    async close() {
      if (closed) return;
      closed = true;
      await stream.close();
    },
  };
}

/** The OPFS directory for outputs, created on demand. */
export async function opfsOutputDir(): Promise<DirectoryHandleLike> {
  const storage = (globalThis.navigator as unknown as { storage?: { getDirectory?: () => Promise<DirectoryHandleLike> } })
    .storage;
  if (!storage?.getDirectory) throw new Error('this browser has no origin-private file system');
  const root = await storage.getDirectory();
  return root.getDirectoryHandle(OPFS_OUTPUT_DIR, { create: true });
}

/**
 * Sink into OPFS file `name` (in OPFS_OUTPUT_DIR). Uses a synchronous access handle where it
 * exists (dedicated workers), else a writable stream.
 */
export async function opfsSink(name: string): Promise<CountingSink> {
  const dir = await opfsOutputDir();
  const handle = await dir.getFileHandle(name, { create: true });
  if (!handle.createSyncAccessHandle) return writableSink(handle);
  const access = await handle.createSyncAccessHandle();
  access.truncate(0);
  let at = 0;
  let closed = false;
  return {
    get bytesWritten() {
      return at;
    },
    write(chunk) {
      let done = 0;
      while (done < chunk.length) {
        const n = access.write(chunk.subarray(done) as Uint8Array<ArrayBuffer>, { at: at + done });
        if (n <= 0) throw new Error('the browser storage is full (quota exceeded)');
        done += n;
      }
      at += done;
    },
    close() {
      if (closed) return;
      closed = true;
      access.flush();
      access.close();
    },
  };
}
