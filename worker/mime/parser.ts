/**
 * MIME entity tree (RFC 2045/2046) over a ByteSource, by byte offsets. Only header blocks are
 * turned into strings; bodies stay as [bodyStart, bodyEnd) ranges that the mapper reads and decodes
 * one part at a time, so a 100 MiB attachment never becomes a 100 MiB string and a multipart is
 * found by scanning for delimiter lines in fixed-size windows.
 *
 * Shape choices follow gromox's MIME substrate (reference §2.1): a missing Content-Type is
 * text/plain (message/rfc822 inside multipart/digest); a multipart without a boundary or without
 * any delimiter line is downgraded to a single part; the line break before a delimiter belongs to
 * the delimiter (RFC 2046 §5.1.1), and so does one final line break at the end of a range.
 * message/rfc822 bodies are not descended into here: the mapper parses them as messages of their
 * own (they may be transfer-encoded).
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';
import { headerBytesToString, parseHeaderBlock, getHeader, parseParams, type HeaderField } from './headers.ts';

export interface MimePart {
  /** Offset of the first header byte. */
  start: number;
  /** Offset just past the last header line's line break (== start if there is no header block). */
  headerEnd: number;
  /** First body byte and one past the last (the delimiter's line break excluded). */
  bodyStart: number;
  bodyEnd: number;
  hasHeaders: boolean;
  fields: HeaderField[];
  /** Lower-case media type, e.g. `text/plain`. */
  type: string;
  /** The media type as written (PR_ATTACH_MIME_TAG keeps the case). */
  rawType: string;
  /** Content-Type parameters (lower-case names). */
  params: Record<string, string>;
  /** True if Content-Type was present and parseable. */
  explicitType: boolean;
  /** Lower-case Content-Transfer-Encoding ('' if absent). */
  encoding: string;
  /** Lower-case disposition token ('' if the header is absent). */
  disposition: string;
  dispositionParams: Record<string, string>;
  children: MimePart[];
  /** Multipart nesting depth (0 for the message itself). */
  depth: number;
}

export interface ParseOptions {
  findings?: FindingSink;
  /** Label for findings (file name, mbox index). */
  item?: string;
  /** Charset for undeclared 8-bit header bytes that are not UTF-8 (default windows-1252). */
  fallbackCharset?: string;
  /** Deepest multipart nesting parsed; deeper multiparts become single parts (default 64). */
  maxDepth?: number;
  /** Largest header block in bytes (default 1 MiB); the rest is treated as body. */
  maxHeaderBytes?: number;
}

const WINDOW = 1 << 20;
const MAX_BOUNDARY_LINE = 1024;

/** Parse the entity at [start, end) of `src` as a message (or body part). */
export async function parseMime(src: ByteSource, opts: ParseOptions = {}, start = 0, end = src.size): Promise<MimePart> {
  return parseEntity(src, start, end, 0, 'text/plain', opts, true);
}

async function readHeaderBlock(
  src: ByteSource,
  start: number,
  end: number,
  opts: ParseOptions,
): Promise<{ headerEnd: number; bodyStart: number; hasHeaders: boolean; raw: Uint8Array }> {
  const cap = Math.min(end - start, opts.maxHeaderBytes ?? 1 << 20);
  let buf = new Uint8Array(0);
  let scanned = 0; // offset in buf where the next line starts
  let first = true;
  for (;;) {
    // find the next line in buf, reading more when needed
    let nl = buf.indexOf(0x0a, scanned);
    while (nl < 0 && buf.length < cap) {
      const more = await src.read(start + buf.length, Math.min(64 * 1024, cap - buf.length));
      if (more.length === 0) break;
      const nb = new Uint8Array(buf.length + more.length);
      nb.set(buf);
      nb.set(more, buf.length);
      buf = nb;
      nl = buf.indexOf(0x0a, scanned);
    }
    const lineEnd = nl < 0 ? buf.length : nl + 1;
    let contentEnd = nl < 0 ? buf.length : nl;
    if (contentEnd > scanned && buf[contentEnd - 1] === 0x0d) contentEnd--;
    const empty = contentEnd === scanned;
    if (first) {
      first = false;
      if (empty) {
        // a part that starts with a blank line has no header fields; like gromox, the blank line
        // stays part of the body
        return { headerEnd: start, bodyStart: start, hasHeaders: false, raw: new Uint8Array(0) };
      }
      if (!looksLikeHeaderLine(buf.subarray(scanned, contentEnd))) {
        return { headerEnd: start, bodyStart: start, hasHeaders: false, raw: new Uint8Array(0) };
      }
    }
    if (empty) return { headerEnd: start + scanned, bodyStart: start + lineEnd, hasHeaders: true, raw: buf.subarray(0, scanned) };
    if (nl < 0) {
      // header block ran to the end of the range (or the cap): everything is header
      if (buf.length >= cap && cap < end - start) {
        opts.findings?.({
          code: 'MIME-HEADER-TOO-LONG',
          severity: 'warning',
          message: `header block longer than ${cap} bytes; the rest is treated as body`,
          offset: start,
          item: opts.item,
        });
      }
      return { headerEnd: start + buf.length, bodyStart: start + buf.length, hasHeaders: true, raw: buf };
    }
    scanned = lineEnd;
  }
}

