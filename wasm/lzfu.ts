/**
 * Compressed RTF ([MS-OXRTFCP] 2.1.3.1 and 2.2; pst-format.md §11): the LZ77 variant with a
 * 4096-byte ring dictionary pre-loaded with a fixed 207-byte RTF prefix.
 *
 * Only the loops live here. Header fields (COMPSIZE, RAWSIZE, COMPTYPE "LZFu"/"MELA", CRC) are read
 * and written by the wrapper, which also checks the CRC with crc32(); that keeps this module free of
 * policy and lets the wrapper bound the output size before any memory is reserved.
 */

const OK: i32 = 0;
const OUTPUT_SHORT: i32 = 9;
const TRUNCATED: i32 = 7;

/**
 * [MS-OXRTFCP] 2.1.3.1.1: the initial dictionary contents (207 bytes), as static bytes (a string
 * constant would be built at run time on the stub runtime's heap, which is the wrapper's I/O area):
 * "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript
 * \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0" CR LF
 * "\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx".
 */
const PREFIX: usize = memory.data<u8>([
  0x7b, 0x5c, 0x72, 0x74, 0x66, 0x31, 0x5c, 0x61, 0x6e, 0x73, 0x69, 0x5c, 0x6d, 0x61, 0x63, 0x5c,
  0x64, 0x65, 0x66, 0x66, 0x30, 0x5c, 0x64, 0x65, 0x66, 0x74, 0x61, 0x62, 0x37, 0x32, 0x30, 0x7b,
  0x5c, 0x66, 0x6f, 0x6e, 0x74, 0x74, 0x62, 0x6c, 0x3b, 0x7d, 0x7b, 0x5c, 0x66, 0x30, 0x5c, 0x66,
  0x6e, 0x69, 0x6c, 0x20, 0x5c, 0x66, 0x72, 0x6f, 0x6d, 0x61, 0x6e, 0x20, 0x5c, 0x66, 0x73, 0x77,
  0x69, 0x73, 0x73, 0x20, 0x5c, 0x66, 0x6d, 0x6f, 0x64, 0x65, 0x72, 0x6e, 0x20, 0x5c, 0x66, 0x73,
  0x63, 0x72, 0x69, 0x70, 0x74, 0x20, 0x5c, 0x66, 0x64, 0x65, 0x63, 0x6f, 0x72, 0x20, 0x4d, 0x53,
  0x20, 0x53, 0x61, 0x6e, 0x73, 0x20, 0x53, 0x65, 0x72, 0x69, 0x66, 0x53, 0x79, 0x6d, 0x62, 0x6f,
  0x6c, 0x41, 0x72, 0x69, 0x61, 0x6c, 0x54, 0x69, 0x6d, 0x65, 0x73, 0x20, 0x4e, 0x65, 0x77, 0x20,
  0x52, 0x6f, 0x6d, 0x61, 0x6e, 0x43, 0x6f, 0x75, 0x72, 0x69, 0x65, 0x72, 0x7b, 0x5c, 0x63, 0x6f,
  0x6c, 0x6f, 0x72, 0x74, 0x62, 0x6c, 0x5c, 0x72, 0x65, 0x64, 0x30, 0x5c, 0x67, 0x72, 0x65, 0x65,
  0x6e, 0x30, 0x5c, 0x62, 0x6c, 0x75, 0x65, 0x30, 0x0d, 0x0a, 0x5c, 0x70, 0x61, 0x72, 0x20, 0x5c,
  0x70, 0x61, 0x72, 0x64, 0x5c, 0x70, 0x6c, 0x61, 0x69, 0x6e, 0x5c, 0x66, 0x30, 0x5c, 0x66, 0x73,
  0x32, 0x30, 0x5c, 0x62, 0x5c, 0x69, 0x5c, 0x75, 0x5c, 0x74, 0x61, 0x62, 0x5c, 0x74, 0x78,
]);
const PREFIX_LEN: u32 = 207;

/** The initial dictionary (prefix, then zeros); never written: see lzfuDecode. */
const DICT: usize = memory.data(4096, 64);
memory.copy(DICT, PREFIX, PREFIX_LEN);

function writePrefix(dst: usize): void {
  memory.copy(dst, PREFIX, PREFIX_LEN);
}

let gWritten: usize = 0;

/** Bytes produced by the last lzfuDecode call (also after an error). */
export function lzfuWritten(): usize {
  return gWritten;
}

/**
 * Decode the LZFu payload (the bytes after the 16-byte header) into `outLen` bytes at `outPtr`.
 * Stops with OK once RAWSIZE bytes are out (trailing padding is ignored) or at the end marker
 * (OUTPUT_SHORT if that comes early); TRUNCATED if the payload runs out first.
 *
 * The ring dictionary is not materialised: output byte j went to dictionary offset (207 + j) & 4095,
 * so a reference to offset s at output position o reads out[o - dist] with
 * dist = (writeOffset - s) & 4095 when that is >= 0, and the untouched initial dictionary otherwise.
 */
