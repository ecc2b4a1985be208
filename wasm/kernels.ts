/**
 * Entry point of the codec kernels module (built by wasm/build.mjs, wrapped by
 * worker/codec/index.ts). The kernels work on raw linear memory: the wrapper copies its
 * Uint8Arrays to `ioBase()` and beyond, growing memory as needed, and reads results back. No
 * managed objects are allocated (stub runtime), so nothing here needs a garbage collector.
 */
export { crc32 } from "./crc";
export { permuteDecode, permuteEncode, cyclic } from "./crypt";
export { crcPermuteDecode, decodeRun } from "./block";
export { inflate, inflateWritten } from "./inflate";
export { lzfuDecode, lzfuWritten, lzfuCompress } from "./lzfu";

/** First free byte after the static data (tables), 64-byte aligned: the wrapper's I/O area. */
export function ioBase(): usize {
  return (__heap_base + 63) & ~63;
}
