/**
 * Compressed RTF writer ([MS-OXRTFCP] 2.1.3). Emits a valid "LZFu" stream made of literal runs and
 * the end-of-stream reference; no back-references are searched, which keeps it small and obviously
 * correct (the format does not require compression, only well-formed tokens and the header CRC).
 */
import { pstCrc } from './crc.ts';

/** Length of the pre-loaded dictionary ([MS-OXRTFCP] 2.1.3.1.1). */
const DICT_INIT_LEN = 207;

export function compressRtf(rtf: Uint8Array): Uint8Array {
  const tokens = rtf.length + 1; // literals + end marker
  const groups = Math.ceil(tokens / 8);
  const payload = new Uint8Array(groups + rtf.length + 2);
  let o = 0;
  let src = 0;
  for (let gi = 0; gi < groups; gi++) {
    const ctrlAt = o++;
    let ctrl = 0;
    for (let b = 0; b < 8; b++) {
      const t = gi * 8 + b;
      if (t < rtf.length) {
        payload[o++] = rtf[src++]!;
      } else if (t === rtf.length) {
        ctrl |= 1 << b;
        const pos = (DICT_INIT_LEN + rtf.length) % 4096;
        const ref = (pos << 4) | 0;
        payload[o++] = ref >>> 8;
        payload[o++] = ref & 0xff;
        break;
      }
    }
    payload[ctrlAt] = ctrl;
  }
  const body = payload.subarray(0, o);
  const out = new Uint8Array(16 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length + 12, true);
  dv.setUint32(4, rtf.length, true);
  dv.setUint32(8, 0x75465a4c, true);
  dv.setUint32(12, pstCrc(body), true);
  out.set(body, 16);
  return out;
}
