/**
 * Decoding vCard property values: transfer encodings (vCard 2.1 QUOTED-PRINTABLE and BASE64,
 * 3.0 ENCODING=b, 4.0 data: URIs), charsets (2.1 CHARSET=, else UTF-8 with a code-page fallback)
 * and text escapes with component/list splitting (RFC 6350 3.4, RFC 2426 4).
 * Splitting happens on the escaped text, so `\;` and `\,` stay literal, unlike gromox which splits
 * every value it does not list as single-valued.
 */
import { decodeCharset, decodeCodepage, decoderForLabel } from '../text/codepage.ts';
import type { ContentLine } from './lexer.ts';
import { param } from './lexer.ts';

/** Decode QUOTED-PRINTABLE ([RFC 2045] 6.7); soft breaks were joined by the lexer. Lenient on bad escapes. */
export function decodeQuotedPrintable(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  let n = 0;
  const hex = (c: number) =>
    c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x3d && i + 2 < b.length) {
      const h = hex(b[i + 1]!);
      const l = hex(b[i + 2]!);
      if (h >= 0 && l >= 0) {
        out[n++] = (h << 4) | l;
        i += 2;
        continue;
      }
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}

const B64 = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
B64['-'.charCodeAt(0)] = 62; // base64url, seen in data: URIs
B64['_'.charCodeAt(0)] = 63;

/** Decode base64 bytes, skipping whitespace and stopping at padding; `bad` counts other bytes. */
export function decodeBase64(b: Uint8Array): { bytes: Uint8Array; bad: number } {
  const out = new Uint8Array(Math.floor((b.length * 3) / 4) + 3);
  let n = 0;
  let acc = 0;
  let bits = 0;
  let bad = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    const v = B64[c]!;
    if (v < 0) {
      if (c === 0x3d) break;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) bad++;
      continue;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >>> bits) & 0xff;
    }
  }
  return { bytes: out.subarray(0, n), bad };
}

export interface TextDecodeOptions {
  /** Windows code page for 8-bit text that is not valid UTF-8 and has no CHARSET (default 1252). */
  codepage?: number;
}

export interface DecodedText {
  text: string;
  /** The declared charset was unknown or the bytes did not fit; a fallback was used. */
  fallback: boolean;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** Whether the line's value is QUOTED-PRINTABLE encoded. */
export function isQuotedPrintable(line: ContentLine): boolean {
  return (param(line, 'ENCODING') ?? '').toUpperCase() === 'QUOTED-PRINTABLE';
}

/**
 * The value as (still escaped) text: QP-decoded if so marked, then decoded with the CHARSET
 * parameter; without one, UTF-8 when valid, else the fallback code page.
 */
export function lineText(line: ContentLine, options: TextDecodeOptions = {}): DecodedText {
  let bytes = line.value;
  if (isQuotedPrintable(line)) bytes = decodeQuotedPrintable(bytes);
  const charset = param(line, 'CHARSET');
  if (charset && decoderForLabel(charset)) {
    const r = decodeCharset(bytes, charset);
    return { text: r.text, fallback: r.fallback };
  }
  try {
    return { text: utf8Fatal.decode(bytes), fallback: charset !== undefined };
  } catch {
    const r = decodeCodepage(bytes, options.codepage ?? 1252);
    return { text: r.text, fallback: true };
  }
}

/**
 * Undo text escapes: `\n`/`\N` → CRLF (Outlook's line break), `\\`, `\,`, `\;`, and any other
 * `\x` → `x` (vCard 3.0 writers such as Gmail escape ':' and '"'; RFC 6350 3.4 only defines four
 * escapes, and keeping the backslash would corrupt URLs).
 */
export function unescapeText(s: string): string {
  let bs = s.indexOf('\\');
  if (bs < 0) return s;
  let out = '';
  let from = 0;
  while (bs >= 0 && bs + 1 < s.length) {
    const d = s[bs + 1]!;
    out += s.slice(from, bs) + (d === 'n' || d === 'N' ? '\r\n' : d);
    from = bs + 2;
    bs = s.indexOf('\\', from);
  }
  return out + s.slice(from);
}

/** Split on an unescaped separator, leaving escapes in the parts. */
export function splitEscaped(s: string, sep: string): string[] {
  if (!s.includes('\\')) return s.split(sep);
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') i++;
    else if (c === sep) {
      out.push(s.slice(from, i));
      from = i + 1;
    }
  }
  out.push(s.slice(from));
  return out;
}

