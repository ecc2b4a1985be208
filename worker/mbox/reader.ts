/**
 * mbox splitter (RFC 4155; the mboxo/mboxrd family). The file is scanned in fixed windows through
 * the ByteSource, line by line, and only one message at a time is materialised — never the whole
 * mbox. Two rule sets:
 *
 * - `auto` (default, quirk 10 improved): a message starts at a `From ` line at the start of the
 *   file, right after a blank line, or anywhere when the line looks like an envelope (`From -`,
 *   `From addr@host`, or a time of day after the sender) — so prose such as "From here on" inside
 *   a body does not split; `>From `, `>>From `, … lines have one `>` removed (mboxrd unquoting,
 *   which is also the right undo for mboxo's single `>`).
 * - `gromox` (parity): after a message's header block any line starting with `From ` splits, and
 *   nothing is unquoted, as gromox-mbox2mt does (reference §1.2).
 *
 * In `auto` mode a Content-Length header (mboxcl/mboxcl2) is trusted when it ends exactly at the
 * next envelope line or the end of the file; the body it covers is taken verbatim (no splitting, no
 * unquoting). In both, leading blank lines are skipped, the envelope line is dropped, the blank line that
 * separates messages is not part of the message, and Alpine's `X-IMAP` pseudo message is dropped.
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';

export interface MboxOptions {
  mode?: 'auto' | 'gromox';
  findings?: FindingSink;
  /** Window size for scanning (default 1 MiB). */
  window?: number;
}

export interface MboxMessage {
  /** 1-based position in the mbox. */
  index: number;
  /** Offset of the envelope `From ` line. */
  offset: number;
  /** The envelope line without its line break. */
  envelope: string;
  /** The message text (envelope removed, quoting undone). */
  bytes: Uint8Array;
}

interface Pending {
  index: number;
  offset: number;
  envelope: string;
  start: number;
  /** Offsets of '>' bytes to remove (mboxrd unquoting). */
  unquote: number[];
  inHeader: boolean;
  /** Content-Length header value (mboxcl/mboxcl2), while in the header block. */
  contentLength?: number;
  /** Verified end of the body by Content-Length: lines before it are content, taken verbatim. */
  clEnd?: number;
}

const isFromLine = (b: Uint8Array, i: number, end: number) =>
  end - i >= 5 && b[i] === 0x46 && b[i + 1] === 0x72 && b[i + 2] === 0x6f && b[i + 3] === 0x6d && b[i + 4] === 0x20;

