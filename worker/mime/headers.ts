/**
 * Header-field syntax: unfolding (RFC 5322 §2.2.3), encoded words (RFC 2047), parameters with
 * continuations and charsets (RFC 2231), address lists (RFC 5322 §3.4) and dates (§3.3, with the
 * obsolete forms of §4.3). Field values arrive as raw bytes; 8-bit bytes are UTF-8 (RFC 6532) when
 * they validate and otherwise the fallback code page's text, so nothing is silently turned into
 * '?'. Everything here is pure and string-sized: header blocks are bounded by the parser.
 */
import { decodeCharset, decoderForLabel } from '../text/codepage.ts';
import { decodeBase64, decodeQ } from './transfer.ts';

export interface HeaderField {
  /** Field name as spelled in the input (case kept: gromox names some props after it). */
  name: string;
  /** Unfolded value with leading whitespace removed (raw text, no RFC 2047 decoding). */
  value: string;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Raw header bytes to text: UTF-8 if valid (RFC 6532), else the fallback charset. NUL bytes are
 * dropped: they carry nothing in a header, and MT strings cannot hold them.
 */
export function headerBytesToString(b: Uint8Array, fallbackCharset = 'windows-1252'): string {
  if (b.indexOf(0) >= 0) b = b.filter((x) => x !== 0);
  let ascii = true;
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) { ascii = false; break; }
  if (ascii) {
    let s = '';
    for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
    return s;
  }
  try {
    return utf8Fatal.decode(b);
  } catch {
    return decodeCharset(b, fallbackCharset).text;
  }
}

/** True if every byte is 7-bit. */
export function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/**
 * Split a header block (without the blank line) into fields. Lines that are neither a field nor a
 * continuation are ignored (they still survive in PR_TRANSPORT_MESSAGE_HEADERS).
 */
export function parseHeaderBlock(text: string): HeaderField[] {
  const out: HeaderField[] = [];
  const lines = text.split(/\r?\n|\r(?!\n)/);
  let cur: { name: string; parts: string[] } | undefined;
  const flush = () => {
    if (cur) out.push({ name: cur.name, value: cur.parts.join('').replace(/^[ \t]+/, '') });
    cur = undefined;
  };
  for (const line of lines) {
    if (line.length === 0) continue;
    if ((line[0] === ' ' || line[0] === '\t') && cur) {
      // unfolding (RFC 5322 §2.2.3); like gromox, the continuation's leading whitespace counts as one space
      cur.parts.push(' ' + line.replace(/^[ \t]+/, ''));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0 && /^[!-9;-~]+[ \t]*$/.test(line.slice(0, colon))) {
      flush();
      cur = { name: line.slice(0, colon).trimEnd(), parts: [line.slice(colon + 1)] };
    } else {
      flush();
    }
  }
  flush();
  return out;
}

/** Last value of a field (case-insensitive), as gromox's "last one wins" header pass. */
export function getHeader(fields: readonly HeaderField[], name: string): string | undefined {
  const n = name.toLowerCase();
  let v: string | undefined;
  for (const f of fields) if (f.name.toLowerCase() === n) v = f.value;
  return v;
}
export function getFirstHeader(fields: readonly HeaderField[], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const f of fields) if (f.name.toLowerCase() === n) return f.value;
  return undefined;
}

