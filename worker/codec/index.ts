/**
 * Typed wrapper of the AssemblyScript codec kernels (wasm/*.ts, contract in ./api.ts).
 *
 * Why it is shaped this way:
 * - The module bytes come from ./generated/kernels-wasm.ts (base64, written by wasm/build.mjs), so
 *   the same import works under vitest, in the tsc-built CLI and in a vite-bundled worker; no
 *   `node:` imports, no fetch, no file access.
 * - One instance per worker/process, created lazily by `loadCodecs()` and memoised (squoosh style).
 * - The kernels see only linear memory. Each call copies the caller's bytes to the I/O area after
 *   the module's static tables, grows memory on demand (up to MAX_CALL_BYTES of input and of output
 *   per call) and copies results back, so callers keep plain Uint8Arrays and preallocated outputs
 *   (fflate style). CRC and ciphers stream through in 1 MiB chunks and have no size limit.
 * - Failures are numeric codes (CodecError) with a message table; a wasm trap, which no input is
 *   meant to cause, is caught here and reported as CodecError.INTERNAL instead of escaping.
 */
import { BlockCrypt, CodecError, type BlockDecodeOptions, type BlockDecodeResult, type Codecs, type InflateResult } from './api.ts';
import { kernelsWasmBase64 } from './generated/kernels-wasm.ts';

export { BlockCrypt, CodecError } from './api.ts';
export type { BlockDecodeOptions, BlockDecodeResult, Codecs, InflateResult } from './api.ts';

/** Largest input, and largest output, of one inflate/LZFu call (64 MiB). */
export const MAX_CALL_BYTES = 64 * 1024 * 1024;

/** CRC and cipher calls are fed through wasm memory in chunks of this size. */
const CHUNK = 1024 * 1024;
const PAGE = 65536;

/** COMPTYPE values of [MS-OXRTFCP] 2.1.3.1.1. */
const LZFU_COMPRESSED = 0x75465a4c; // "LZFu"
const LZFU_UNCOMPRESSED = 0x414c454d; // "MELA"
/** An LZFu payload expands at most 8-fold (one control byte + 8 references of 2 bytes -> 136 bytes). */
const LZFU_MAX_RATIO = 8;

/**
 * The few WebAssembly JS-API members used here, typed locally: the CLI build (lib ES2023 + Node
 * types) has no global WebAssembly declarations, the worker build (lib WebWorker) does.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  compile(bytes: Uint8Array<ArrayBuffer>): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: object }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The exports of wasm/kernels.ts (pointer/length pairs into `memory`). */
export interface KernelExports {
  memory: WasmMemory;
  ioBase(): number;
  crc32(ptr: number, len: number, seed: number): number;
  permuteDecode(ptr: number, len: number): void;
  /** CRC of the stored bytes, then permute-decode in place (wasm/block.ts); optional for substitutes. */
  crcPermuteDecode?(ptr: number, len: number, seed: number): number;
  permuteEncode(ptr: number, len: number): void;
  /** A run of blocks decoded in place and moved back to back (wasm/block.ts); optional for substitutes. */
  decodeRun?(ptr: number, desc: number, n: number): number;
  cyclic(ptr: number, len: number, w: number): void;
  inflate(inPtr: number, inLen: number, outPtr: number, outLen: number, flags: number): number;
  inflateWritten(): number;
  lzfuDecode(inPtr: number, inLen: number, outPtr: number, outLen: number): number;
  lzfuWritten(): number;
  lzfuCompress(inPtr: number, inLen: number, outPtr: number): number;
}

const MESSAGES: Record<number, string> = {
  [CodecError.OK]: 'no error',
  [CodecError.BAD_HEADER]: 'invalid zlib header',
  [CodecError.BAD_BLOCK_TYPE]: 'invalid DEFLATE block type',
  [CodecError.BAD_STORED_LENGTH]: 'stored block length does not match its complement',
  [CodecError.BAD_HUFFMAN]: 'invalid Huffman code',
  [CodecError.DISTANCE_TOO_FAR]: 'back-reference points before the start of the output',
  [CodecError.OUTPUT_OVERRUN]: 'decompressed data is larger than expected',
  [CodecError.TRUNCATED]: 'compressed data ends too early',
  [CodecError.BAD_CHECKSUM]: 'checksum of the decompressed data does not match',
  [CodecError.OUTPUT_SHORT]: 'decompressed data is smaller than expected',
  [CodecError.LZFU_BAD_MAGIC]: 'compressed RTF has an unknown type (neither LZFu nor MELA)',
  [CodecError.LZFU_BAD_CRC]: 'compressed RTF checksum does not match',
  [CodecError.LZFU_BAD_SIZE]: 'compressed RTF sizes are inconsistent',
  [CodecError.TOO_LARGE]: 'data too large for one decompression call',
  [CodecError.INTERNAL]: 'internal error in the decompressor',
};

