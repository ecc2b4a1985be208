/**
 * The contract of the wasm codec kernels (wasm/ AssemblyScript, wrapped by worker/codec/index.ts).
 * Initialisation is async and memoised (`loadCodecs()`); every kernel after that is synchronous,
 * works on caller-owned Uint8Arrays, and reports failure by a numeric code, never by throwing
 * from inside wasm.
 */

/** fflate-style numeric error codes shared by inflate and LZFu; `codecErrorMessage` explains them. */
export const enum CodecError {
  OK = 0,
  /** zlib header bad (CMF/FLG check, method not deflate, preset dictionary). */
  BAD_HEADER = 1,
  /** Reserved block type 3. */
  BAD_BLOCK_TYPE = 2,
  /** Stored block LEN/NLEN mismatch. */
  BAD_STORED_LENGTH = 3,
  /** Invalid or over-subscribed Huffman code lengths. */
  BAD_HUFFMAN = 4,
  /** Back-reference reaches before the start of the output. */
  DISTANCE_TOO_FAR = 5,
  /** Output would exceed the caller's buffer. */
  OUTPUT_OVERRUN = 6,
  /** Input ended before the final block or checksum. */
  TRUNCATED = 7,
  /** Adler-32 of the output does not match the zlib trailer. */
  BAD_CHECKSUM = 8,
  /** Output shorter than the size the caller said it must be. */
  OUTPUT_SHORT = 9,
  /** LZFu header: unknown dwMagic (neither LZFu nor MELA). */
  LZFU_BAD_MAGIC = 20,
  /** LZFu header: dwCRC does not match the compressed data. */
  LZFU_BAD_CRC = 21,
  /** LZFu header: cbSize does not match the input length. */
  LZFU_BAD_SIZE = 22,
  /** Input larger than the kernels accept in one call. */
  TOO_LARGE = 30,
  /** The kernel trapped (a bug, never expected); the wrapper caught it. */
  INTERNAL = 31,
}

export interface InflateResult {
  /** CodecError.OK or the failure. */
  error: number;
  /** Bytes written to the output. */
  written: number;
}

export interface Codecs {
  /** PST CRC-32 ([MS-PST] 5.3) of `data`, continuing from `seed` (0 for a fresh CRC). */
  crc32(data: Uint8Array, seed?: number): number;
  /** NDB_CRYPT_PERMUTE ([MS-PST] 5.1), in place. */
  permuteDecode(data: Uint8Array): void;
  permuteEncode(data: Uint8Array): void;
  /** NDB_CRYPT_CYCLIC ([MS-PST] 5.2), in place, keyed by the low 32 bits of the BID. */
  cyclicDecode(data: Uint8Array, key: number): void;
  cyclicEncode(data: Uint8Array, key: number): void;
  /**
   * Inflate zlib-wrapped (default) or raw DEFLATE `input` into `output`. With `exact`, an output
   * shorter than `output.length` is an error (OST 2013+ blocks state their inflated size). After
   * an error, the first `written` bytes of `output` hold what was decoded before the damage.
   */
  inflate(input: Uint8Array, output: Uint8Array, options?: { raw?: boolean; exact?: boolean }): InflateResult;
  /**
   * Decompress an LZFu or MELA compressed-RTF stream ([MS-OXRTFCP] 2.1.3). `data` is at most
   * RAWSIZE bytes; with LZFU_BAD_CRC, TRUNCATED or OUTPUT_SHORT it still holds what could be decoded.
   */
  lzfuDecompress(input: Uint8Array): { error: number; data: Uint8Array };
  /**
   * Compress RTF to an LZFu stream (optional in the spec; used by the PST writer tests).
   * Throws RangeError above the per-call size limit.
   */
  lzfuCompress?(rtf: Uint8Array): Uint8Array;
  /**
   * One PST block in one pass through wasm memory ([MS-PST] 2.2.2.8, 5.1-5.3): CRC of `stored`,
   * inflate (optional) or copy into `out`, then undo the cipher on `out`. Without inflate `out`
   * must be as long as `stored`. Optional so other Codecs implementations stay valid.
   */
  decodeBlock?(stored: Uint8Array, out: Uint8Array, options: BlockDecodeOptions): BlockDecodeResult;
  /**
   * decodeBlock for the common case, without option and result objects: no inflate, CRC wanted.
   * The stored block is the first `out.length` bytes of `src` (which may go on, e.g. with the
   * block trailer: no view needed); returns their CRC and leaves them decoded in `out`
   * (`crypt`/`key` as in BlockDecodeOptions). Optional like decodeBlock.
   */
  crcDecodeInto?(src: Uint8Array, out: Uint8Array, crypt: number, key: number): number;
  /**
   * Many blocks of one file run at once ([MS-PST] 2.2.2.8, 5.1-5.3; no inflate, CRC wanted):
   * for block k, `desc[4k]` is the offset of its stored bytes in `raw`, `desc[4k + 1]` their
   * count and `desc[4k + 2]` its cipher and key as `(crypt << 16) | key` (BlockCrypt; for cyclic the
   * folded key `(bid ^ bid >>> 16) & 0xFFFF` of the BID's low 32 bits). Offsets ascend and
   * never fall before the payload bytes of the blocks before them (blocks do not overlap). The
   * decoded payloads are written back to back into `out` from `outAt`, each block's CRC goes to
   * `desc[4k + 3]`, and the payload bytes are returned. `raw` is left as it was. Optional.
   */
  decodeRunInto?(raw: Uint8Array, desc: Uint32Array, n: number, out: Uint8Array, outAt: number): number;
}

/** Cipher of decodeBlock: [MS-PST] 2.2.2.6 bCryptMethod values. */
export const enum BlockCrypt {
  NONE = 0,
  PERMUTE = 1,
  CYCLIC = 2,
}

export interface BlockDecodeOptions {
  /** NDB_CRYPT_* cipher to undo on the output (BlockCrypt). */
  crypt: number;
  /** Cyclic key: the low 32 bits of the BID. */
  key?: number;
  /** Inflate `stored` (zlib) into `out` first (OST 2013+ blocks whose cbInflated ≠ cb). */
  inflate?: boolean;
  /** Compute the CRC of `stored` (default true). */
  crc?: boolean;
}

export interface BlockDecodeResult {
  /** CodecError.OK or the inflate failure (then `out` holds what was decoded). */
  error: number;
  /** PST CRC-32 of the stored bytes (0 when not asked for). */
  crc: number;
}
