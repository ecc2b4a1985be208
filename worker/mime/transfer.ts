/**
 * Content-Transfer-Encoding decoders (RFC 2045 §6.7 quoted-printable, §6.8 base64, and the
 * x-uuencode form older mailers use). Each is tolerant the way mail readers must be: garbage in a
 * base64 body is skipped and counted, not fatal, because one broken attachment must not lose the
 * message. Inputs are byte arrays of one part's body; outputs are fresh byte arrays sized from the
 * input (never from a length field).
 */

const B64 = new Int16Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  B64[c.charCodeAt(0)] = i;
});
B64['-'.charCodeAt(0)] = 62; // base64url, seen in the wild
B64['_'.charCodeAt(0)] = 63;

export interface DecodeStats {
  /** Bytes that were neither base64 alphabet, padding nor whitespace. */
  invalid: number;
}

/** RFC 2045 §6.8 base64; whitespace and stray bytes are skipped, a dangling sextet is dropped. */
export function decodeBase64(src: Uint8Array, stats?: DecodeStats): Uint8Array {
  const out = new Uint8Array(Math.floor((src.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let n = 0;
  let invalid = 0;
  const len = src.length;
  for (let i = 0; i < len; i++) {
    if (n === 0 && i + 4 <= len) {
      // fast path: four alphabet bytes in a row (the common case between line breaks)
      const a = B64[src[i]!]!;
      const b = B64[src[i + 1]!]!;
      const c2 = B64[src[i + 2]!]!;
      const d = B64[src[i + 3]!]!;
      if ((a | b | c2 | d) >= 0) {
        const v = (a << 18) | (b << 12) | (c2 << 6) | d;
        out[o++] = v >>> 16;
        out[o++] = (v >>> 8) & 0xff;
        out[o++] = v & 0xff;
        i += 3;
        continue;
      }
    }
    const c = src[i]!;
    const v = B64[c]!;
    if (v < 0) {
      if (c === 0x3d) {
        // '=' padding: flush what is complete and restart (concatenated base64 blocks exist)
        n = 0;
        acc = 0;
      } else if (c !== 0x0a && c !== 0x0d && c !== 0x20 && c !== 0x09) invalid++;
      continue;
    }
    acc = (acc << 6) | v;
    n++;
    if (n === 2) out[o++] = (acc >> 4) & 0xff;
    else if (n === 3) out[o++] = (acc >> 2) & 0xff;
    else if (n === 4) {
      out[o++] = acc & 0xff;
      n = 0;
      acc = 0;
    }
  }
  if (stats) stats.invalid += invalid;
  return out.subarray(0, o);
}

const hexVal = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/**
 * RFC 2045 §6.7 quoted-printable: `=XX` escapes, soft line breaks (`=` before CRLF/LF, with
 * trailing whitespace tolerated), and a lone `=` kept literally.
 */
export function decodeQuotedPrintable(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    const h = i + 1 < src.length ? hexVal(src[i + 1]!) : -1;
    const l = i + 2 < src.length ? hexVal(src[i + 2]!) : -1;
    if (h >= 0 && l >= 0) {
      out[o++] = (h << 4) | l;
      i += 2;
      continue;
    }
    // soft line break: '=' [WSP...] (CRLF | LF | end)
    let j = i + 1;
    while (j < src.length && (src[j] === 0x20 || src[j] === 0x09)) j++;
    if (j >= src.length) {
      i = j;
      continue;
    }
    if (src[j] === 0x0d && src[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (src[j] === 0x0a) {
      i = j;
      continue;
    }
    out[o++] = c; // not an escape: keep the '=' as written
  }
  return out.subarray(0, o);
}

/** RFC 2047 "Q" encoding: QP with '_' meaning space, no soft breaks. */
export function decodeQ(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) out[o++] = 0x20;
    else if (c === 0x3d && i + 2 < s.length + 0 && hexVal(s.charCodeAt(i + 1)) >= 0 && hexVal(s.charCodeAt(i + 2)) >= 0) {
      out[o++] = (hexVal(s.charCodeAt(i + 1)) << 4) | hexVal(s.charCodeAt(i + 2));
      i += 2;
    } else out[o++] = c & 0xff;
  }
  return out.subarray(0, o);
}

/**
 * x-uuencode: an optional `begin mode name` line, then length-prefixed lines of 6-bit groups
 * offset by 0x20 (with '`' for zero), up to `end`. Lines that do not fit are skipped.
 */
export function decodeUuencode(src: Uint8Array): { data: Uint8Array; name?: string } {
  const out = new Uint8Array(Math.floor((src.length * 3) / 4) + 3);
  let o = 0;
  let name: string | undefined;
  let started = false;
  let i = 0;
  while (i < src.length) {
    let e = src.indexOf(0x0a, i);
    if (e < 0) e = src.length;
    let le = e;
    if (le > i && src[le - 1] === 0x0d) le--;
    const line = src.subarray(i, le);
    i = e + 1;
    if (!started) {
      if (line.length >= 6 && String.fromCharCode(...line.subarray(0, 6)) === 'begin ') {
        started = true;
        const m = /^begin\s+\S+\s+(.*)$/.exec(String.fromCharCode(...line));
        if (m) name = m[1];
      }
      continue;
    }
    if (line.length >= 3 && line[0] === 0x65 && line[1] === 0x6e && line[2] === 0x64) break; // "end"
    if (line.length === 0) continue;
    const n = (line[0]! - 0x20) & 0x3f;
    let k = 1;
    let got = 0;
    while (got < n && k + 3 < line.length + 1) {
      const a = (line[k]! - 0x20) & 0x3f;
      const b = ((line[k + 1] ?? 0x20) - 0x20) & 0x3f;
      const c = ((line[k + 2] ?? 0x20) - 0x20) & 0x3f;
      const d = ((line[k + 3] ?? 0x20) - 0x20) & 0x3f;
      const bytes = [(a << 2) | (b >> 4), ((b << 4) | (c >> 2)) & 0xff, ((c << 6) | d) & 0xff];
      for (let q = 0; q < 3 && got < n; q++, got++) out[o++] = bytes[q]!;
      k += 4;
    }
  }
  if (!started) return { data: src.slice() };
  return { data: out.subarray(0, o), name };
}