/** Human-readable text for a CodecError code. */
export function codecErrorMessage(code: number): string {
  return MESSAGES[code] ?? `unknown codec error ${code}`;
}

const align64 = (n: number) => (n + 63) & ~63;

function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function putU32le(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

class WasmCodecs implements Codecs {
  private readonly x: KernelExports;
  private readonly base: number;
  private mem: Uint8Array;
  /** Bytes addressable from `base` with the current memory size. */
  private room: number;

  constructor(x: KernelExports) {
    this.x = x;
    this.base = x.ioBase();
    this.mem = new Uint8Array(x.memory.buffer);
    this.room = this.mem.length - this.base;
  }

  /**
   * Make sure `bytes` bytes from the I/O base are addressable; false if memory cannot grow. Only
   * this wrapper grows the memory (the kernels never allocate), so the size can be cached.
   */
  private reserve(bytes: number): boolean {
    if (bytes <= this.room) return true;
    const need = this.base + bytes;
    const have = this.x.memory.buffer.byteLength;
    if (need > have) {
      try {
        this.x.memory.grow(Math.ceil((need - have) / PAGE));
      } catch {
        return false;
      }
    }
    this.mem = new Uint8Array(this.x.memory.buffer);
    this.room = this.mem.length - this.base;
    return true;
  }

  crc32(data: Uint8Array, seed = 0): number {
    let crc = seed >>> 0;
    const size = Math.min(data.length, CHUNK);
    if (!this.reserve(size)) throw new RangeError('wasm memory exhausted');
    for (let off = 0; off < data.length; off += CHUNK) {
      const n = Math.min(CHUNK, data.length - off);
      this.mem.set(n === data.length ? data : data.subarray(off, off + n), this.base);
      crc = this.x.crc32(this.base, n, crc) >>> 0;
    }
    return crc;
  }

  private inPlace(data: Uint8Array, kernel: (ptr: number, len: number, off: number) => void): void {
    if (!this.reserve(Math.min(data.length, CHUNK))) throw new RangeError('wasm memory exhausted');
    for (let off = 0; off < data.length; off += CHUNK) {
      const n = Math.min(CHUNK, data.length - off);
      const part = n === data.length ? data : data.subarray(off, off + n);
      this.mem.set(part, this.base);
      kernel(this.base, n, off);
      part.set(this.mem.subarray(this.base, this.base + n));
    }
  }

  permuteDecode(data: Uint8Array): void {
    this.inPlace(data, (p, n) => this.x.permuteDecode(p, n));
  }

  permuteEncode(data: Uint8Array): void {
    this.inPlace(data, (p, n) => this.x.permuteEncode(p, n));
  }

  cyclicDecode(data: Uint8Array, key: number): void {
    // [MS-PST] 5.2: the key word advances by one per byte; chunks continue where the last ended.
    const w = (key ^ (key >>> 16)) & 0xffff;
    this.inPlace(data, (p, n, off) => this.x.cyclic(p, n, (w + off) & 0xffff));
  }

  cyclicEncode(data: Uint8Array, key: number): void {
    this.cyclicDecode(data, key); // the cyclic cipher is an involution
  }

  inflate(input: Uint8Array, output: Uint8Array, options?: { raw?: boolean; exact?: boolean }): InflateResult {
    if (input.length > MAX_CALL_BYTES || output.length > MAX_CALL_BYTES) {
      return { error: CodecError.TOO_LARGE, written: 0 };
    }
    const inPtr = this.base;
    const outPtr = this.base + align64(input.length);
    if (!this.reserve(outPtr - this.base + output.length)) return { error: CodecError.TOO_LARGE, written: 0 };
    this.mem.set(input, inPtr);
    const flags = (options?.raw ? 1 : 0) | (options?.exact ? 2 : 0);
    let error: number;
    let written: number;
    try {
      error = this.x.inflate(inPtr, input.length, outPtr, output.length, flags);
      written = this.x.inflateWritten();
    } catch {
      return { error: CodecError.INTERNAL, written: 0 };
    }
    if (written > output.length) return { error: CodecError.INTERNAL, written: 0 };
    output.set(this.mem.subarray(outPtr, outPtr + written));
    return { error, written };
  }

  decodeBlock(stored: Uint8Array, out: Uint8Array, options: BlockDecodeOptions): BlockDecodeResult {
    const wantCrc = options.crc !== false;
    const inflate = options.inflate === true;
    const crypt = options.crypt;
    if (!inflate && out.length !== stored.length) throw new RangeError('decodeBlock: output length differs from input');
    if (stored.length > MAX_CALL_BYTES || out.length > MAX_CALL_BYTES) {
      if (inflate) return { error: CodecError.TOO_LARGE, crc: wantCrc ? this.crc32(stored) : 0 };
      // Larger than one call: the chunked kernels.
      const crc = wantCrc ? this.crc32(stored) : 0;
      out.set(stored);
      if (crypt === BlockCrypt.PERMUTE) this.permuteDecode(out);
      else if (crypt === BlockCrypt.CYCLIC) this.cyclicDecode(out, options.key ?? 0);
      return { error: CodecError.OK, crc };
    }
    const inPtr = this.base;
    const outPtr = inflate ? this.base + align64(stored.length) : inPtr;
    if (!this.reserve(outPtr - this.base + out.length)) throw new RangeError('wasm memory exhausted');
    const x = this.x;
    this.mem.set(stored, inPtr);
    if (!inflate && wantCrc && crypt === BlockCrypt.PERMUTE && x.crcPermuteDecode) {
      const crc = x.crcPermuteDecode(inPtr, stored.length, 0) >>> 0;
      out.set(this.mem.subarray(inPtr, inPtr + stored.length));
      return { error: CodecError.OK, crc };
    }
    const crc = wantCrc ? x.crc32(inPtr, stored.length, 0) >>> 0 : 0;
    let written = out.length;
    let error: number = CodecError.OK;
    if (inflate) {
      try {
        error = x.inflate(inPtr, stored.length, outPtr, out.length, 2);
        written = x.inflateWritten();
      } catch {
        return { error: CodecError.INTERNAL, crc };
      }
      if (written > out.length) return { error: CodecError.INTERNAL, crc };
    }
    if (error === CodecError.OK) {
      if (crypt === BlockCrypt.PERMUTE) x.permuteDecode(outPtr, written);
      else if (crypt === BlockCrypt.CYCLIC) {
        const key = options.key ?? 0;
        x.cyclic(outPtr, written, (key ^ (key >>> 16)) & 0xffff);
      }
    }
    out.set(this.mem.subarray(outPtr, outPtr + written));
    return { error, crc };
  }

  crcDecodeInto(src: Uint8Array, out: Uint8Array, crypt: number, key: number): number {
    const n = out.length;
    if (n > src.length) throw new RangeError('crcDecodeInto: source shorter than the output');
    // The whole of `src` goes in when it is only a little longer (a trailer): one copy, no view.
    const whole = src.length - n <= 256;
    const len = whole ? src.length : n;
    if (len > MAX_CALL_BYTES) return this.decodeBlock(src.subarray(0, n), out, { crypt, key, inflate: false, crc: true }).crc;
    if (len > this.room && !this.reserve(len)) throw new RangeError('wasm memory exhausted');
    const x = this.x;
    const p = this.base;
    this.mem.set(whole ? src : src.subarray(0, n), p);
    let crc: number;
    if (crypt === BlockCrypt.PERMUTE && x.crcPermuteDecode) crc = x.crcPermuteDecode(p, n, 0) >>> 0;
    else {
      crc = x.crc32(p, n, 0) >>> 0;
      if (crypt === BlockCrypt.PERMUTE) x.permuteDecode(p, n);
      else if (crypt === BlockCrypt.CYCLIC) x.cyclic(p, n, (key ^ (key >>> 16)) & 0xffff);
    }
    out.set(this.mem.subarray(p, p + n));
    return crc;
  }

  decodeRunInto(raw: Uint8Array, desc: Uint32Array, n: number, out: Uint8Array, outAt: number): number {
    const x = this.x;
    const descAt = align64(raw.length);
    if (!(n >= 0 && 4 * n <= desc.length)) throw new RangeError('decodeRunInto: n exceeds the descriptor');
    if (!x.decodeRun || raw.length > MAX_CALL_BYTES) return this.runByBlocks(raw, desc, n, out, outAt);
    if (descAt + 16 * n > this.room && !this.reserve(descAt + 16 * n)) throw new RangeError('wasm memory exhausted');
    let payload = 0;
    for (let k = 0; k < n; k++) {
      const off = desc[4 * k]!;
      const len = desc[4 * k + 1]!;
      if (off < payload || off + len > raw.length) throw new RangeError('decodeRunInto: blocks overlap or lie outside the run');
      payload += len;
    }
    if (outAt + payload > out.length) throw new RangeError('decodeRunInto: output too short');
    const p = this.base;
    this.mem.set(raw, p);
    const d = new Uint32Array(this.mem.buffer, p + descAt, 4 * n);
    d.set(desc.subarray(0, 4 * n));
    const written = x.decodeRun(p, p + descAt, n);
    for (let k = 0; k < n; k++) desc[4 * k + 3] = d[4 * k + 3]!;
    out.set(this.mem.subarray(p, p + written), outAt);
    return written;
  }

  /** decodeRunInto one block at a time (a run too large for one call, or a kernel without decodeRun). */
  private runByBlocks(raw: Uint8Array, desc: Uint32Array, n: number, out: Uint8Array, outAt: number): number {
    let at = outAt;
    for (let k = 0; k < n; k++) {
      const off = desc[4 * k]!;
      const len = desc[4 * k + 1]!;
      const c = desc[4 * k + 2]!;
      // The folded cyclic word is its own fold (it has no high half), so it serves as the key.
      desc[4 * k + 3] = this.crcDecodeInto(raw.subarray(off, off + len), out.subarray(at, at + len), c >>> 16, c & 0xffff);
      at += len;
    }
    return at - outAt;
  }

  lzfuDecompress(input: Uint8Array): { error: number; data: Uint8Array } {
    const empty = new Uint8Array(0);
    if (input.length < 16) return { error: CodecError.TRUNCATED, data: empty };
    // [MS-OXRTFCP] 2.1.3.1.1 header: COMPSIZE, RAWSIZE, COMPTYPE, CRC.
    const compSize = u32le(input, 0);
    const rawSize = u32le(input, 4);
    const compType = u32le(input, 8);
    const crc = u32le(input, 12);
    if (compType !== LZFU_COMPRESSED && compType !== LZFU_UNCOMPRESSED) {
      return { error: CodecError.LZFU_BAD_MAGIC, data: empty };
    }
    // Bytes after COMPSIZE are tolerated (the grammar allows PADDING; stores round sizes up).
    if (compSize < 12 || compSize > input.length - 4) return { error: CodecError.LZFU_BAD_SIZE, data: empty };
    const payload = input.subarray(16, 4 + compSize);
    if (compType === LZFU_UNCOMPRESSED) {
      // MELA: the payload is the RTF itself; its CRC field is unused.
      if (rawSize > payload.length) return { error: CodecError.LZFU_BAD_SIZE, data: payload.slice() };
      return { error: CodecError.OK, data: payload.slice(0, rawSize) };
    }
    if (rawSize > MAX_CALL_BYTES || payload.length > MAX_CALL_BYTES) return { error: CodecError.TOO_LARGE, data: empty };
    if (rawSize > payload.length * LZFU_MAX_RATIO) return { error: CodecError.LZFU_BAD_SIZE, data: empty };
    const crcOk = this.crc32(payload) === crc;
    const inPtr = this.base;
    const outPtr = this.base + align64(payload.length);
    if (!this.reserve(outPtr - this.base + rawSize)) return { error: CodecError.TOO_LARGE, data: empty };
    this.mem.set(payload, inPtr);
    let error: number;
    let written: number;
    try {
      error = this.x.lzfuDecode(inPtr, payload.length, outPtr, rawSize);
      written = this.x.lzfuWritten();
    } catch {
      return { error: CodecError.INTERNAL, data: empty };
    }
    if (written > rawSize) return { error: CodecError.INTERNAL, data: empty };
    const data = this.mem.slice(outPtr, outPtr + written);
    return { error: crcOk ? error : CodecError.LZFU_BAD_CRC, data };
  }

  lzfuCompress(rtf: Uint8Array): Uint8Array {
    if (rtf.length > MAX_CALL_BYTES) throw new RangeError(`RTF larger than ${MAX_CALL_BYTES} bytes`);
    // The kernel writes the 207-byte dictionary prefix just before the input.
    const inPtr = this.base + 256;
    const outPtr = inPtr + align64(rtf.length);
    const room = rtf.length + (rtf.length >>> 3) + 16;
    if (!this.reserve(outPtr - this.base + room)) throw new RangeError('wasm memory exhausted');
    this.mem.set(rtf, inPtr);
    const n = this.x.lzfuCompress(inPtr, rtf.length, outPtr);
    const stream = new Uint8Array(16 + n);
    stream.set(this.mem.subarray(outPtr, outPtr + n), 16);
    putU32le(stream, 0, n + 12);
    putU32le(stream, 4, rtf.length);
    putU32le(stream, 8, LZFU_COMPRESSED);
    putU32le(stream, 12, this.crc32(stream.subarray(16)));
    return stream;
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * Wrap an already instantiated kernels module. `loadCodecs()` is the normal entry; this exists for
 * hosts that instantiate the module themselves and for tests that substitute a failing kernel.
 */
export function wrapKernels(exports: KernelExports): Codecs {
  return new WasmCodecs(exports);
}

let loading: Promise<Codecs> | undefined;

/** The codec kernels, instantiated once per worker/process on first use. */
export function loadCodecs(): Promise<Codecs> {
  if (!loading) {
    loading = (async () => {
      const module = await wasmApi.compile(decodeBase64(kernelsWasmBase64));
      const instance = await wasmApi.instantiate(module, {});
      return new WasmCodecs(instance.exports as unknown as KernelExports);
    })();
    // A failed load may be retried.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