/** Iterate the messages of an mbox, one at a time. */
export async function* readMbox(src: ByteSource, opts: MboxOptions = {}): AsyncGenerator<MboxMessage> {
  const mode = opts.mode ?? 'auto';
  const W = opts.window ?? 1 << 20;
  let pos = 0;
  let midLine = false; // the window starts inside an over-long line
  let prevBlank = true; // start of file counts as "after a blank line"
  let sawContent = false;
  let cur: Pending | undefined;
  let index = 0;
  let lastLineStart = -1;
  let lastLineBlank = false;

  const finish = async (endOffset: number): Promise<MboxMessage | undefined> => {
    if (!cur) return undefined;
    let end = endOffset;
    const p = cur;
    cur = undefined;
    const raw = await src.read(p.start, Math.max(0, end - p.start));
    let bytes: Uint8Array;
    if (p.unquote.length === 0) bytes = raw.slice();
    else {
      bytes = new Uint8Array(raw.length - p.unquote.length);
      let o = 0;
      let from = 0;
      for (const q of p.unquote) {
        const k = q - p.start;
        bytes.set(raw.subarray(from, k), o);
        o += k - from;
        from = k + 1;
      }
      bytes.set(raw.subarray(from), o);
    }
    // the blank line separating messages belongs to the mbox, not to the message
    let n = bytes.length;
    if (n >= 2 && bytes[n - 1] === 0x0a && bytes[n - 2] === 0x0a) n--;
    else if (n >= 4 && bytes[n - 1] === 0x0a && bytes[n - 2] === 0x0d && bytes[n - 3] === 0x0a && bytes[n - 4] === 0x0d) n -= 2;
    bytes = bytes.subarray(0, n);
    if (isAlpinePseudo(bytes)) {
      opts.findings?.({ code: 'MBOX-PSEUDO-MESSAGE', severity: 'info', message: "Alpine's X-IMAP folder-state message was dropped", offset: p.offset, item: `#${p.index}` });
      return undefined;
    }
    return { index: p.index, offset: p.offset, envelope: p.envelope, bytes };
  };

  const MAX_LINE = Math.max(W, 64 * 1024);
  let want = W;
  while (pos < src.size) {
    const buf = await src.read(pos, want);
    if (buf.length === 0) break;
    const atEof = pos + buf.length >= src.size;
    if (!midLine && !atEof && buf.indexOf(0x0a) < 0 && want < MAX_LINE) {
      want = Math.min(MAX_LINE, want * 2); // a line longer than the window: read more of it
      continue;
    }
    want = W;
    let i = 0;
    if (midLine) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) {
        pos += buf.length;
        continue;
      }
      i = nl + 1;
      midLine = false;
      prevBlank = false;
    }
    while (i < buf.length) {
      let nl = buf.indexOf(0x0a, i);
      if (nl < 0) {
        if (!atEof) {
          if (i === 0) {
            // a line longer than the window: it is content; skip through it
            if (cur === undefined) {
              index++;
              cur = { index, offset: pos, envelope: '', start: pos, unquote: [], inHeader: true };
            }
            sawContent = true;
            midLine = true;
            prevBlank = false;
            i = buf.length;
          }
          break;
        }
        nl = buf.length; // last line without a break
      }
      const lineEnd = nl > i && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      const blank = lineEnd === i;
      const abs = pos + i;
      if (!sawContent) {
        if (blank) {
          i = nl + 1;
          continue;
        }
        sawContent = true;
      }
      const inClBody = cur?.clEnd !== undefined && abs < cur.clEnd;
      if (!inClBody && isFromLine(buf, i, lineEnd) && (cur === undefined || (mode === 'auto' ? prevBlank || cur.clEnd !== undefined || looksLikeEnvelope(buf, i, lineEnd) : !cur.inHeader))) {
        const done = await finish(abs);
        if (done) yield done;
        index++;
        cur = {
          index,
          offset: abs,
          envelope: new TextDecoder('latin1').decode(buf.subarray(i, lineEnd)),
          start: Math.min(src.size, pos + nl + 1),
          unquote: [],
          inHeader: true,
        };
      } else {
        if (cur === undefined) {
          // content before any envelope line: treat as a message without envelope
          index++;
          cur = { index, offset: abs, envelope: '', start: abs, unquote: [], inHeader: true };
          opts.findings?.({ code: 'MBOX-NO-ENVELOPE', severity: 'info', message: 'mbox does not start with a "From " line; its first message has no envelope', offset: abs, item: `#${index}` });
        }
        if (blank && cur.inHeader) {
          cur.inHeader = false;
          if (mode === 'auto' && cur.contentLength !== undefined) {
            // mboxcl2: a Content-Length that lands on the next envelope (or the end) is trusted
            const end = pos + nl + 1 + cur.contentLength;
            if (await envelopeAt(src, end)) cur.clEnd = end;
          }
        } else if (cur.inHeader && mode === 'auto' && (buf[i] === 0x43 || buf[i] === 0x63)) {
          const m = /^content-length:[ \t]*(\d{1,15})[ \t]*$/i.exec(new TextDecoder('latin1').decode(buf.subarray(i, Math.min(lineEnd, i + 64))));
          if (m) cur.contentLength = Number(m[1]);
        } else if (mode === 'auto' && !inClBody && buf[i] === 0x3e) {
          let j = i;
          while (j < lineEnd && buf[j] === 0x3e) j++;
          if (isFromLine(buf, j, lineEnd)) cur.unquote.push(abs);
        }
      }
      lastLineStart = abs;
      lastLineBlank = blank;
      prevBlank = blank;
      i = nl + 1;
    }
    pos += Math.max(1, Math.min(i, buf.length));
  }
  void lastLineStart;
  void lastLineBlank;
  const done = await finish(src.size);
  if (done) yield done;
}

/** True at the end of the source, or where (after at most one blank line) a `From ` line starts. */
async function envelopeAt(src: ByteSource, at: number): Promise<boolean> {
  if (at === src.size) return true;
  if (at > src.size) return false;
  const b = await src.read(at, 8);
  let k = 0;
  if (b[k] === 0x0d && b[k + 1] === 0x0a) k += 2;
  else if (b[k] === 0x0a) k += 1;
  return isFromLine(b, k, b.length) || (k === b.length && at + k === src.size);
}

/** An RFC 4155 From_ line: `From -`, `From user@host …`, or `From sender … hh:mm…`. */
function looksLikeEnvelope(b: Uint8Array, i: number, end: number): boolean {
  const line = new TextDecoder('latin1').decode(b.subarray(i, Math.min(end, i + 200)));
  const m = /^From (\S+)(.*)$/.exec(line);
  if (!m) return false;
  return m[1] === '-' || m[1]!.includes('@') || /\b\d{1,2}:\d{2}(:\d{2})?\b/.test(m[2]!);
}

function isAlpinePseudo(b: Uint8Array): boolean {
  // look for an "X-IMAP: " header in the header block
  const lim = Math.min(b.length, 64 * 1024);
  let i = 0;
  while (i < lim) {
    if (b[i] === 0x0a || (b[i] === 0x0d && b[i + 1] === 0x0a)) return false; // blank line: end of headers
    if ((b[i] === 0x58 || b[i] === 0x78) && (b[i + 1] === 0x2d) && /^x-imap: /i.test(String.fromCharCode(...b.subarray(i, i + 8)))) return true;
    const nl = b.indexOf(0x0a, i);
    if (nl < 0) return false;
    i = nl + 1;
  }
  return false;
}
