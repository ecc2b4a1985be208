/**
 * iCalendar lexer (RFC 5545 3.1): physical lines → unfolded content lines → components, read
 * through a ByteSource in chunks so a 100 MiB calendar never becomes one string. Tolerant by
 * design: CRLF, LF or lone CR; a UTF-8 BOM; 8-bit text that is not UTF-8 (decoded with a fallback
 * code page); lines without a colon and stray END lines are reported and skipped, never fatal.
 * A content line carries its byte offset so findings can point into the file, and a component
 * its byte range so the mapper can re-read one UID group without keeping the whole file.
 */
import type { ByteSource } from '../io/byte-source.ts';
import { decodeCodepage } from '../text/codepage.ts';

export interface Param {
  name: string;
  values: string[];
}

/** One unfolded content line: NAME;PARAM=V:VALUE with the raw (still escaped) value. */
export interface ContentLine {
  name: string;
  params: Param[];
  value: string;
  offset: number;
}

export interface Component {
  name: string;
  props: ContentLine[];
  subs: Component[];
  offset: number;
  end: number;
}

export interface LexIssue {
  code: 'ICAL-NO-COLON' | 'ICAL-LINE-TOO-LONG' | 'ICAL-CHARSET' | 'ICAL-STRAY-END' | 'ICAL-MISSING-END' | 'ICAL-TRUNCATED' | 'ICAL-BOM';
  offset: number;
  message: string;
}

export interface LexOptions {
  /** Code page for lines that are not valid UTF-8 (default 1252). */
  codepage?: number;
  /** Bytes per read (default 1 MiB; tests use tiny chunks to exercise the boundaries). */
  chunk?: number;
  /** Longest logical line kept, in bytes (default 64 MiB). */
  maxLine?: number;
  onIssue?: (i: LexIssue) => void;
}

/**
 * One unfolded line. `bytes` (and the lazily decoded `text`) are only guaranteed until the
 * generator is advanced: read what you need before asking for the next line.
 */
export interface RawLine {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly end: number;
}

/** RawLine with the text decoded on first use (most lines in pass 1 are never decoded). */
class Line implements RawLine {
  private t: string | undefined;
  constructor(
    readonly bytes: Uint8Array,
    readonly offset: number,
    readonly end: number,
    private readonly decoder: (b: Uint8Array, offset: number) => string,
  ) {}
  get text(): string {
    return (this.t ??= this.decoder(this.bytes, this.offset));
  }
}

const CHUNK = 1 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let p = 0;
  for (const x of parts) {
    out.set(x, p);
    p += x.length;
  }
  return out;
}

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** Unfolded logical lines of [start, end) of `src` (RFC 5545 3.1: CRLF + one space or tab). */
export async function* logicalLines(src: ByteSource, start: number, end: number, opts: LexOptions = {}): AsyncGenerator<RawLine> {
  const maxLine = opts.maxLine ?? 64 << 20;
  const cp = opts.codepage ?? 1252;
  let parts: Uint8Array[] = [];
  let total = 0;
  let lineOffset = -1;
  let lineEnd = start;
  let overlong = false;
  let charsetWarned = false;
  const decode = (bytes: Uint8Array, offset: number): string => {
    if (isAscii(bytes)) return bytes.length < 4096 ? String.fromCharCode.apply(null, bytes as unknown as number[]) : utf8.decode(bytes);
    try {
      return utf8.decode(bytes);
    } catch {
      const r = decodeCodepage(bytes, cp);
      if (!charsetWarned) {
        charsetWarned = true;
        opts.onIssue?.({ code: 'ICAL-CHARSET', offset, message: `text is not UTF-8; decoded as ${r.encoding}` });
      }
      return r.text;
    }
  };
  const finish = (): RawLine | undefined => {
    if (lineOffset < 0) return undefined;
    const out = new Line(concat(parts, total), lineOffset, lineEnd, decode);
    parts = [];
    total = 0;
    lineOffset = -1;
    overlong = false;
    return out;
  };
  const add = (b: Uint8Array) => {
    if (overlong) return;
    if (total + b.length > maxLine) {
      overlong = true;
      opts.onIssue?.({ code: 'ICAL-LINE-TOO-LONG', offset: lineOffset, message: `a content line is longer than ${maxLine} bytes; its tail was dropped` });
      return;
    }
    if (b.length) {
      parts.push(b); // a view into the current chunk; copied before the next chunk is read
      total += b.length;
    }
  };
  let off = start;
  let skipLF = false;
  let pendingPhysical = false; // the previous chunk ended inside a physical line
  let first = start === 0;
  while (off < end) {
    if (parts.length) {
      // the pending line's parts point into the previous chunk: keep a copy
      const keep = new Uint8Array(total);
      let p = 0;
      for (const x of parts) {
        keep.set(x, p);
        p += x.length;
      }
      parts = [keep];
    }
    const chunk = await src.read(off, Math.min(opts.chunk ?? CHUNK, end - off));
    if (chunk.length === 0) break;
    let i = 0;
    if (first) {
      first = false;
      const head = chunk.length >= 3 ? chunk : await src.read(0, 3);
      if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
        opts.onIssue?.({ code: 'ICAL-BOM', offset: 0, message: 'UTF-8 byte order mark skipped (gromox rejects such files)' });
        if (chunk.length < 3) {
          // tiny reads: continue right after the mark
          off = 3;
          continue;
        }
        i = 3;
      }
    }
    if (skipLF) {
      skipLF = false;
      if (chunk[0] === 10) {
        i = Math.max(i, 1);
        lineEnd = off + 1;
      }
    }
    // each iteration handles one physical line (or its start, if it runs past the chunk)
    while (i < chunk.length) {
      let j = i;
      while (j < chunk.length && chunk[j] !== 10 && chunk[j] !== 13) j++;
      const atLineStart = i === 0 ? !pendingPhysical : true;
      const seg = chunk.subarray(i, j);
      if (atLineStart) {
        if (seg.length > 0 && (seg[0] === 32 || seg[0] === 9) && lineOffset >= 0) {
          add(seg.subarray(1));
        } else if (seg.length === 0 && j < chunk.length) {
          // blank line: ignored
        } else {
          const done = finish();
          if (done) yield done;
          lineOffset = off + i;
          add(seg);
        }
      } else {
        add(seg);
      }
      if (j < chunk.length) {
        pendingPhysical = false;
        let k = j + 1;
        if (chunk[j] === 13) {
          if (k < chunk.length) {
            if (chunk[k] === 10) k++;
          } else skipLF = true;
        }
        lineEnd = off + k;
        i = k;
      } else {
        pendingPhysical = true;
        lineEnd = off + j;
        i = j;
      }
    }
    off += chunk.length;
  }
  const done = finish();
  if (done) yield done;
}

