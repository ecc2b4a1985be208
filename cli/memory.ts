/**
 * A safety net for buffers in the CLI. Attachment data and the reader's slabs and block arenas live
 * in ArrayBuffers outside the V8 heap; V8 frees dead ones only in a collection, which it schedules
 * after external memory has grown by about 64 MiB. On top of what a pff2mt run keeps alive (slab
 * cache, the attachment being read, one lent to the output, the reader's spare) that slack is the
 * difference between staying under and going over the 300 MiB peak the benchmarks hold us to.
 * So the CLI's file source reports every read and pff2mt each frame it writes; after every
 * `CHECK_EVERY` bytes it looks at the ArrayBuffer total and asks for a full collection (10-20 ms)
 * when it is above `CEILING` and at least `SLACK` above what the last collection left alive.
 * Reads matter as much as output: validate and inspect decode every block of a message-heavy
 * file into short-lived buffers, and V8 let 150 MiB of them pile up on a 4 GiB file. A pass with
 * natural boundaries (validate --full's windows) also calls collectAtBoundary, which collects at
 * most every 400 ms: at those boundaries the ArrayBuffer total stayed within SLACK of what was
 * alive, and what piled up was garbage on the V8 heap, which that total does not show. Node
 * exposes gc() only behind --expose-gc; the flag is set at run time, and when that is not
 * possible this does nothing.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes read or written between two looks at the ArrayBuffer total. */
const CHECK_EVERY = 8 << 20;
/**
 * ArrayBuffer bytes (live and dead) below which no collection is asked for, and the growth over
 * what the last collection left alive that is worth one (setCollectLimits changes them). They
 * were 96 and 24 MiB while the reader's B-tree lookups kept the old generation busy enough for V8
 * to collect often on its own; once they stopped (2967f9e), dead block arenas piled up to the
 * ceiling: the reader walk of the message-heavy files peaked at 175 MiB (1 GiB) and 177 MiB
 * (4 GiB), against 147-157 and 146 before. With 48 and 12: 143-144 and 144-145 MiB, 6.1-6.8 and
 * 22.8-24.1 s as before; pff2mt of the 1 GiB bench file 2.3 s and 184-186 MiB either way
 * (--jobs 2: 285-286), validate --full the same.
 */
let CEILING = 48 << 20;
let SLACK = 12 << 20;

/**
 * Set CEILING and SLACK for a command that keeps few ArrayBuffers alive. inspect keeps the slab
 * cache and a few block arenas (a few MiB); the arenas its reads leave die in the old
 * generation, where little else makes V8 collect. With 48/12 MiB inspect of the 1 GiB
 * message-heavy file peaked at 110 MiB (4 GiB: 105-107), with 24/12 MiB at 87-88 (100-102). Once
 * inspect read only the columns it counts (Table.only), 24/12 MiB gave 81-82 and 84-89 MiB, with
 * how much had piled up when the peak came down to chance, and 16/8 MiB 75-76 and 78-79, in the
 * same times (0.9 and 3.1 s): the cost is a few more collections of a small heap.
 */
export function setCollectLimits(ceiling: number, slack: number): void {
  CEILING = ceiling;
  SLACK = slack;
}

/** Whether `total` ArrayBuffer bytes, of which `alive` survived the last collection, call for one. */
export function wantsCollection(total: number, alive: number): boolean {
  return total > CEILING && total > alive + SLACK;
}

let gc: (() => void) | null | undefined;
let live = 0;
let sinceCheck = 0;
/** When collectAtBoundary last collected (performance.now()). */
let lastBoundary = -Infinity;
/** Least time between two collections at boundaries. */
const BOUNDARY_EVERY_MS = 400;

/** Note `bytes` read or written; now and then, collect if dead ArrayBuffers have piled up. */
export function noteBytes(bytes: number): void {
  sinceCheck += bytes;
  if (sinceCheck < CHECK_EVERY) return;
  sinceCheck = 0;
  const now = process.memoryUsage().arrayBuffers;
  // V8 frees the backing stores of dead ArrayBuffers on a background thread after the collection
  // itself, so the total right after gc() still counts them: the lowest total seen since is the
  // better measure of what is alive.
  live = Math.min(live, now);
  if (wantsCollection(now, live)) collect();
}

/**
 * A point where a pass's buffers have just become garbage (validate --full: the end of a window):
 * collect, unless the last collection here was less than BOUNDARY_EVERY_MS ago. What waits for
 * the collector is then what a fraction of a second of work leaves, not what V8's heuristics let
 * grow with the length of the run. A full collection takes 10-35 ms, so this costs at most about
 * 8 % of the time; on the 4 GiB message-heavy file, 4 %. Returns whether it collected. `now` is
 * performance.now() (a parameter for tests).
 */
export function collectAtBoundary(now = performance.now()): boolean {
  if (now - lastBoundary < BOUNDARY_EVERY_MS || !collect()) return false;
  lastBoundary = now;
  return true;
}

/** A full collection, and what it left alive; false where gc() is not available. */
function collect(): boolean {
  const f = collector();
  if (!f) return false;
  f();
  live = process.memoryUsage().arrayBuffers;
  return true;
}

/** gc(), made available at run time (--expose_gc) on first use; null where that is not possible. */
function collector(): (() => void) | null {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose_gc');
      const f = runInNewContext('gc') as unknown;
      gc = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  return gc;
}
