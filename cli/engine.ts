/**
 * V8 settings for the command line's runs, applied by cli/bin/mailferry.js before the converters
 * load (the bench's reader walk applies the same ones, so it measures what `mailferry` runs).
 *
 * `--interrupt-budget` (default 67584 bytecodes) sets how much a function runs before the
 * optimising compiler takes it up. A run of the CLI is short beside the compiler's work at the
 * default: on an attachment-heavy 1 GiB PST the optimising compiler took ~450 ms of CPU on a
 * ~0.8 s walk, much of it recompiling functions it had optimised on thin type feedback, and on
 * two cores that time is taken from the reading thread and the file reads. With a budget of
 * 300000 fewer functions are optimised, later, on fuller feedback: on that walk 71 compilations
 * instead of 130 and 3 deoptimisations instead of 12, ~9 % less time and ~12 % less CPU; pff2mt
 * on the 1 GiB bench file took ~5 % less time, and a 6 s message-heavy walk the same.
 * The page cannot set engine flags; it runs with the browser's defaults.
 */
import v8 from 'node:v8';

/**
 * Flags V8 reads only when it starts (the heap's shape is fixed by then), by command. The
 * `mailferry` executable (cli/bin/mailferry, a /bin/sh launcher) starts node with them for the
 * command named first, and with STARTUP_ENV; `node cli/bin/mailferry.js` runs without them. A
 * test runs the launcher for every command and checks what node started with against this table.
 *
 * The young generation: V8 doubles it (up to `--max-semi-space-size` per semi-space, default 16
 * MiB) whenever as many bytes have survived scavenges since the last doubling as it holds. That
 * total is never reset, so a long run ends at the maximum and a short one may not, and the peak
 * memory of a run grew with the file's size.
 * - Default, `--max-semi-space-size=8`: at its maximum within the first second, for the same
 *   times: the 1 GiB message-heavy walk took 6.7-6.8 s either way and peaked at 161-169 MiB
 *   instead of 202 MiB; pff2mt took the same time. At 4 the walk was ~5 % slower, and the 4 GiB
 *   attachment-heavy walk peaked at 163 MiB instead of 134; pff2mt of the 1 GiB bench file took
 *   2.4 s at 198 MiB instead of 2.2 s at 188.
 * - inspect and validate, fixed at 2 (min = max): they keep little on the JavaScript heap, and
 *   their runs are long or short with the file, so a young generation that cannot grow keeps
 *   their peak from doing so. Peaks in MiB, 1 GiB → 4 GiB, attachment-heavy and message-heavy
 *   (runs of two): inspect 66 → 73 and 84 → 89 instead of 66 → 78 and 88 → 102; validate
 *   --full 87 → 96 and 100 → 107 instead of 87 → 96 and 104 → 120. validate took the same time;
 *   inspect of the 4 GiB message-heavy file 4.5 s instead of 4.05. Fixed at 4, or capped at 4,
 *   the 4 GiB peaks were 5-7 MiB higher.
 */
export const DEFAULT_STARTUP_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
/**
 * inspect and validate also run V8's background work (optimising compiles, the collector's
 * helpers) on one platform thread instead of four (`--v8-pool-size=1`). Compiles queued together
 * then run one after another, so their compile zones (several MiB for a large function, malloc'd
 * and freed, but left in a heap glibc cannot trim) are not all held at once; the collector has
 * little to share out on these small heaps. On two cores (runs of two or three, MiB and s): inspect
 * of the 4 GiB attachment-heavy file 64 instead of 66-68 MiB (1 GiB: 59-60 either way), 0.19
 * instead of 0.21 s; of the message-heavy files 82-84 MiB either way, 1.15 and 4.3 s instead of
 * 1.25 and 4.5; validate --full the same peaks and 3-6 % faster.
 */
const SMALL_HEAP: readonly string[] = ['--min-semi-space-size=2', '--max-semi-space-size=2', '--v8-pool-size=1'];
/** Commands whose start-up flags are not DEFAULT_STARTUP_FLAGS. */
export const COMMAND_STARTUP_FLAGS: Readonly<Record<string, readonly string[]>> = { inspect: SMALL_HEAP, validate: SMALL_HEAP };

/** The start-up flags for `command` (the first argument of `mailferry`). */
export function startupFlags(command?: string): readonly string[] {
  return command !== undefined && Object.hasOwn(COMMAND_STARTUP_FLAGS, command) ? COMMAND_STARTUP_FLAGS[command]! : DEFAULT_STARTUP_FLAGS;
}

/**
 * Environment the executable sets before node starts (glibc reads it at its first allocation).
 * `MALLOC_ARENA_MAX=1`: one malloc arena for every thread. By default each thread
 * that allocates gets an arena of its own, and V8's compiler threads allocate their compile zones
 * (several MiB for a large function) in theirs: freed, that memory stays with the compiler
 * thread's arena instead of serving the main thread's buffers, and as a run goes on and more
 * functions are compiled (or recompiled after a deoptimisation) more threads hold some. With one
 * arena the peaks fell on every reader run, most on long ones (runs of two, MiB): on the 4 GiB
 * message-heavy file inspect 132/134 → 124/123 (1 GiB: 120 → 115), validate --full 140/141 →
 * 136/132 (1 GiB: 125 → 113), the walk 158/159 → 149/151; validate --full on the 4 GiB
 * attachment-heavy file 105 → 98/100. The times were the same, and pff2mt took the same time and
 * memory with one thread or two (2.2-2.8 s on the 1 GiB bench file). Two arenas were in between.
 */
export const STARTUP_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

export const ENGINE_FLAGS: readonly string[] = ['--interrupt-budget=300000'];

/** Apply ENGINE_FLAGS (process-wide, worker threads included); call before the hot code loads. */
export function tuneEngine(): void {
  for (const f of ENGINE_FLAGS) v8.setFlagsFromString(f);
}
