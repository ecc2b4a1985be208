/**
 * Shared helpers of the codec tests: a seeded PRNG, generated sample data, byte comparison, and a
 * tiny independent DEFLATE bit writer (RFC 1951 3.2.6 fixed codes, 3.2.7 dynamic headers, 3.2.4
 * stored blocks) to craft streams node:zlib never emits (far distances, reserved symbols, broken
 * code-length tables).
 */

import { rng } from './rng.ts';

export { rng };

export function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 256) | 0;
  return out;
}

const WORDS =
  'the of and to in is you that it was for on are with as his they be at one have this from or had by meeting project invoice attached please regards thanks report schedule'.split(
    ' ',
  );

/** Mail-like ASCII text (compresses like real bodies: skewed words, headers, quoting). */
export function mailText(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  let s = '';
  while (s.length < n) {
    if (r() < 0.05) s += `\r\nFrom: user${(r() * 9) | 0}@example.com\r\nSubject: Re: ${WORDS[(r() * WORDS.length) | 0]}\r\n\r\n`;
    if (r() < 0.1) s += '\r\n> ';
    s += WORDS[Math.floor(Math.pow(r(), 2) * WORDS.length)] + (r() < 0.1 ? '. ' : ' ');
  }
  return new TextEncoder().encode(s.slice(0, n));
}

/** Bytes from a small alphabet with runs: exercises short distances (1..7) and long matches. */
export function runsData(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const len = 1 + ((r() * 300) | 0);
    const kind = r();
    for (let k = 0; k < len && i < n; k++, i++) {
      out[i] = kind < 0.3 ? 0x41 : kind < 0.6 ? 0x30 + (k % (2 + ((kind * 10) | 0))) : (r() * 4) | 0;
    }
  }
  return out;
}

/** -1 if equal, else the first differing index (or the shorter length). */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** LSB-first bit writer as DEFLATE packs its stream. */
export class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;

  /** Append `count` bits of `value`, least significant first (header fields, extra bits). */
  bits(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.acc |= ((value >>> i) & 1) << this.n;
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
    return this;
  }

  /** Append a Huffman code, most significant bit first (RFC 1951 3.1.1). */
  code(code: number, len: number): this {
    for (let i = len - 1; i >= 0; i--) this.bits((code >>> i) & 1, 1);
    return this;
  }

  /** Fixed-code literal/length symbol (RFC 1951 3.2.6). */
  fixedSymbol(sym: number): this {
    if (sym < 144) return this.code(0x30 + sym, 8);
    if (sym < 256) return this.code(0x190 + sym - 144, 9);
    if (sym < 280) return this.code(sym - 256, 7);
    return this.code(0xc0 + sym - 280, 8);
  }

  fixedLiteral(byte: number): this {
    return this.fixedSymbol(byte);
  }

  /** A length/distance pair with fixed codes; no range checks, so invalid pairs can be written. */
  fixedMatch(length: number, dist: number): this {
    const [lsym, lextra, lbits] = lengthSymbol(length);
    this.fixedSymbol(lsym).bits(lextra, lbits);
    const [dsym, dextra, dbits] = distSymbol(dist);
    return this.code(dsym, 5).bits(dextra, dbits);
  }

  alignToByte(): this {
    if (this.n > 0) this.bits(0, 8 - this.n);
    return this;
  }

  /** Stored block (RFC 1951 3.2.4), `last` sets BFINAL. */
  stored(data: Uint8Array, last: boolean, nlen?: number): this {
    this.bits(last ? 1 : 0, 1).bits(0, 2).alignToByte();
    this.bits(data.length, 16).bits(nlen ?? (data.length ^ 0xffff), 16);
    for (const b of data) this.bits(b, 8);
    return this;
  }

  finish(): Uint8Array {
    const out = [...this.bytes];
    if (this.n > 0) out.push(this.acc);
    return new Uint8Array(out);
  }
}

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

function lengthSymbol(length: number): [number, number, number] {
  let i = LEN_BASE.length - 1;
  while (LEN_BASE[i]! > length) i--;
  return [257 + i, length - LEN_BASE[i]!, LEN_EXTRA[i]!];
}

function distSymbol(dist: number): [number, number, number] {
  let i = DIST_BASE.length - 1;
  while (DIST_BASE[i]! > dist) i--;
  return [i, dist - DIST_BASE[i]!, DIST_EXTRA[i]!];
}

/** zlib wrapper (RFC 1950) around a raw DEFLATE stream with the Adler-32 of `plain`. */
export function zlibWrap(raw: Uint8Array, plain: Uint8Array): Uint8Array {
  let a = 1;
  let b = 0;
  for (const x of plain) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  const adler = ((b << 16) | a) >>> 0;
  return concat(new Uint8Array([0x78, 0x9c]), raw, new Uint8Array([adler >>> 24, (adler >>> 16) & 0xff, (adler >>> 8) & 0xff, adler & 0xff]));
}

/** RFC 1951 3.2.7 order of code-length code lengths. */
export const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