export function lzfuDecode(inPtr: usize, inLen: usize, outPtr: usize, outLen: usize): i32 {
  let ip = inPtr;
  const inEnd = inPtr + inLen;
  let op = outPtr;
  const outEnd = outPtr + outLen;
  let control: u32 = 0;
  /** Items left under the current control byte (8 per byte, LSB first). */
  let left: u32 = 0;
  while (op < outEnd) {
    if (left == 0) {
      if (ip >= inEnd) break;
      control = load<u8>(ip);
      ip++;
      left = 8;
    }
    left--;
    const isRef = control & 1;
    control >>>= 1;
    if (isRef == 0) {
      if (ip >= inEnd) break;
      store<u8>(op, load<u8>(ip));
      ip++;
      op++;
      continue;
    }
    if (ip + 2 > inEnd) break;
    const ref = (<u32>load<u8>(ip) << 8) | <u32>load<u8>(ip, 1);
    ip += 2;
    const s = ref >>> 4;
    const o = <u32>(op - outPtr);
    const wpos = (PREFIX_LEN + o) & 4095;
    if (s == wpos) {
      gWritten = op - outPtr;
      return op == outEnd ? OK : OUTPUT_SHORT;
    }
    const dist = (wpos - s) & 4095;
    let n = <usize>(ref & 15) + 2;
    const room = outEnd - op;
    if (n > room) n = room;
    const end = op + n;
    if (dist <= o) {
      let src = op - <usize>dist;
      while (op < end) {
        store<u8>(op, load<u8>(src));
        op++;
        src++;
      }
    } else {
      let k: u32 = 0;
      while (op < end) {
        const j = <i32>(o + k) - <i32>dist;
        store<u8>(op, j >= 0 ? load<u8>(outPtr + <usize>j) : load<u8>(DICT + ((s + k) & 4095)));
        op++;
        k++;
      }
    }
  }
  gWritten = op - outPtr;
  return op == outEnd ? OK : TRUNCATED;
}

/**
 * Match finder: chains of positions keyed by their first two bytes (exact, no hash collisions).
 * head[b0 | b1 << 8] = 1 + newest position (0 = none); prev[pos & 4095] = 1 + the one before.
 */
const HEAD: usize = memory.data(4 << 16, 64);
const PREV: usize = memory.data(4 * 4096, 64);
/** Chain steps per position; bounds the work on long runs of one byte. */
const MAX_CHAIN: u32 = 256;

// @ts-ignore: decorator
@inline function insert(base: usize, pos: u32, end: u32): void {
  if (pos + 1 < end) {
    const h = <usize>load<u16>(base + pos) << 2;
    store<u32>(PREV + (<usize>(pos & 4095) << 2), load<u32>(HEAD + h));
    store<u32>(HEAD + h, pos + 1);
  }
}

/**
 * Compress `inLen` bytes at `inPtr` into the LZFu payload at `outPtr` (room for at least
 * inLen + inLen / 8 + 4 bytes) and return its length. The 207 bytes before `inPtr` must be writable:
 * the dictionary prefix is placed there so that positions in prefix ‖ input map to dictionary
 * offsets by `pos & 4095` and matches can be searched in one flat buffer.
 *
 * [MS-OXRTFCP] 2.3.3.2: at each position take the longest match in the dictionary; 2 bytes or
 * more become a reference. Among equally long matches the oldest wins, which reproduces the spec's
 * example streams byte for byte. Distances are 1..4095, so no reference equals the end marker.
 */
export function lzfuCompress(inPtr: usize, inLen: usize, outPtr: usize): usize {
  const base = inPtr - PREFIX_LEN;
  writePrefix(base);
  // Fresh match state every call: the output must depend on the input only (determinism).
  memory.fill(HEAD, 0, 4 << 16);
  memory.fill(PREV, 0, 4 * 4096);
  const end: u32 = PREFIX_LEN + <u32>inLen;
  for (let p: u32 = 0; p < PREFIX_LEN; p++) insert(base, p, end);
  let cur: u32 = PREFIX_LEN;
  let op = outPtr;
  let ctrlPos = op;
  let ctrl: u32 = 0;
  let bit: u32 = 0;
  op++;
  while (true) {
    if (bit == 8) {
      store<u8>(ctrlPos, <u8>ctrl);
      ctrlPos = op;
      op++;
      ctrl = 0;
      bit = 0;
    }
    if (cur >= end) break;
    let bestLen: u32 = 0;
    let bestPos: u32 = 0;
    const avail = end - cur;
    const maxLen: u32 = avail < 17 ? avail : 17;
    if (avail >= 2) {
      let cand = load<u32>(HEAD + (<usize>load<u16>(base + cur) << 2));
      let steps = MAX_CHAIN;
      while (cand != 0 && steps > 0) {
        const j = cand - 1;
        if (cur - j >= 4096) break;
        let l: u32 = 2;
        while (l < maxLen && load<u8>(base + j + l) == load<u8>(base + cur + l)) l++;
        if (l >= bestLen) {
          bestLen = l;
          bestPos = j;
          // A longest possible match ends the search soon (runs would otherwise walk every chain).
          if (l == maxLen && steps > 8) steps = 8;
        }
        const nxt = load<u32>(PREV + (<usize>(j & 4095) << 2));
        if (nxt == 0 || nxt - 1 >= j) break;
        cand = nxt;
        steps--;
      }
    }
    if (bestLen >= 2) {
      const ref = ((bestPos & 4095) << 4) | (bestLen - 2);
      store<u8>(op, <u8>(ref >>> 8));
      store<u8>(op, <u8>ref, 1);
      op += 2;
      ctrl |= 1 << bit;
      for (let k: u32 = 0; k < bestLen; k++) {
        insert(base, cur, end);
        cur++;
      }
    } else {
      store<u8>(op, load<u8>(base + cur));
      op++;
      insert(base, cur, end);
      cur++;
    }
    bit++;
  }
  // End marker: a reference to the current write position.
  const marker = (cur & 4095) << 4;
  store<u8>(op, <u8>(marker >>> 8));
  store<u8>(op, <u8>marker, 1);
  op += 2;
  ctrl |= 1 << bit;
  store<u8>(ctrlPos, <u8>ctrl);
  return op - outPtr;
}
