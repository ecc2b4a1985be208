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
 * Flags V8 reads only when it starts (the heap's shape is fixed by then). cli/bin/mailferry.js
 * names them on its `#!/usr/bin/env -S … node …` line (`shebang()`), so they apply to `mailferry`
 * and `npx mailferry`; `node cli/bin/mailferry.js` runs without them. A test keeps the two in step.
 *
 * `--max-semi-space-size=8` (MiB; default 16): V8 doubles the young generation whenever as
 * many bytes have survived scavenges since the last doubling as it holds, so in a long run it
 * ends at its maximum and in a short one it does not, and the peak memory of a run grew with the
 * file's size by up to 32 MiB. Capped at 8 it is at its maximum within the first second, for
 * the same times: the 1 GiB message-heavy walk took 6.7-6.8 s either way and peaked at 161-169
 * MiB instead of 202 MiB (inspect 169-172 instead of 195 MiB); pff2mt and validate took the same
 * time. At 4 the walk was ~5 % slower.
 */
export const STARTUP_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * Environment the executable's `#!` line sets before node starts (glibc reads it at its first
 * allocation). `MALLOC_ARENA_MAX=1`: one malloc arena for every thread. By default each thread
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

/** The executable's first line: STARTUP_ENV and STARTUP_FLAGS through `env -S`. */
export function shebang(): string {
  const env = Object.entries(STARTUP_ENV).map(([k, v]) => `${k}=${v}`);
  return `#!/usr/bin/env -S ${[...env, 'node', ...STARTUP_FLAGS].join(' ')}`;
}

export const ENGINE_FLAGS: readonly string[] = ['--interrupt-budget=300000'];

/** Apply ENGINE_FLAGS (process-wide, worker threads included); call before the hot code loads. */
export function tuneEngine(): void {
  for (const f of ENGINE_FLAGS) v8.setFlagsFromString(f);
}
