/**
 * EML → MAPI items for the unanchored GXMT layout (gromox-eml2mt --mail --oneoff): one RFC 5322
 * message per file, mapped by worker/mime/oxcmail.ts, with the original bytes for the frame's
 * RFC 5322 field. Item-level by default: a file that cannot be converted is skipped with a finding;
 * `strict` stops the run at the first failure as gromox does (its emitter writes a broken empty
 * message there, reference §1.2). The shared helpers here serve mbox.ts too.
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';
import type { MessageContent } from '../mapi/types.ts';
import * as P from '../mapi/tags.ts';
import { mimeToMapi, type MailMapOptions } from '../mime/oxcmail.ts';

export interface MailConvertOptions {
  /** Windows code page for undeclared 8-bit text that is not UTF-8 (default 1252). */
  codepage?: number;
  /** gromox parity: the first item that cannot be converted ends the run (MailStrictError). */
  strict?: boolean;
  /** --decap=N: replace each message by the embedded message of its attachment N (1-based). */
  decap?: number;
  /** Clock for messages without a Date header (ms since 1970); default Date.now. */
  now?: () => number;
  /** Largest message read into memory for the RFC 5322 field, in bytes (default 1 GiB). */
  maxMessageBytes?: number;
}

export interface MailItem {
  content: MessageContent;
  /** Original message for the frame (absent when it holds NUL bytes, see nulFree). */
  rfc5322?: Uint8Array;
  /** `file` or `file#N` (mbox entry). */
  item: string;
}

/** Thrown in strict mode after the finding was reported. */
export class MailStrictError extends Error {
  constructor(readonly item: string, readonly reason: string) {
    super(`${item}: ${reason} (strict mode: the run stops here)`);
  }
}

const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** True if the bytes start with the OLE/CFB signature (an Outlook .msg, not RFC 5322). */
export function isOleFile(b: Uint8Array): boolean {
  return b.length >= 8 && OLE_SIGNATURE.every((x, i) => b[i] === x);
}

/**
 * The frame's RFC 5322 field is a NUL-terminated string (gxmt-format.md §1.7): gromox truncates a
 * message at its first NUL, which stores a cut-off original for IMAP. We leave the field empty
 * instead (gromox-import then builds the IMAP view from the MAPI properties) and say so.
 */
export function rfc5322Field(bytes: Uint8Array, item: string, onFinding: FindingSink): Uint8Array | undefined {
  if (bytes.indexOf(0) < 0) return bytes;
  onFinding({
    code: 'MIME-RFC5322-NUL',
    severity: 'warning',
    message: 'the message contains NUL bytes, which the MT stream cannot carry in its RFC 5322 field; the field is left empty',
    item,
  });
  return undefined;
}

/** Apply --decap=N: the embedded message of attachment N, or undefined. */
export function decapsulate(content: MessageContent, n: number): MessageContent | undefined {
  const a = content.attachments[n - 1];
  return a?.embedded;
}

/** Map one message held in `src` (whole source) and wrap it as an item, with findings. */
export async function convertMailMessage(
  src: ByteSource,
  bytes: Uint8Array,
  item: string,
  options: MailConvertOptions,
  onFinding: FindingSink,
): Promise<MailItem | undefined> {
  const fail = (code: string, message: string): undefined => {
    onFinding({ code, severity: 'error', message: `${message}; the item was skipped`, item });
    if (options.strict) throw new MailStrictError(item, message);
    return undefined;
  };
  if (isOleFile(bytes)) {
    return fail('MIME-OLE-MSG', 'this is an Outlook .msg file (OLE compound file), not an RFC 5322 message');
  }
  const mapOpts: MailMapOptions = { findings: onFinding, item, codepage: options.codepage, now: options.now };
  let content: MessageContent;
  try {
    content = await mimeToMapi(src, mapOpts);
  } catch (e) {
    if (e instanceof MailStrictError) throw e;
    return fail('MIME-CONVERT-FAILED', `the message could not be converted (${(e as Error).message})`);
  }
  if (options.decap !== undefined) {
    const inner = decapsulate(content, options.decap);
    if (!inner) return fail('MIME-DECAP', `attachment ${options.decap} is not an embedded message`);
    return { content: inner, item }; // the original text belongs to the outer message
  }
  return { content, rfc5322: rfc5322Field(bytes, item, onFinding), item };
}

/** One EML file → one item (or none, with a finding). */
export async function* emlItems(source: ByteSource, options: MailConvertOptions = {}, onFinding: FindingSink = () => {}): AsyncGenerator<MailItem> {
  const item = source.name ?? 'input.eml';
  const max = options.maxMessageBytes ?? 1 << 30;
  if (source.size > max) {
    onFinding({ code: 'MIME-TOO-LARGE', severity: 'error', message: `message of ${source.size} bytes is larger than the ${max}-byte limit; skipped`, item });
    if (options.strict) throw new MailStrictError(item, 'message too large');
    return;
  }
  if (source.size === 0) {
    onFinding({ code: 'MIME-EMPTY', severity: 'error', message: 'empty file; skipped', item });
    if (options.strict) throw new MailStrictError(item, 'empty file');
    return;
  }
  const bytes = (await source.read(0, source.size)).slice();
  const it = await convertMailMessage(source, bytes, item, options, onFinding);
  if (it) yield it;
}

/** Message class of an item (for -t trees). */
export const mailItemClass = (c: MessageContent): string => {
  const p = c.props.find((x) => x.tag === P.PR_MESSAGE_CLASS && !x.name);
  return typeof p?.value === 'string' ? p.value : '(no class)';
};