/** Text from charset-labelled bytes; unknown labels fall back per decodeCharset. */
function charsetText(bytes: Uint8Array, charset: string): string {
  let label = charset.toLowerCase();
  const star = label.indexOf('*'); // RFC 2231 §5 language suffix in encoded words
  if (star >= 0) label = label.slice(0, star);
  if (label === 'unicode-1-1-utf-7') label = 'utf-7';
  if (label.startsWith('ks_c_5601')) label = 'euc-kr';
  return decodeCharset(bytes, decoderForLabel(label) ? label : label || undefined).text;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * RFC 2047 decoding of unstructured text. Adjacent encoded words (separated only by whitespace)
 * are joined without the whitespace (§6.2), and consecutive words in the same charset are
 * decoded together so a multi-byte character split across words survives.
 */
export function decodeEncodedWords(s: string): string {
  if (s.indexOf('=?') < 0) return s;
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Uint8Array[] } | undefined;
  const flush = () => {
    if (!pending) return;
    let n = 0;
    for (const b of pending.bytes) n += b.length;
    const all = new Uint8Array(n);
    let at = 0;
    for (const b of pending.bytes) {
      all.set(b, at);
      at += b.length;
    }
    out += charsetText(all, pending.charset);
    pending = undefined;
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(s); m; m = ENCODED_WORD.exec(s)) {
    const between = s.slice(last, m.index);
    const charset = m[1]!;
    const bytes = m[2]!.toUpperCase() === 'B' ? decodeBase64(asciiBytes(m[3]!)) : decodeQ(m[3]!);
    if (pending && /^[ \t\r\n]*$/.test(between)) {
      // same charset: decode together (a character may be split across words), except for the
      // stateful ISO-2022 family whose decoders reject back-to-back escape sequences
      if (pending.charset.toLowerCase() === charset.toLowerCase() && !/^iso-2022/i.test(charset)) pending.bytes.push(bytes);
      else {
        flush();
        pending = { charset, bytes: [bytes] };
      }
    } else {
      flush();
      out += between;
      pending = { charset, bytes: [bytes] };
    }
    last = m.index + m[0].length;
  }
  flush();
  out += s.slice(last);
  return out.indexOf('\0') >= 0 ? out.replace(/\0/g, '') : out; // an encoded =00 carries nothing either
}

function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

export interface ParsedValue {
  /** The value before the first ';', trimmed and lower-cased (e.g. `text/plain`). */
  value: string;
  /** Parameters by lower-case name, RFC 2231 continuations joined and charsets decoded. */
  params: Record<string, string>;
}