function looksLikeHeaderLine(line: Uint8Array): boolean {
  // "From " envelope lines (mbox) precede real headers, and gromox keeps parsing after any first
  // line that holds a colon (e.g. a quoted ">From - Fri Dec 13 15:01:21 1996"); only a first line
  // without any colon means the message has no header block
  if (line.length >= 5 && line[0] === 0x46 && line[1] === 0x72 && line[2] === 0x6f && line[3] === 0x6d && line[4] === 0x20) return true;
  const lim = Math.min(line.length, 998);
  for (let i = 1; i < lim; i++) if (line[i] === 0x3a) return true;
  return false;
}

async function parseEntity(
  src: ByteSource,
  start: number,
  end: number,
  depth: number,
  defaultType: string,
  opts: ParseOptions,
  trimEnd: boolean,
): Promise<MimePart> {
  const hb = await readHeaderBlock(src, start, end, opts);
  const fields = hb.hasHeaders ? parseHeaderBlock(headerBytesToString(hb.raw, opts.fallbackCharset)) : [];
  const ctRaw = getHeader(fields, 'content-type');
  let type = defaultType;
  let rawType = defaultType;
  let params: Record<string, string> = {};
  let explicitType = false;
  if (ctRaw !== undefined) {
    const p = parseParams(ctRaw);
    if (/^[^\s/]+\/[^\s/]+$/.test(p.value)) {
      type = p.value;
      rawType = ctRaw.split(';')[0]!.trim();
      explicitType = true;
    }
    params = p.params;
  }
  const cd = getHeader(fields, 'content-disposition');
  const cdp = cd !== undefined ? parseParams(cd) : undefined;
  const part: MimePart = {
    start,
    headerEnd: hb.headerEnd,
    bodyStart: Math.min(hb.bodyStart, end),
    bodyEnd: end,
    hasHeaders: hb.hasHeaders,
    fields,
    type,
    rawType,
    params,
    explicitType,
    encoding: (getHeader(fields, 'content-transfer-encoding') ?? '').trim().toLowerCase(),
    disposition: cdp ? cdp.value : '',
    dispositionParams: cdp ? cdp.params : {},
    children: [],
    depth,
  };
  if (trimEnd) part.bodyEnd = await trimFinalBreak(src, part.bodyStart, end);
  if (!type.startsWith('multipart/')) return part;
  const boundary = params['boundary'];
  if (!boundary) {
    // like gromox: kept as one leaf part of its multipart type (it becomes an attachment)
    opts.findings?.({ code: 'MIME-NO-BOUNDARY', severity: 'warning', message: `${type} without a boundary parameter is read as a single part`, offset: start, item: opts.item });
    return part;
  }
  if (depth >= (opts.maxDepth ?? 64)) {
    opts.findings?.({ code: 'MIME-TOO-DEEP', severity: 'warning', message: `multipart nesting deeper than ${opts.maxDepth ?? 64} levels is kept as one part`, offset: start, item: opts.item });
    return part;
  }
  const delims = await scanDelimiters(src, part.bodyStart, end, boundary);
  if (delims.length === 0) {
    opts.findings?.({ code: 'MIME-NO-DELIMITER', severity: 'warning', message: `${type} body contains no "--${boundary}" delimiter; read as a single part`, offset: start, item: opts.item });
    return part;
  }
  const childType = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
  for (let k = 0; k < delims.length; k++) {
    const d = delims[k]!;
    if (d.closing) {
      part.bodyEnd = d.breakStart;
      break;
    }
    const next = delims[k + 1];
    const childEnd = next ? next.breakStart : end;
    part.children.push(await parseEntity(src, d.after, Math.max(d.after, childEnd), depth + 1, childType, opts, !next));
    if (!next) {
      opts.findings?.({ code: 'MIME-NO-CLOSE-DELIMITER', severity: 'info', message: `${type} is not closed by "--${boundary}--"`, offset: start, item: opts.item });
    }
  }
  return part;
}