/** Structured value (N, ADR, ORG): components split on ';', each unescaped. */
export function components(s: string): string[] {
  return splitEscaped(s, ';').map(unescapeText);
}

/** List value (CATEGORIES, NICKNAME): split on ',', each unescaped and trimmed, empties dropped. */
export function listValues(s: string): string[] {
  return splitEscaped(s, ',')
    .map((v) => unescapeText(v).trim())
    .filter((v) => v.length > 0);
}

export interface BinaryValue {
  bytes: Uint8Array;
  /** Media type from a data: URI or TYPE/MEDIATYPE parameter, upper-cased subtype like JPEG, if any. */
  mediaType?: string;
  bad: number;
}

/**
 * Inline binary value: ENCODING=b/BASE64 (2.1, 3.0) or a `data:` URI (4.0, also seen in 3.0 with
 * VALUE=uri). Undefined for external URIs and empty values.
 */
export function binaryValue(line: ContentLine): BinaryValue | undefined {
  const enc = (param(line, 'ENCODING') ?? '').toUpperCase();
  const v = line.value;
  let start = 0;
  while (start < v.length && (v[start] === 0x20 || v[start] === 0x09)) start++;
  if (enc === 'B' || enc === 'BASE64') {
    if (start >= v.length) return undefined;
    const r = decodeBase64(v.subarray(start));
    const t = param(line, 'TYPE') ?? param(line, 'MEDIATYPE');
    return { bytes: r.bytes, bad: r.bad, mediaType: t?.toUpperCase() };
  }
  // data:[<mediatype>][;base64],<data>
  if (start >= v.length) return undefined;
  const head = String.fromCharCode(...v.subarray(start, Math.min(v.length, start + 256)));
  if (!/^data:/i.test(head)) return undefined;
  const comma = head.indexOf(',');
  if (comma < 0) return undefined;
  const meta = head.slice(5, comma);
  const isB64 = /;base64$/i.test(meta);
  const mt = meta.replace(/;base64$/i, '').split(';')[0]!.trim();
  const data = v.subarray(start + comma + 1);
  const sub = mt.includes('/') ? mt.split('/')[1]!.toUpperCase() : undefined;
  if (isB64) {
    const r = decodeBase64(data);
    return { bytes: r.bytes, bad: r.bad, mediaType: sub };
  }
  // Percent-encoded data.
  const txt = String.fromCharCode(...data.subarray(0, Math.min(data.length, 1 << 16)));
  try {
    const dec = decodeURIComponent(txt);
    const out = new Uint8Array(dec.length);
    for (let i = 0; i < dec.length; i++) out[i] = dec.charCodeAt(i) & 0xff;
    return { bytes: out, bad: 0, mediaType: sub };
  } catch {
    return { bytes: new Uint8Array(0), bad: 1, mediaType: sub };
  }
}

/** Image format from the leading bytes (magic numbers), independent of what the card claims. */
export function sniffImage(b: Uint8Array): { ext: string; mime: string } | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ext: 'jpg', mime: 'image/jpeg' };
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return { ext: 'png', mime: 'image/png' };
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return { ext: 'gif', mime: 'image/gif' };
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return { ext: 'bmp', mime: 'image/bmp' };
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50)
    return { ext: 'webp', mime: 'image/webp' };
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)))
    return { ext: 'tif', mime: 'image/tiff' };
  return undefined;
}

/**
 * Base64 without an ENCODING parameter (Thunderbird writes PHOTO:UklGR… for "binary" photos):
 * accepted when the value is long and its start is pure base64 with no URI scheme.
 */
export function bareBase64(line: ContentLine): BinaryValue | undefined {
  const v = line.value;
  if (v.length < 64) return undefined;
  for (let i = 0; i < 64; i++) {
    const c = v[i]!;
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
    if (!ok) return undefined;
  }
  const r = decodeBase64(v);
  return { bytes: r.bytes, bad: r.bad };
}
