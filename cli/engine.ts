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

export const ENGINE_FLAGS: readonly string[] = ['--interrupt-budget=300000'];

/** Apply ENGINE_FLAGS (process-wide, worker threads included); call before the hot code loads. */
export function tuneEngine(): void {
  for (const f of ENGINE_FLAGS) v8.setFlagsFromString(f);
}