/** End of [from, end) without one final CRLF/LF (it belongs to the following delimiter). */
async function trimFinalBreak(src: ByteSource, from: number, end: number): Promise<number> {
  if (end <= from) return end;
  const tail = await src.read(Math.max(from, end - 2), Math.min(2, end - from));
  if (tail.length === 2 && tail[0] === 0x0d && tail[1] === 0x0a) return end - 2;
  if (tail.length > 0 && tail[tail.length - 1] === 0x0a) return end - 1;
  return end;
}

interface Delimiter {
  /** Where the preceding part's content ends (the line break before the delimiter line). */
  breakStart: number;
  /** First byte after the delimiter line. */
  after: number;
  closing: boolean;
}

/**
 * Find `--boundary` lines in [from, end), reading the source in windows. A delimiter line is the
 * boundary followed by optional `--`, then only whitespace (transport padding) to the line end.
 */
async function scanDelimiters(src: ByteSource, from: number, end: number, boundary: string): Promise<Delimiter[]> {
  const b = new TextEncoder().encode('--' + boundary);
  const out: Delimiter[] = [];
  let pos = from;
  let atLineStart = true; // `from` is the start of a line
  while (pos < end) {
    const len = Math.min(WINDOW + MAX_BOUNDARY_LINE, end - pos);
    const buf = await src.read(pos, len);
    if (buf.length === 0) break;
    const isLast = pos + buf.length >= end;
    const limit = isLast ? buf.length : Math.min(buf.length, WINDOW);
    let i = atLineStart ? 0 : buf.indexOf(0x0a) + 1;
    if (!atLineStart && i === 0) {
      pos += limit;
      atLineStart = false;
      continue;
    }
    let nextPos = pos + limit;
    let nextAtLineStart = false;
    while (i < limit) {
      // line starts at i
      if (buf[i] === 0x2d && buf[i + 1] === 0x2d && matchAt(buf, i, b)) {
        let j = i + b.length;
        let closing = false;
        if (buf[j] === 0x2d && buf[j + 1] === 0x2d) {
          closing = true;
          j += 2;
        }
        while (j < buf.length && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
        let ok = false;
        let after = j;
        if (j >= buf.length && isLast) ok = true;
        else if (buf[j] === 0x0a) {
          ok = true;
          after = j + 1;
        } else if (buf[j] === 0x0d && buf[j + 1] === 0x0a) {
          ok = true;
          after = j + 2;
        } else if (buf[j] === 0x0d && j + 1 >= buf.length && isLast) {
          ok = true;
          after = j + 1;
        }
        if (ok) {
          let bs = i;
          if (pos + i > from) {
            // the line break before the delimiter line belongs to it
            if (i >= 1 && buf[i - 1] === 0x0a) bs = i >= 2 && buf[i - 2] === 0x0d ? i - 2 : i - 1;
          }
          out.push({ breakStart: Math.max(from, pos + bs), after: pos + after, closing });
          if (closing) return out;
        }
      }
      const nl = buf.indexOf(0x0a, i);
      if (nl < 0 || nl + 1 > buf.length) {
        nextAtLineStart = false;
        break;
      }
      i = nl + 1;
      if (i >= limit) {
        nextPos = pos + i;
        nextAtLineStart = true;
        break;
      }
    }
    if (nextPos <= pos) nextPos = pos + Math.max(1, limit);
    // the window's own line-break bookkeeping: when we stopped inside a line, resume after its break
    atLineStart = nextAtLineStart;
    pos = nextPos;
  }
  return out;
}

function matchAt(buf: Uint8Array, at: number, pat: Uint8Array): boolean {
  if (at + pat.length > buf.length) return false;
  for (let k = 0; k < pat.length; k++) if (buf[at + k] !== pat[k]) return false;
  return true;
}

/** Read a part's raw (still transfer-encoded) body bytes. */
export async function readRawBody(src: ByteSource, part: MimePart): Promise<Uint8Array> {
  const n = Math.max(0, part.bodyEnd - part.bodyStart);
  const b = await src.read(part.bodyStart, n);
  return b.length === n ? b.slice() : b.slice();
}

/** The raw header block bytes of a part (for PR_TRANSPORT_MESSAGE_HEADERS). */
export async function readRawHeaders(src: ByteSource, part: MimePart): Promise<Uint8Array> {
  return (await src.read(part.start, part.headerEnd - part.start)).slice();
}
