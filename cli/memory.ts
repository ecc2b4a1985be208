/**
 * A safety net for large buffers in the CLI. Attachment data lives in ArrayBuffers outside the
 * V8 heap; V8 frees dead ones only in a collection, which it schedules after external memory has
 * grown by about 64 MiB, so dead copies of attachments of tens of MiB can pile up. pff2mt hands
 * its buffers back to the reader (PstFile.recycle), which keeps this rare; after a frame of at
 * least `LARGE` bytes the command checks the ArrayBuffer total and, above `CEILING`, asks for a
 * full collection (each costs ~20 ms, so not after every large frame). Node exposes gc() only
 * behind --expose-gc; the flag is set at run time, and when that is not possible this does
 * nothing.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Frames at least this large are followed by a check. */
export const LARGE = 8 << 20;
/** ArrayBuffer bytes (live and dead) above which the check collects. */
const CEILING = 96 << 20;

let gc: (() => void) | null | undefined;

/** Run a full garbage collection if ArrayBuffers exceed CEILING and the runtime allows it. */
export function releaseLargeBuffers(): void {
  if (process.memoryUsage().arrayBuffers <= CEILING) return;
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose_gc');
      const f = runInNewContext('gc') as unknown;
      gc = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