const ESC: Record<string, string> = { '\\': '\\', ';': ';', ',': ',', n: '\n', N: '\n' };

/** RFC 5545 3.3.11 TEXT unescaping: \\ \; \, \n \N (other backslashes are kept). */
export function unescapeText(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\([\\;,nN])/g, (_, c: string) => ESC[c]!);
}

/** Split on an unescaped separator (for TEXT lists such as CATEGORIES). */
export function splitEscaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Parse one unfolded line (RFC 5545 3.1 contentline); undefined if it has no value part. */
export function parseContentLine(text: string, offset: number): ContentLine | undefined {
  let i = 0;
  const n = text.length;
  while (i < n && text[i] !== ';' && text[i] !== ':') i++;
  if (i >= n) return undefined;
  const name = text.slice(0, i).trim().toUpperCase();
  const params: Param[] = [];
  while (i < n && text[i] === ';') {
    i++;
    let j = i;
    while (j < n && text[j] !== '=' && text[j] !== ';' && text[j] !== ':') j++;
    const pname = text.slice(i, j).trim().toUpperCase();
    const values: string[] = [];
    i = j;
    if (text[i] === '=') {
      i++;
      for (;;) {
        let v = '';
        if (text[i] === '"') {
          const q = text.indexOf('"', i + 1);
          if (q < 0) {
            v = text.slice(i + 1);
            i = n;
          } else {
            v = text.slice(i + 1, q);
            i = q + 1;
          }
          while (i < n && text[i] !== ',' && text[i] !== ';' && text[i] !== ':') v += text[i++];
        } else {
          let j2 = i;
          while (j2 < n && text[j2] !== ',' && text[j2] !== ';' && text[j2] !== ':') j2++;
          v = text.slice(i, j2);
          i = j2;
        }
        values.push(v);
        if (text[i] === ',') {
          i++;
          continue;
        }
        break;
      }
    }
    if (pname) params.push({ name: pname, values });
  }
  if (text[i] !== ':') return undefined;
  return { name, params, value: text.slice(i + 1), offset };
}

export const param = (l: ContentLine, name: string): string | undefined => l.params.find((p) => p.name === name)?.values[0];

/** Build a component tree from the lines of a BEGIN…END range (the first line must be BEGIN). */
export async function readComponent(src: ByteSource, start: number, end: number, opts: LexOptions = {}): Promise<Component | undefined> {
  const stack: Component[] = [];
  let root: Component | undefined;
  for await (const raw of logicalLines(src, start, end, opts)) {
    const l = parseContentLine(raw.text, raw.offset);
    if (!l) {
      opts.onIssue?.({ code: 'ICAL-NO-COLON', offset: raw.offset, message: `line without a value skipped: ${raw.text.slice(0, 60)}` });
      continue;
    }
    if (l.name === 'BEGIN') {
      const c: Component = { name: l.value.trim().toUpperCase(), props: [], subs: [], offset: raw.offset, end: raw.end };
      if (stack.length) stack[stack.length - 1]!.subs.push(c);
      else if (!root) root = c;
      else break;
      stack.push(c);
    } else if (l.name === 'END') {
      const want = l.value.trim().toUpperCase();
      const at = stack.findLastIndex((c) => c.name === want);
      if (at < 0) {
        opts.onIssue?.({ code: 'ICAL-STRAY-END', offset: raw.offset, message: `END:${want} without a matching BEGIN` });
        continue;
      }
      if (at < stack.length - 1)
        opts.onIssue?.({ code: 'ICAL-MISSING-END', offset: raw.offset, message: `END:${stack[stack.length - 1]!.name} missing before END:${want}` });
      while (stack.length > at) stack.pop()!.end = raw.end;
      if (!stack.length) break;
    } else if (stack.length) {
      stack[stack.length - 1]!.props.push(l);
    }
  }
  return root;
}