/** Parse `value; a=b; c="d"` with RFC 2231 (`name*=utf-8''%E2..`, `name*0*=`, `name*1=`). */
export function parseParams(raw: string): ParsedValue {
  let i = 0;
  const n = raw.length;
  const readUntil = (stops: string): string => {
    let s = '';
    while (i < n && stops.indexOf(raw[i]!) < 0) {
      if (raw[i] === '"') {
        i++;
        while (i < n && raw[i] !== '"') {
          if (raw[i] === '\\' && i + 1 < n) i++;
          s += raw[i++];
        }
        i++;
      } else if (raw[i] === '(') {
        let depth = 0;
        do {
          if (raw[i] === '(') depth++;
          else if (raw[i] === ')') depth--;
          i++;
        } while (i < n && depth > 0);
      } else s += raw[i++];
    }
    return s;
  };
  const value = readUntil(';').trim().toLowerCase();
  const simple: Record<string, string> = {};
  const sections: Record<string, { idx: number; enc: boolean; v: string }[]> = {};
  while (i < n) {
    i++; // ';'
    const name = readUntil('=;').trim().toLowerCase();
    if (raw[i] !== '=') continue;
    i++;
    while (i < n && (raw[i] === ' ' || raw[i] === '\t')) i++;
    const v = readUntil(';').trim();
    if (!name) continue;
    const m = /^([^*]+)\*(?:(\d+)\*?|)$/.exec(name);
    const star = name.endsWith('*');
    if (m) {
      const base = m[1]!;
      const idx = m[2] !== undefined ? Number(m[2]) : 0;
      (sections[base] ??= []).push({ idx, enc: star, v });
    } else if (!(name in simple)) simple[name] = v;
  }
  const params: Record<string, string> = { ...simple };
  for (const [base, secs] of Object.entries(sections)) {
    secs.sort((a, b) => a.idx - b.idx);
    let charset = '';
    const bytes: number[] = [];
    secs.forEach((s, k) => {
      let v = s.v;
      if (s.enc && k === 0) {
        const q = /^([^']*)'[^']*'(.*)$/.exec(v);
        if (q) {
          charset = q[1]!;
          v = q[2]!;
        }
      }
      if (s.enc) {
        for (let j = 0; j < v.length; j++) {
          if (v[j] === '%' && /^[0-9a-fA-F]{2}$/.test(v.slice(j + 1, j + 3))) {
            bytes.push(parseInt(v.slice(j + 1, j + 3), 16));
            j += 2;
          } else pushUtf8(bytes, v[j]!);
        }
      } else for (const ch of v) pushUtf8(bytes, ch);
    });
    params[base] = charsetText(Uint8Array.from(bytes), charset || 'utf-8');
  }
  return { value, params };
}

function pushUtf8(out: number[], ch: string): void {
  const c = ch.codePointAt(0)!;
  if (c < 0x80) out.push(c);
  else for (const b of new TextEncoder().encode(ch)) out.push(b);
}

export interface Mailbox {
  /** Decoded display name ('' if none). */
  name: string;
  /** addr-spec ('' if the mailbox had none, e.g. `undisclosed-recipients:;`). */
  address: string;
}

/**
 * RFC 5322 §3.4 address list: mailboxes, `name <addr>`, groups `g: a, b;`, comments, quoted
 * strings. Lenient: a list that does not parse still yields every `x@y` it contains.
 */
export function parseAddressList(raw: string): Mailbox[] {
  const out: Mailbox[] = [];
  let i = 0;
  const n = raw.length;
  let phrase = '';
  let angle: string | undefined;
  let bare = '';
  let comment = '';
  const finish = () => {
    const addr = (angle ?? bare).trim().replace(/\s+/g, '');
    let name = angle !== undefined ? phrase.trim() : '';
    if (angle === undefined && !addr && phrase.trim()) {
      // phrase without address: maybe an addr-spec in the phrase slot
      bare = phrase.trim();
    }
    let address = angle !== undefined ? addr : (bare || phrase).trim();
    if (angle === undefined) {
      // several bare addr-specs separated only by whitespace: one mailbox each
      const toks = address.split(/\s+/).filter((t) => t.includes('@'));
      if (toks.length > 1) {
        for (const t of toks) out.push({ name: '', address: t });
        phrase = '';
        bare = '';
        comment = '';
        return;
      }
      address = address.replace(/\s+/g, '');
    }
    if (address || name) out.push({ name: decodeEncodedWords(name.replace(/[\r\n]+/g, '')).trim(), address });
    phrase = '';
    angle = undefined;
    bare = '';
    comment = '';
  };
  while (i < n) {
    const c = raw[i]!;
    if (c === '"') {
      i++;
      let s = '';
      while (i < n && raw[i] !== '"') {
        if (raw[i] === '\\' && i + 1 < n) i++;
        s += raw[i++];
      }
      i++;
      phrase += s;
    } else if (c === '(') {
      let depth = 0;
      let s = '';
      do {
        if (raw[i] === '(') depth++;
        else if (raw[i] === ')') depth--;
        if (depth > 0 && !(depth === 1 && raw[i] === '(')) s += raw[i];
        i++;
      } while (i < n && depth > 0);
      comment += s;
    } else if (c === '<') {
      i++;
      let s = '';
      while (i < n && raw[i] !== '>') s += raw[i++];
      i++;
      angle = s.replace(/^@[^:]*:/, ''); // obs-route
    } else if (c === ',') {
      i++;
      finish();
    } else if (c === ':' && angle === undefined) {
      // group name: drop it
      i++;
      phrase = '';
    } else if (c === ';') {
      i++;
      finish();
    } else {
      phrase += c;
      i++;
    }
  }
  finish();
  // a phrase with '@' and no angle is an addr-spec; one without '@' and no angle is noise
  return out.filter((m) => m.address.length > 0 || m.name.length > 0).map((m) => {
    if (m.address && !m.address.includes('@') && m.name === '' ) return m;
    return m;
  });
}

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

/** RFC 5322 §3.3 date-time (with §4.3 obsolete forms) → ms since 1970, or undefined. */
export function parseRfc5322Date(raw: string): number | undefined {
  const s = raw.replace(/\([^)]*\)/g, ' ').replace(/,/g, ' ').trim();
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,5})?/.exec(s);
  if (!m) return undefined;
  const mon = MONTHS[m[2]!.toLowerCase()];
  if (mon === undefined) return undefined;
  let year = Number(m[3]);
  if (m[3]!.length <= 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  const day = Number(m[1]);
  const hh = Number(m[4]);
  const mm = Number(m[5]);
  const ss = m[6] ? Number(m[6]) : 0;
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  let off = 0;
  const z = m[7];
  if (z && /^[+-]\d{4}$/.test(z)) {
    const sign = z[0] === '-' ? -1 : 1;
    off = sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  } else if (z) off = ZONES[z.toLowerCase()] ?? 0;
  return Date.UTC(year, mon, day, hh, mm, ss) - off * 60000;
}

/** ms since 1970 → FILETIME (100 ns since 1601) as the model's bigint. */
export function msToFiletime(ms: number): bigint {
  return (BigInt(Math.round(ms)) + 11644473600000n) * 10000n;
}
