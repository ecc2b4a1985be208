/**
 * Prompt release of large buffers in the CLI. Attachment data reaches the GXMT writer as
 * ArrayBuffers outside the V8 heap; V8 frees them only when a garbage collection finds them
 * dead, and it schedules one only after external memory has grown by about 64 MiB. With
 * attachments of tens of MiB that keeps two or three dead copies alive and was most of pff2mt's
 * peak RSS on attachment-heavy files. After a message with at least `LARGE` bytes of frame
 * the command asks for a full collection (a few ms on this heap), so peak memory is about one
 * large message. Node exposes gc() only behind --expose-gc; the flag is set at run time, and
 * when that is not possible this does nothing.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Frames at least this large are followed by a collection. */
export const LARGE = 8 << 20;

let gc: (() => void) | null | undefined;

/** Run a full garbage collection if the runtime allows it. */
export function releaseLargeBuffers(): void {
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
