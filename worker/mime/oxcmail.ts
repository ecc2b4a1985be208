/**
 * Internet mail → MAPI message, the way gromox's oxcmail import does it (reference
 * mime-ical-vcard.md §2; [MS-OXCMAIL] 2.2.3 and 2.4): the header pass with "last one wins",
 * addresses as one-off recipients, the select_parts body choice, attachments from every leaf part
 * not used as a body, embedded message/rfc822, S/MIME passed through, TNEF winmail.dat merged,
 * DSN/MDN report classes. The reference's quirk table (§6) decides where we mirror gromox and where
 * we deliberately do better; each such place says "quirk N" and is named in the differential test.
 *
 * The mapper reads bodies from the MIME tree's byte ranges one part at a time; it never needs the
 * whole input as a string. Clock and Content-ID generation are injectable (quirk 11).
 */
import type { ByteSource } from '../io/byte-source.ts';
import { bytesSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';
import * as T from '../mapi/types.ts';
import type { AttachmentContent, MessageContent, Prop, PropValue } from '../mapi/types.ts';
import * as P from '../mapi/tags.ts';
import { encodeOneOffEntryId } from '../mapi/entryid.ts';
import { namedProp, type NamedDef, PidNameKeywords, PidLidTaskStatus, PidLidTaskComplete, PidLidPercentComplete } from '../mapi/named.ts';
import { parseMime, readRawBody, readRawHeaders, type MimePart } from './parser.ts';
import {
  decodeEncodedWords,
  getHeader,
  headerBytesToString,
  parseAddressList,
  parseParams,
  parseRfc5322Date,
  msToFiletime,
  type Mailbox,
} from './headers.ts';
import { decodeBase64, decodeQuotedPrintable, decodeUuencode } from './transfer.ts';
import { cpidForCharset, decodeBodyText, extensionForType, lcidForLanguage } from './charsets.ts';
import { codepageLabel } from '../text/codepage.ts';
import { readTnef } from '../tnef/reader.ts';
import { icalItems } from '../convert/ical.ts';
import { vcfItems } from '../convert/vcf.ts';

export interface MailMapOptions {
  findings?: FindingSink;
  /** Label for findings (file name, mbox entry). */
  item?: string;
  /** Clock for a missing Date (ms since 1970); default Date.now (quirk 11: inject it in tests). */
  now?: () => number;
  /** Code page for undeclared 8-bit text that is not UTF-8 (default 1252; quirk 9). */
  codepage?: number;
  /** Deepest message/rfc822 nesting turned into embedded messages (default 10). */
  maxEmbedDepth?: number;
  /** Content-ID generator for images merged into a joined HTML body (default deterministic). */
  contentId?: (n: number) => string;
}

const PS_INTERNET_HEADERS = T.PSETID.PS_INTERNET_HEADERS;
const hdrName = (name: string, type = T.PT_UNICODE): NamedDef => ({ guid: PS_INTERNET_HEADERS, name, type });
const C = T.PSETID.Common;
const PidLidSmartNoAttach: NamedDef = { guid: C, lid: 0x8514, type: T.PT_BOOLEAN };
const PidLidFlagRequest: NamedDef = { guid: C, lid: 0x8530, type: T.PT_UNICODE };
const PidLidToDoTitle: NamedDef = { guid: C, lid: 0x85a4, type: T.PT_UNICODE };
const PidLidInfoPathFormName: NamedDef = { guid: C, lid: 0x85b1, type: T.PT_UNICODE };
const PidLidClassified: NamedDef = { guid: C, lid: 0x85b5, type: T.PT_BOOLEAN };
const PidLidClassification: NamedDef = { guid: C, lid: 0x85b6, type: T.PT_UNICODE };
const PidLidClassificationDescription: NamedDef = { guid: C, lid: 0x85b7, type: T.PT_UNICODE };
const PidLidClassificationGuid: NamedDef = { guid: C, lid: 0x85b8, type: T.PT_UNICODE };
const PidLidClassificationKeep: NamedDef = { guid: C, lid: 0x85ba, type: T.PT_BOOLEAN };

/** Ordered property list where a later set replaces an earlier one in place. */
export class PropBag {
  readonly list: Prop[] = [];
  private index = new Map<string, number>();
  private key(tag: number, name?: T.PropertyName): string {
    return name ? `${name.guid}/${name.lid ?? ''}/${name.name ?? ''}` : `t${T.propId(tag)}`;
  }
  set(tag: number, value: PropValue): void {
    this.put({ tag, value });
  }
  setNamed(def: NamedDef, value: PropValue): void {
    this.put(namedProp(def, value));
  }
  put(p: Prop): void {
    const k = this.key(p.tag, p.name);
    const i = this.index.get(k);
    if (i !== undefined) this.list[i] = p;
    else {
      this.index.set(k, this.list.length);
      this.list.push(p);
    }
  }
  has(tag: number): boolean {
    return this.index.has(this.key(tag));
  }
  get(tag: number): PropValue | undefined {
    const i = this.index.get(this.key(tag));
    return i === undefined ? undefined : this.list[i]!.value;
  }
  delete(tag: number): void {
    const k = this.key(tag);
    const i = this.index.get(k);
    if (i === undefined) return;
    this.list.splice(i, 1);
    this.index = new Map();
    this.list.forEach((p, j) => this.index.set(this.key(p.tag, p.name), j));
  }
}

const asciiUpper = (s: string) => s.replace(/[a-z]/g, (c) => c.toUpperCase());
const utf8 = new TextEncoder();

/** PR_SEARCH_KEY of an SMTP address: "SMTP:ADDRESS" upper-cased, NUL included (reference §2.3). */
export function smtpSearchKey(address: string): Uint8Array {
  const b = utf8.encode('SMTP:' + asciiUpper(address));
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/** The sender-style property group for one mailbox. */
function addressGroup(
  mb: Mailbox,
  tags: { name: number; addrtype: number; email: number; smtp: number; searchKey: number; entryid: number },
): Prop[] {
  const display = mb.name || mb.address;
  return [
    { tag: tags.name, value: display },
    { tag: tags.addrtype, value: 'SMTP' },
    { tag: tags.email, value: mb.address },
    { tag: tags.smtp, value: mb.address },
    { tag: tags.searchKey, value: smtpSearchKey(mb.address) },
    { tag: tags.entryid, value: encodeOneOffEntryId(display, 'SMTP', mb.address) },
  ];
}

const SENT_REPR = {
  name: P.PR_SENT_REPRESENTING_NAME, addrtype: P.PR_SENT_REPRESENTING_ADDRTYPE, email: P.PR_SENT_REPRESENTING_EMAIL_ADDRESS,
  smtp: P.PR_SENT_REPRESENTING_SMTP_ADDRESS, searchKey: P.PR_SENT_REPRESENTING_SEARCH_KEY, entryid: P.PR_SENT_REPRESENTING_ENTRYID,
};
const SENDER = {
  name: P.PR_SENDER_NAME, addrtype: P.PR_SENDER_ADDRTYPE, email: P.PR_SENDER_EMAIL_ADDRESS,
  smtp: P.PR_SENDER_SMTP_ADDRESS, searchKey: P.PR_SENDER_SEARCH_KEY, entryid: P.PR_SENDER_ENTRYID,
};
const READ_RCPT = {
  name: P.PR_READ_RECEIPT_NAME, addrtype: P.PR_READ_RECEIPT_ADDRTYPE, email: P.PR_READ_RECEIPT_EMAIL_ADDRESS,
  smtp: P.PR_READ_RECEIPT_SMTP_ADDRESS, searchKey: P.PR_READ_RECEIPT_SEARCH_KEY, entryid: P.PR_READ_RECEIPT_ENTRYID,
};

/** One recipient row ([MS-OXCMSG] 2.2.3; reference §2.3 for the set gromox writes). */
export function recipientRow(mb: Mailbox, type: number): Prop[] {
  const display = mb.name || mb.address;
  const eid = encodeOneOffEntryId(display, 'SMTP', mb.address);
  return [
    { tag: P.PR_DISPLAY_NAME, value: display },
    { tag: P.PR_TRANSMITABLE_DISPLAY_NAME, value: display },
    { tag: P.PR_ADDRTYPE, value: 'SMTP' },
    { tag: P.PR_EMAIL_ADDRESS, value: mb.address },
    { tag: P.PR_SMTP_ADDRESS, value: mb.address },
    { tag: P.PR_SEARCH_KEY, value: smtpSearchKey(mb.address) },
    { tag: P.PR_ENTRYID, value: eid },
    { tag: P.PR_RECIPIENT_ENTRYID, value: eid },
    { tag: P.PR_RECORD_KEY, value: eid },
    { tag: P.PR_OBJECT_TYPE, value: 6 },
    { tag: P.PR_DISPLAY_TYPE, value: 0 },
    { tag: P.PR_RESPONSIBILITY, value: true },
    { tag: P.PR_RECIPIENT_FLAGS, value: 1 },
    { tag: P.PR_RECIPIENT_TYPE, value: type },
  ];
}

/** [MS-OXCDATA] 2.3.3 FlatEntryList of one-off entry IDs, each padded to 4 bytes. */
function flatEntryList(entries: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const e of entries) size += 4 + e.length + ((4 - (e.length % 4)) % 4);
  const out = new Uint8Array(8 + size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, entries.length, true);
  dv.setUint32(4, size, true);
  let at = 8;
  for (const e of entries) {
    dv.setUint32(at, e.length, true);
    out.set(e, at + 4);
    at += 4 + e.length + ((4 - (e.length % 4)) % 4);
  }
  return out;
}

const IMAGE_INLINE = new Set(['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/gif', 'image/bmp', 'image/png', 'image/x-png']);

interface Selection {
  plain?: MimePart;
  html: MimePart[];
  join: MimePart[];
  enriched?: MimePart;
  calendar?: MimePart;
}

const isAttachmentish = (p: MimePart) => p.disposition !== '' && p.disposition !== 'inline';

/** gromox select_parts (reference §2.4): which parts make the body. */
function selectParts(part: MimePart, depth: number): Selection {
  const sel: Selection = { html: [], join: [] };
  if (isAttachmentish(part)) return sel;
  if (part.children.length > 0) {
    if (depth >= 10) return sel;
    if (part.type === 'multipart/alternative') {
      for (const c of part.children) {
        const s = selectParts(c, depth + 1);
        if (s.plain) sel.plain = s.plain;
        if (s.html.length) {
          sel.html = s.html;
          sel.join = s.join;
        }
        if (s.enriched) sel.enriched = s.enriched;
        if (s.calendar) sel.calendar = s.calendar;
      }
    } else {
      let first = true;
      let joining = false;
      for (const c of part.children) {
        const s = selectParts(c, depth + 1);
        sel.plain ??= s.plain;
        sel.enriched ??= s.enriched;
        sel.calendar ??= s.calendar;
        if (isAttachmentish(c)) continue;
        if (first) {
          first = false;
          if (s.html.length) {
            joining = true;
            sel.html.push(...s.html);
            sel.join.push(...s.join);
          }
        } else if (joining) {
          sel.html.push(...s.html);
          sel.join.push(...s.join.filter((p) => p.type !== 'text/plain')); // later children: HTML and images
        }
      }
    }
    return sel;
  }
  switch (part.type) {
    case 'text/plain':
      sel.plain = part;
      sel.join.push(part);
      break;
    case 'text/html':
      sel.html.push(part);
      sel.join.push(part);
      break;
    case 'text/enriched':
      sel.enriched = part;
      break;
    case 'text/calendar':
      sel.calendar = part;
      break;
    default:
      if (part.type.startsWith('image/')) sel.join.push(part);
  }
  return sel;
}

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** gromox's text→HTML wrapper, byte for byte (reference §2.4, "no PR_HTML but PR_BODY"). */
export function textToHtml(text: string): string {
  return (
    '<html><head><meta name="Generator" content="gromox-texttohtml">\r\n</head>\r\n<body>\r\n<pre>' +
    htmlEscape(text) +
    '</pre>\r\n</body>\r\n</html>'
  );
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', euro: '€', hellip: '…', mdash: '—', ndash: '–', laquo: '«', raquo: '»', shy: '\u00ad' };

/** A small HTML→text renderer for PR_BODY when a mail has only HTML (gromox uses its own). */
export function htmlToText(html: string): string {
  // Like gromox's renderer: text keeps its own line breaks and spacing; <br> and block ends become
  // CRLF and swallow the source line break right after them; the title is text like any other.
  let s = html.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '');
  s = s.replace(/<br\s*\/?>\r?\n?/gi, '\r\n');
  s = s.replace(/<\/(p|div|h[1-6]|tr|li|blockquote|pre|table)\s*>\r?\n?/gi, '\r\n');
  s = s.replace(/<(p|div|h[1-6]|tr|table|blockquote)\b[^>]*>\r?\n?/gi, '');
  s = s.replace(/<li\b[^>]*>/gi, '* ');
  s = s.replace(/<\/t[dh]\s*>/gi, '\t');
  s = s.replace(/<[^>]*>/g, '');
  s = s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
  return s.replace(/^\s+/, '');
}

/** Subject split into prefix and normalized subject (reference §2.2, Subject row). */
export function splitSubject(subject: string): { prefix: string; normalized: string } {
  const m = /^([^:\s\d][^:\s]{0,2}): /.exec(subject);
  if (m) return { prefix: m[0], normalized: subject.slice(m[0].length) };
  return { prefix: '', normalized: subject };
}

const clip255 = (s: string) => (s.length > 255 ? s.slice(0, 255) : s);

function sanitizeFileName(n: string): string {
  let s = n.replace(/["/:<>|\\\x00-\x1f]/g, '_');
  s = s.replace(/^\.+/, '').replace(/\.+$/, '');
  return s;
}

/** Strip `<>` around a Content-ID. */
const bareId = (s: string) => s.trim().replace(/^<(.*)>$/, '$1');

interface Ctx {
  src: ByteSource;
  opts: MailMapOptions;
  depth: number;
  submitTime: bigint;
  attachCounter: number;
  cidCounter: number;
  /** Messages from a text/calendar body part, if it converted. */
  calendar?: MessageContent[];
}

/** Decode a leaf part's body by its Content-Transfer-Encoding. */
export async function decodePartBody(src: ByteSource, part: MimePart, opts: MailMapOptions = {}): Promise<Uint8Array> {
  const raw = await readRawBody(src, part);
  switch (part.encoding) {
    case 'base64': {
      const stats = { invalid: 0 };
      const out = decodeBase64(raw, stats);
      if (stats.invalid > 0) {
        opts.findings?.({ code: 'MIME-BAD-BASE64', severity: 'warning', message: `base64 body has ${stats.invalid} bytes outside the alphabet; they were skipped`, offset: part.bodyStart, item: opts.item });
      }
      return out;
    }
    case 'quoted-printable':
      return decodeQuotedPrintable(raw);
    case 'x-uuencode':
    case 'x-uue':
    case 'uuencode':
      return decodeUuencode(raw).data;
    default:
      return raw;
  }
}

/** Parse and map one RFC 5322 message in [start, end) of `src`. */
export async function mimeToMapi(src: ByteSource, opts: MailMapOptions = {}, start = 0, end = src.size): Promise<MessageContent> {
  // one clock reading per message, so embedded messages without Date share the outer one's time
  let t: number | undefined;
  const now = opts.now ?? Date.now;
  return mapMessage(src, { ...opts, now: () => (t ??= now()) }, start, end, 0);
}

async function mapMessage(src: ByteSource, opts: MailMapOptions, start: number, end: number, depth: number): Promise<MessageContent> {
  const fallbackCharset = codepageLabel(opts.codepage ?? 1252) ?? 'windows-1252';
  if (depth > 0) start = await skipBlankLines(src, start, end); // digest parts: blank line, then the message
  const root = await parseMime(src, { findings: opts.findings, item: opts.item, fallbackCharset }, start, end);
  const bag = new PropBag();
  const recipients: Prop[][] = [];
  const ctx: Ctx = { src, opts, depth, submitTime: 0n, attachCounter: 0, cidCounter: 0 };
  const now = opts.now ?? Date.now;

  // ---- header pass (reference §2.2), file order, last one wins ----
  let haveDate = false;
  let deliveryTime: bigint | undefined;
  let xMessageFlag: string | undefined;
  let classified = false;
  const classHeaders: Record<string, string> = {};
  let contentClass: string | undefined;
  for (const f of root.fields) {
    const lname = f.name.toLowerCase();
    const v = f.value;
    switch (lname) {
      case 'from': {
        const mb = parseAddressList(v).find((m) => m.address);
        if (mb) for (const p of addressGroup(mb, SENT_REPR)) bag.put(p);
        break;
      }
      case 'sender': {
        const mb = parseAddressList(v).find((m) => m.address);
        if (mb) for (const p of addressGroup(mb, SENDER)) bag.put(p);
        break;
      }
      case 'to':
      case 'cc':
      case 'bcc': {
        const type = lname === 'to' ? 1 : lname === 'cc' ? 2 : 3;
        for (const mb of parseAddressList(v)) if (mb.address) recipients.push(recipientRow(mb, type));
        break;
      }
      case 'reply-to': {
        const list = parseAddressList(v).filter((m) => m.address || m.name);
        if (list.length) {
          bag.set(P.PR_REPLY_RECIPIENT_ENTRIES, flatEntryList(list.map((m) => encodeOneOffEntryId(m.name, 'SMTP', m.address))));
          bag.set(P.PR_REPLY_RECIPIENT_NAMES, list.map((m) => (m.name || m.address).replace(/;/g, '')).join(';'));
        }
        break;
      }
      case 'return-receipt-to':
        bag.set(P.PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED, true);
        break;
      case 'disposition-notification-to': {
        bag.set(P.PR_READ_RECEIPT_REQUESTED, true);
        bag.set(P.PR_NON_RECEIPT_NOTIFICATION_REQUESTED, true);
        const mb = parseAddressList(v).find((m) => m.address);
        if (mb) for (const p of addressGroup(mb, READ_RCPT)) bag.put(p);
        break;
      }
      case 'message-id':
        bag.set(P.PR_INTERNET_MESSAGE_ID, v.trim());
        break;
      case 'references':
        bag.set(P.PR_INTERNET_REFERENCES, v.trim());
        break;
      case 'in-reply-to':
        bag.set(P.PR_IN_REPLY_TO_ID, v.trim());
        break;
      case 'date': {
        const ms = parseRfc5322Date(v);
        if (ms !== undefined) {
          bag.set(P.PR_CLIENT_SUBMIT_TIME, msToFiletime(ms));
          haveDate = true;
        } else {
          opts.findings?.({ code: 'MIME-BAD-DATE', severity: 'info', message: `unparseable Date header "${v.slice(0, 80)}"`, item: opts.item });
        }
        break;
      }
      case 'subject': {
        if (v.trim() === '') break; // gromox sets no subject for an empty field
        const subj = clip255(decodeEncodedWords(v).replace(/[\r\n]/g, ''));
        const { prefix, normalized } = splitSubject(subj);
        bag.set(P.PR_SUBJECT, subj);
        bag.set(P.PR_SUBJECT_PREFIX, prefix);
        bag.set(P.PR_NORMALIZED_SUBJECT, normalized);
        break;
      }
      case 'thread-topic':
        bag.set(P.PR_CONVERSATION_TOPIC, decodeEncodedWords(v));
        break;
      case 'thread-index': {
        const b = decodeBase64(utf8.encode(v));
        if (b.length) bag.set(P.PR_CONVERSATION_INDEX, b);
        break;
      }
      case 'sensitivity': {
        const t = v.trim().toLowerCase();
        bag.set(P.PR_SENSITIVITY, t === 'personal' ? 1 : t === 'private' ? 2 : t === 'company-confidential' ? 3 : 0);
        break;
      }
      case 'importance':
      case 'x-msmail-priority': {
        const t = v.trim().toLowerCase();
        bag.set(P.PR_IMPORTANCE, t === 'low' ? 0 : t === 'high' ? 2 : 1);
        break;
      }
      case 'priority': {
        const t = v.trim().toLowerCase();
        bag.set(P.PR_IMPORTANCE, t === 'non-urgent' ? 0 : t === 'urgent' ? 2 : 1);
        break;
      }
      case 'x-priority': {
        const c = v.trim()[0];
        bag.set(P.PR_IMPORTANCE, c === '1' || c === '2' ? 2 : c === '4' || c === '5' ? 0 : 1);
        break;
      }
      case 'reply-by': {
        const ms = parseRfc5322Date(v);
        if (ms !== undefined) bag.set(P.PR_REPLY_TIME, msToFiletime(ms));
        break;
      }
      case 'expires':
      case 'expiry-date': {
        const ms = parseRfc5322Date(v);
        if (ms !== undefined) bag.set(P.PR_EXPIRY_TIME, msToFiletime(ms));
        break;
      }
      case 'content-language': {
        const l = lcidForLanguage(v);
        if (l !== undefined) bag.set(P.PR_MESSAGE_LOCALE_ID, l);
        break;
      }
      case 'accept-language':
      case 'x-accept-language':
        bag.setNamed(hdrName('Accept-Language'), v);
        break;
      case 'keywords':
        bag.setNamed(PidNameKeywords, v.split(/[,;]/).map((k) => k.replace(/^\s+/, '')).filter((k) => k.length > 0));
        break;
      case 'x-auto-response-suppress': {
        let mask = 0;
        for (const tok of v.split(/[,\s]+/)) {
          const t = tok.toLowerCase();
          if (t === 'dr') mask |= 0x01;
          else if (t === 'ndr') mask |= 0x02;
          else if (t === 'rn') mask |= 0x04;
          else if (t === 'nrn') mask |= 0x08;
          else if (t === 'oof') mask |= 0x10;
          else if (t === 'autoreply') mask |= 0x20;
          else if (t === 'all') mask = 0xffffffff;
          else if (t === 'none') mask = 0;
        }
        bag.set(P.PR_AUTO_RESPONSE_SUPPRESS, mask >>> 0);
        break;
      }
      case 'auto-submitted':
        if (v.trim().toLowerCase() !== 'no' && !bag.has(P.PR_AUTO_RESPONSE_SUPPRESS)) bag.set(P.PR_AUTO_RESPONSE_SUPPRESS, 0x30);
        break;
      case 'precedence':
        bag.set(P.PR_INTERNET_PRECEDENCE, v.trim());
        break;
      case 'content-class':
        contentClass = v.trim();
        break;
      case 'x-message-flag':
        xMessageFlag = v;
        break;
      case 'list-help':
      case 'x-list-help':
        bag.set(P.PR_LIST_HELP, v.trim());
        break;
      case 'list-subscribe':
      case 'x-list-subscribe':
        bag.set(P.PR_LIST_SUBSCRIBE, v.trim());
        break;
      case 'list-unsubscribe':
      case 'x-list-unsubscribe':
        bag.set(P.PR_LIST_UNSUBSCRIBE, v.trim());
        break;
      case 'x-payload-class':
        bag.set(P.PR_ATTACH_PAYLOAD_CLASS, v.trim());
        break;
      case 'x-ms-exchange-organization-prd':
        bag.set(P.PR_PURPORTED_SENDER_DOMAIN, v.trim());
        break;
      case 'x-ms-exchange-organization-senderidresult': {
        const t = v.trim().toLowerCase();
        const map: Record<string, number> = { neutral: 1, pass: 2, fail: 3, softfail: 4, none: 5, temperror: 0x80000006, permerror: 0x80000007 };
        if (map[t] !== undefined) bag.set(P.PR_SENDER_ID_STATUS, map[t]!);
        break;
      }
      case 'x-ms-exchange-organization-scl': {
        const n = parseInt(v.trim(), 10);
        if (!Number.isNaN(n)) bag.set(P.PR_CONTENT_FILTER_SCL, n >>> 0);
        break;
      }
      case 'x-microsoft-classified':
        classified = true;
        break;
      case 'x-microsoft-classkeep':
      case 'x-microsoft-classification':
      case 'x-microsoft-classdesc':
      case 'x-microsoft-classid':
        classHeaders[lname] = v.trim();
        break;
      case 'content-id':
        bag.set(P.PR_BODY_CONTENT_ID, bareId(v));
        break;
      case 'content-location':
        bag.set(P.PR_BODY_CONTENT_LOCATION, v.trim());
        break;
      case 'content-base':
        bag.setNamed(hdrName('Content-Base'), v.trim());
        break;
      case 'x-mailer':
      case 'user-agent':
      case 'x-ms-exchange-organization-authas':
      case 'x-ms-exchange-organization-authdomain':
      case 'x-ms-exchange-organization-authmechanism':
      case 'x-ms-exchange-organization-authsource':
        bag.setNamed(hdrName(f.name), v);
        break;
      case 'received':
        if (deliveryTime === undefined) {
          const semi = v.lastIndexOf(';');
          if (semi >= 0) {
            const ms = parseRfc5322Date(v.slice(semi + 1));
            if (ms !== undefined) deliveryTime = msToFiletime(ms);
          }
        }
        break;
    }
  }
  if (deliveryTime !== undefined) bag.set(P.PR_MESSAGE_DELIVERY_TIME, deliveryTime);
  if (classified) {
    bag.setNamed(PidLidClassified, true);
    const keep = classHeaders['x-microsoft-classkeep']?.toLowerCase();
    if (keep === 'true' || keep === 'false') bag.setNamed(PidLidClassificationKeep, keep === 'true');
    if (classHeaders['x-microsoft-classification']) bag.setNamed(PidLidClassification, classHeaders['x-microsoft-classification']);
    if (classHeaders['x-microsoft-classdesc']) bag.setNamed(PidLidClassificationDescription, classHeaders['x-microsoft-classdesc']);
    if (classHeaders['x-microsoft-classid']) bag.setNamed(PidLidClassificationGuid, classHeaders['x-microsoft-classid']);
  }

  // sender ↔ representing (reference §2.2, "after all headers")
  const hasSender = bag.has(P.PR_SENDER_NAME) || bag.has(P.PR_SENDER_SMTP_ADDRESS);
  const hasRepr = bag.has(P.PR_SENT_REPRESENTING_NAME) || bag.has(P.PR_SENT_REPRESENTING_SMTP_ADDRESS);
  const groups: [typeof SENDER, typeof SENDER][] = [];
  if (!hasSender && hasRepr) groups.push([SENT_REPR, SENDER]);
  else if (hasSender && !hasRepr) groups.push([SENDER, SENT_REPR]);
  for (const [from, to] of groups) {
    for (const k of ['name', 'addrtype', 'email', 'smtp', 'searchKey', 'entryid'] as const) {
      const val = bag.get(from[k]);
      if (val !== undefined) bag.set(to[k], val);
    }
  }

  // defaults
  if (!bag.has(P.PR_MESSAGE_CLASS)) bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note');
  if (!bag.has(P.PR_IMPORTANCE)) bag.set(P.PR_IMPORTANCE, 1);
  if (!bag.has(P.PR_SENSITIVITY)) bag.set(P.PR_SENSITIVITY, 0);
  if (root.hasHeaders) {
    const hdr = await readRawHeaders(src, root);
    const text = headerBytesToString(hdr, fallbackCharset) + '\r\n';
    bag.set(P.PR_TRANSPORT_MESSAGE_HEADERS, text);
  }
  if (!haveDate) bag.set(P.PR_CLIENT_SUBMIT_TIME, msToFiletime(now()));
  ctx.submitTime = bag.get(P.PR_CLIENT_SUBMIT_TIME) as bigint;
  bag.set(P.PR_CREATION_TIME, ctx.submitTime);

  if (xMessageFlag !== undefined) {
    bag.setNamed(PidLidFlagRequest, xMessageFlag);
    bag.set(P.PR_FLAG_STATUS, 2);
    bag.setNamed(PidLidTaskStatus, 0);
    bag.setNamed(PidLidTaskComplete, false);
    bag.setNamed(PidLidPercentComplete, 0);
    bag.set(P.PR_TODO_ITEM_FLAGS, 8);
    // quirk 6: gromox writes the subject into a second PidLidFlagRequest; it is PidLidToDoTitle
    const subj = bag.get(P.PR_SUBJECT);
    if (typeof subj === 'string') bag.setNamed(PidLidToDoTitle, subj);
  }

  const attachments: AttachmentContent[] = [];
  const top = root.type;

  // ---- special structures (reference §2.7) ----
  const protocol = (root.params['protocol'] ?? '').toLowerCase();
  if (top === 'multipart/signed' && (protocol === 'application/pkcs7-signature' || protocol === 'application/x-pkcs7-signature')) {
    bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.SMIME.MultipartSigned');
    const signed = root.children[0];
    if (signed) await applyBody(ctx, bag, selectParts(signed, 1), new Set());
    // the outer Content-Type, with the whitespace around '=' and ';' tidied as gromox writes it
    const ct = (getHeader(root.fields, 'content-type') ?? '').replace(/\s*=\s*/g, '=').replace(/\s*;\s*/g, '; ');
    const body = (await src.read(root.bodyStart, end - root.bodyStart)).slice();
    const head = utf8.encode('Content-Type: ' + ct + '\r\n\r\n');
    const data = new Uint8Array(head.length + body.length);
    data.set(head);
    data.set(body, head.length);
    attachments.push({
      props: [
        { tag: P.PR_ATTACH_DATA_BIN, value: data },
        { tag: P.PR_ATTACH_METHOD, value: P.ATTACH_BY_VALUE },
        { tag: P.PR_ATTACH_MIME_TAG, value: 'multipart/signed' },
        { tag: P.PR_ATTACH_EXTENSION, value: '.p7m' },
        { tag: P.PR_ATTACH_FILENAME, value: 'SMIME.p7m' },
        { tag: P.PR_ATTACH_LONG_FILENAME, value: 'SMIME.p7m' },
        { tag: P.PR_DISPLAY_NAME, value: 'SMIME.p7m' },
      ],
    });
    finishBody(bag);
    return { props: bag.list, recipients, attachments };
  }
  if (top === 'application/pkcs7-mime' || top === 'application/x-pkcs7-mime') {
    bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.SMIME');
    bag.setNamed(hdrName('Content-Type'), getHeader(root.fields, 'content-type') ?? top);
    attachments.push({
      props: [
        { tag: P.PR_ATTACH_DATA_BIN, value: await decodePartBody(src, root, opts) },
        { tag: P.PR_ATTACH_METHOD, value: P.ATTACH_BY_VALUE },
        { tag: P.PR_ATTACH_MIME_TAG, value: top },
        { tag: P.PR_ATTACH_EXTENSION, value: '.p7m' },
        { tag: P.PR_ATTACH_FILENAME, value: 'SMIME.p7m' },
        { tag: P.PR_ATTACH_LONG_FILENAME, value: 'SMIME.p7m' },
        { tag: P.PR_DISPLAY_NAME, value: 'SMIME.p7m' },
      ],
    });
    return { props: bag.list, recipients, attachments };
  }

  // TNEF: top-level application/ms-tnef, or mixed{text/plain, application/ms-tnef}
  let tnefPart: MimePart | undefined;
  let tnefPlain: MimePart | undefined;
  if (top === 'application/ms-tnef') tnefPart = root;
  else if (top === 'multipart/mixed' && root.children.length === 2 && root.children[0]!.type === 'text/plain' && root.children[1]!.type === 'application/ms-tnef') {
    tnefPlain = root.children[0];
    tnefPart = root.children[1];
  }
  if (tnefPart) {
    const data = await decodePartBody(src, tnefPart, opts);
    const tn = readTnef(data, { findings: opts.findings, item: opts.item, codepage: opts.codepage });
    if (tn) {
      if (tnefPlain) await applyBody(ctx, bag, { plain: tnefPlain, html: [], join: [] }, new Set());
      const merged = new PropBag();
      for (const p of tn.props) merged.put(p);
      for (const p of bag.list) {
        if (p.name) {
          // named: keep the TNEF's when present
          if (!tn.props.some((q) => q.name && q.name.guid === p.name!.guid && q.name.lid === p.name!.lid && q.name.name === p.name!.name)) merged.put(p);
        } else if (!tn.props.some((q) => !q.name && T.propId(q.tag) === T.propId(p.tag))) merged.put(p);
      }
      return { props: merged.list, recipients, attachments: tn.attachments };
    }
    opts.findings?.({ code: 'MIME-BAD-TNEF', severity: 'warning', message: 'winmail.dat could not be decoded; it is kept as an ordinary attachment', offset: tnefPart.bodyStart, item: opts.item });
  }

  // message class from Content-Class (reference §2.2)
  if (contentClass !== undefined) applyContentClass(bag, contentClass, root);

  // reports (reference §2.7 DSN/MDN)
  if (top === 'multipart/report') await applyReport(ctx, bag, root, recipients);
  else if (top === 'message/disposition-notification') await applyMdn(ctx, bag, root, root);

  // ---- body and attachments ----
  const sel = selectParts(root, 0);
  const used = new Set<MimePart>();
  if (top === 'multipart/report') {
    // the machine-readable report part is consumed by the report mapping, not attached
    for (const c of root.children) if (c.type === 'message/delivery-status' || c.type === 'message/disposition-notification') used.add(c);
  }
  await applyBody(ctx, bag, sel, used);
  await collectAttachments(ctx, root, undefined, used, attachments);
  if (attachments.length > 0 && attachments.every((a) => a.props.some((p) => (p.tag === P.PR_ATTACH_FLAGS && ((p.value as number) & 4) !== 0) || (p.tag === P.PR_ATTACHMENT_HIDDEN && p.value === true)))) {
    bag.setNamed(PidLidSmartNoAttach, true);
  }
  const cal = ctx.calendar;
  if (cal && cal.length === 1 && cal[0]!.props.some((p) => p.tag === P.PR_MESSAGE_CLASS && !p.name)) {
    // the calendar object replaces the note and takes every mail property it lacks
    const c = cal[0]!;
    const merged = new PropBag();
    for (const p of c.props) merged.put(p);
    const has = (p: Prop) => c.props.some((q) => (p.name ? q.name && q.name.guid === p.name.guid && q.name.lid === p.name.lid && q.name.name === p.name.name : !q.name && T.propId(q.tag) === T.propId(p.tag)));
    for (const p of bag.list) if (!has(p) && !merged.has(p.tag)) merged.put(p);
    finishBody(merged);
    return { props: merged.list, recipients: c.recipients.length ? c.recipients : recipients, attachments: [...c.attachments, ...attachments] };
  }
  finishBody(bag);
  if (cal && cal.length > 0) {
    for (const c of cal) attachments.push({ props: [{ tag: P.PR_ATTACH_METHOD, value: P.ATTACH_EMBEDDED_MSG }, { tag: P.PR_ATTACH_MIME_TAG, value: 'text/calendar' }], embedded: c });
  }
  return { props: bag.list, recipients, attachments };
}

async function skipBlankLines(src: ByteSource, start: number, end: number): Promise<number> {
  const head = await src.read(start, Math.min(end - start, 4096));
  let i = 0;
  for (;;) {
    if (head[i] === 0x0a) i++;
    else if (head[i] === 0x0d && head[i + 1] === 0x0a) i += 2;
    else break;
  }
  return i < head.length ? start + i : start;
}

function applyContentClass(bag: PropBag, cc: string, root: MimePart): void {
  const l = cc.toLowerCase();
  const audio = ['audio/gsm', 'audio/mp3', 'audio/wav', 'audio/wma'];
  const topAudio = audio.includes(root.type) || (root.children.length > 0 && audio.includes(root.children[root.children.length - 1]!.type));
  if (l === 'fax') {
    if (root.type === 'multipart/mixed' && root.children.length === 2 && root.children[0]!.type === 'text/html' && root.children[1]!.type === 'image/tiff') bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.Microsoft.Fax');
  } else if (l === 'fax-ca') bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.Microsoft.Fax.CA');
  else if (l === 'missedcall' && topAudio) bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.Microsoft.Missed.Voice');
  else if (l === 'voice-uc' && topAudio) bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.Microsoft.Conversation.Voice');
  else if (l === 'voice-ca' && topAudio) bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.Microsoft.Voicemail.UM.CA');
  else if (l === 'voice' && topAudio) bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.Microsoft.Voicemail.UM');
  else if (l.startsWith('urn:content-class:custom.')) bag.set(P.PR_MESSAGE_CLASS, 'IPM.Note.Custom.' + cc.slice('urn:content-class:custom.'.length));
  else if (l.startsWith('infopathform.')) {
    const rest = cc.slice('InfoPathForm.'.length);
    const dot = rest.indexOf('.');
    bag.set(P.PR_MESSAGE_CLASS, 'IPM.InfoPathForm.' + (dot >= 0 ? rest.slice(0, dot) : rest));
    bag.setNamed(PidLidInfoPathFormName, rest.slice(0, dot >= 0 ? dot : undefined));
  } else if (!['fax', 'missedcall', 'voice-uc', 'voice-ca', 'voice'].includes(l)) bag.setNamed(hdrName('Content-Class'), cc);
}

/** Body properties from a selection (reference §2.4 "Using the result"). */
async function applyBody(ctx: Ctx, bag: PropBag, sel: Selection, used: Set<MimePart>): Promise<void> {
  const cp = ctx.opts.codepage ?? 1252;
  if (sel.plain) {
    used.add(sel.plain);
    const bytes = await decodePartBody(ctx.src, sel.plain, ctx.opts);
    const r = decodeBodyText(bytes, sel.plain.params['charset'], cp);
    if (r.fallback) charsetFinding(ctx, sel.plain);
    bag.set(P.PR_BODY, stripNul(r.text));
  }
  if (sel.html.length === 1) {
    const h = sel.html[0]!;
    used.add(h);
    bag.set(P.PR_HTML, await decodePartBody(ctx.src, h, ctx.opts));
    bag.set(P.PR_INTERNET_CPID, cpidForCharset(h.params['charset']));
  } else if (sel.html.length > 1) {
    let html = '<html><body>';
    for (const p of sel.join) {
      if (p.type === 'text/html') {
        used.add(p);
        const t = decodeBodyText(await decodePartBody(ctx.src, p, ctx.opts), p.params['charset'], cp).text;
        const m = /<body\b[^>]*>([\s\S]*?)(<\/body\s*>|$)/i.exec(t);
        html += '<div>' + (m ? m[1]! : t).replace(/<meta\s+http-equiv\s*=\s*["']?content-type["']?[^>]*>/gi, '') + '</div>';
      } else if (p.type === 'text/plain') {
        used.add(p);
        html += '<pre>' + htmlEscape(decodeBodyText(await decodePartBody(ctx.src, p, ctx.opts), p.params['charset'], cp).text) + '</pre>';
      } else if (/^image\/(jpeg|jpg|pjpeg|png|x-png|gif|bmp)$/.test(p.type)) {
        let cid = getHeader(p.fields, 'content-id');
        if (!cid) {
          cid = (ctx.opts.contentId ?? ((n) => `part${n}.mailferry@localhost`))(++ctx.cidCounter);
          generatedCids.set(p, cid);
        }
        html += '<div><img src="cid:' + htmlEscape(bareId(cid)) + '"></div>';
      }
    }
    html += '</body></html>';
    bag.set(P.PR_HTML, utf8.encode(html));
    bag.set(P.PR_INTERNET_CPID, 65001);
  } else if (sel.enriched) {
    used.add(sel.enriched);
    const t = decodeBodyText(await decodePartBody(ctx.src, sel.enriched, ctx.opts), sel.enriched.params['charset'], cp).text;
    bag.set(P.PR_HTML, utf8.encode(enrichedToHtml(t)));
    bag.set(P.PR_INTERNET_CPID, 65001);
  }
  if (sel.calendar) {
    // gromox hands the calendar part to its iCal importer (reference §2.7 "Embedded iCalendar")
    const cal = sel.calendar;
    const text = decodeBodyText(await decodePartBody(ctx.src, cal, ctx.opts), cal.params['charset'], cp).text;
    const msgs: MessageContent[] = [];
    try {
      for await (const it of icalItems(bytesSource(utf8.encode(text), 'text/calendar'), { codepage: cp }, (f) => ctx.opts.findings?.({ ...f, item: ctx.opts.item }))) msgs.push(it.content);
    } catch (e) {
      ctx.opts.findings?.({ code: 'MIME-BAD-CALENDAR', severity: 'warning', message: `text/calendar part could not be converted (${(e as Error).message}); kept as an attachment`, offset: cal.bodyStart, item: ctx.opts.item });
    }
    if (msgs.length > 0) {
      used.add(cal);
      ctx.calendar = msgs;
    }
  }
}

const generatedCids = new WeakMap<MimePart, string>();

function charsetFinding(ctx: Ctx, part: MimePart): void {
  ctx.opts.findings?.({
    code: 'MIME-CHARSET-FALLBACK',
    severity: 'info',
    message: `text part declared as "${part.params['charset'] ?? '(none)'}" did not decode cleanly; read with code page ${ctx.opts.codepage ?? 1252}`,
    offset: part.bodyStart,
    item: ctx.opts.item,
  });
}

const stripNul = (s: string) => (s.indexOf('\0') >= 0 ? s.replace(/\0/g, '') : s);

/** RFC 1896 text/enriched → HTML (the common formatting commands). */
function enrichedToHtml(t: string): string {
  let s = htmlEscape(t.replace(/<</g, '\u0001'));
  s = s.replace(/&lt;(\/?)(bold|italic|underline|fixed|center|flushleft|flushright|nofill|excerpt|bigger|smaller|param)&gt;/gi, (_m, close: string, tag: string) => {
    const map: Record<string, string> = { bold: 'b', italic: 'i', underline: 'u', fixed: 'tt', center: 'center', flushleft: 'div', flushright: 'div', nofill: 'pre', excerpt: 'blockquote', bigger: 'big', smaller: 'small', param: 'span' };
    return `<${close}${map[tag.toLowerCase()]}>`;
  });
  s = s.replace(/\r?\n(\r?\n)+/g, (m) => '<br>'.repeat(m.split('\n').length - 2)).replace(/\r?\n/g, ' ');
  return '<html><body>' + s.replace(/\u0001/g, '&lt;') + '</body></html>';
}

/** After the body pass: derive the missing one of PR_BODY / PR_HTML. */
function finishBody(bag: PropBag): void {
  const body = bag.get(P.PR_BODY);
  const html = bag.get(P.PR_HTML);
  if (body === undefined && html instanceof Uint8Array) {
    const cpid = bag.get(P.PR_INTERNET_CPID);
    const label = typeof cpid === 'number' ? codepageLabel(cpid) : undefined;
    bag.set(P.PR_BODY, stripNul(htmlToText(decodeBodyText(html, label === 'us-ascii' ? undefined : label).text)));
  } else if (html === undefined && typeof body === 'string') {
    bag.set(P.PR_HTML, utf8.encode(textToHtml(body)));
    bag.set(P.PR_INTERNET_CPID, 65001);
  }
}

/** Every leaf part not used as a body becomes an attachment (reference §2.6). */
async function collectAttachments(ctx: Ctx, part: MimePart, parent: MimePart | undefined, used: Set<MimePart>, out: AttachmentContent[]): Promise<void> {
  if (part.children.length > 0) {
    for (const c of part.children) await collectAttachments(ctx, c, part, used, out);
    return;
  }
  if (used.has(part)) return;
  out.push(await makeAttachment(ctx, part, parent));
}

async function makeAttachment(ctx: Ctx, part: MimePart, parent: MimePart | undefined): Promise<AttachmentContent> {
  const bag = new PropBag();
  const type = part.type;
  bag.set(P.PR_ATTACH_MIME_TAG, type === 'application/ms-tnef' ? 'application/octet-stream' : part.rawType);
  const rawName = part.dispositionParams['filename'] ?? part.params['name'];
  let data = await decodePartBody(ctx.src, part, ctx.opts);
  let fileName: string | undefined;
  if (rawName !== undefined && rawName.trim() !== '') fileName = sanitizeFileName(decodeEncodedWords(rawName).replace(/[\r\n]/g, ''));
  if (part.encoding.includes('uu') && !fileName) {
    const n = decodeUuencode(await readRawBody(ctx.src, part)).name;
    if (n) fileName = sanitizeFileName(n);
  }
  let ext: string;
  if (fileName) {
    const dot = fileName.lastIndexOf('.');
    ext = dot >= 0 && fileName.length - dot < 16 ? fileName.slice(dot) : '';
  } else {
    ext = extensionForType(type);
    fileName = `attachment${++ctx.attachCounter}${ext}`;
  }
  if (ext) bag.set(P.PR_ATTACH_EXTENSION, ext);
  bag.set(P.PR_ATTACH_LONG_FILENAME, fileName);
  const desc = getHeader(part.fields, 'content-description');
  if (desc !== undefined) bag.set(P.PR_DISPLAY_NAME, decodeEncodedWords(desc));
  const cdate = part.dispositionParams['creation-date'];
  const mdate = part.dispositionParams['modification-date'];
  const cms = cdate !== undefined ? parseRfc5322Date(cdate) : undefined;
  const mms = mdate !== undefined ? parseRfc5322Date(mdate) : undefined;
  bag.set(P.PR_CREATION_TIME, cms !== undefined ? msToFiletime(cms) : ctx.submitTime);
  bag.set(P.PR_LAST_MODIFICATION_TIME, mms !== undefined ? msToFiletime(mms) : ctx.submitTime);
  const cid = getHeader(part.fields, 'content-id') ?? generatedCids.get(part);
  if (cid !== undefined) bag.set(P.PR_ATTACH_CONTENT_ID, bareId(cid));
  const cloc = getHeader(part.fields, 'content-location');
  if (cloc !== undefined) bag.set(P.PR_ATTACH_CONTENT_LOCATION, cloc.trim());
  const cbase = getHeader(part.fields, 'content-base');
  if (cbase !== undefined) bag.set(P.PR_ATTACH_CONTENT_BASE, cbase.trim());
  if (part.disposition === 'inline' && IMAGE_INLINE.has(type) && parent && (parent.type === 'multipart/related' || parent.type === 'multipart/mixed')) {
    bag.set(P.PR_ATTACH_FLAGS, 4);
  }
  if (type.startsWith('text/') && part.params['charset']) bag.set(P.PR_TEXT_ATTACHMENT_CHARSET, part.params['charset']);

  const isEml = type === 'message/rfc822' || /\.eml$/i.test(fileName);
  if (isEml) {
    if (ctx.depth + 1 > (ctx.opts.maxEmbedDepth ?? 10)) {
      ctx.opts.findings?.({ code: 'MIME-EMBED-TOO-DEEP', severity: 'warning', message: 'message/rfc822 nested too deeply; kept as a file attachment', offset: part.bodyStart, item: ctx.opts.item });
    } else {
      try {
        const inner = await mapMessage(bytesSource(data), ctx.opts, 0, data.length, ctx.depth + 1);
        bag.delete(P.PR_ATTACH_LONG_FILENAME);
        bag.delete(P.PR_ATTACH_EXTENSION);
        bag.delete(P.PR_TEXT_ATTACHMENT_CHARSET);
        const subj = inner.props.find((p) => p.tag === P.PR_SUBJECT && !p.name);
        if (desc === undefined && subj) bag.set(P.PR_DISPLAY_NAME, subj.value);
        bag.set(P.PR_ATTACH_METHOD, P.ATTACH_EMBEDDED_MSG);
        return { props: bag.list, embedded: inner };
      } catch (e) {
        ctx.opts.findings?.({ code: 'MIME-BAD-EMBEDDED', severity: 'warning', message: `embedded message could not be parsed (${(e as Error).message}); kept as a file attachment`, offset: part.bodyStart, item: ctx.opts.item });
      }
    }
  }
  if (type === 'text/directory' || type === 'text/vcard' || type === 'text/x-vcard') {
    // gromox converts text/directory to an embedded contact; text/vcard and text/x-vcard too (quirk 8)
    const cards: MessageContent[] = [];
    try {
      const text = decodeBodyText(data, part.params['charset'], ctx.opts.codepage ?? 1252).text;
      for await (const it of vcfItems(bytesSource(utf8.encode(text), fileName), { codepage: ctx.opts.codepage }, (f) => ctx.opts.findings?.({ ...f, item: ctx.opts.item }))) cards.push(it.content);
    } catch {
      cards.length = 0;
    }
    if (cards.length === 1) {
      bag.delete(P.PR_TEXT_ATTACHMENT_CHARSET);
      bag.set(P.PR_ATTACH_METHOD, P.ATTACH_EMBEDDED_MSG);
      return { props: bag.list, embedded: cards[0]! };
    }
  }
  bag.set(P.PR_ATTACH_METHOD, P.ATTACH_BY_VALUE);
  bag.set(P.PR_ATTACH_DATA_BIN, data);
  data = new Uint8Array(0);
  return { props: bag.list };
}

/** multipart/report: DSN (delivery-status) or MDN (disposition-notification). */
async function applyReport(ctx: Ctx, bag: PropBag, root: MimePart, recipients: Prop[][]): Promise<void> {
  const rt = (root.params['report-type'] ?? '').toLowerCase();
  if (rt === 'delivery-status') {
    const part = root.children.find((c) => c.type === 'message/delivery-status');
    if (!part) return;
    const text = headerBytesToString(await decodePartBody(ctx.src, part, ctx.opts));
    const blocks = text.split(/\r?\n\s*\r?\n/).map((b) => parseFieldsLoose(b));
    const perMsg = blocks[0] ?? {};
    const sev = ['delivered', 'expanded', 'relayed', 'delayed', 'failed'];
    const rows: { addr: string; action: number; f: Record<string, string> }[] = [];
    for (const b of blocks.slice(1)) {
      const fr = b['final-recipient'];
      if (!fr || !b['status']) continue;
      const m = /^\s*rfc822\s*;\s*(.+)$/i.exec(fr);
      if (!m) continue;
      rows.push({ addr: m[1]!.trim().replace(/^<|>$/g, ''), action: sev.indexOf((b['action'] ?? '').trim().toLowerCase()), f: b });
    }
    const maxSev = blocks.slice(1).reduce((a, b) => Math.max(a, sev.indexOf((b['action'] ?? '').trim().toLowerCase())), -1);
    const cls = ['REPORT.IPM.Note.DR', 'REPORT.IPM.Note.Expanded.DR', 'REPORT.IPM.Note.Relayed.DR', 'REPORT.IPM.Note.Delayed.DR', 'REPORT.IPM.Note.NDR'][maxSev];
    if (cls) bag.set(P.PR_MESSAGE_CLASS, cls);
    if (perMsg['reporting-mta']) bag.set(P.PR_REPORTING_MTA, perMsg['reporting-mta']);
    if (rows.length) {
      recipients.length = 0;
      for (const r of rows.filter((x) => x.action === maxSev)) {
        const row = recipientRow({ name: r.f['x-display-name'] ?? '', address: r.addr }, 1);
        row.push({ tag: P.PR_REPORT_TIME, value: ctx.submitTime || (bag.get(P.PR_CLIENT_SUBMIT_TIME) as bigint) });
        recipients.push(row);
      }
    }
  } else if (rt === 'disposition-notification') {
    const part = root.children.find((c) => c.type === 'message/disposition-notification');
    if (part) await applyMdn(ctx, bag, root, part);
  }
}

async function applyMdn(ctx: Ctx, bag: PropBag, _root: MimePart, part: MimePart): Promise<void> {
  const text = headerBytesToString(await decodePartBody(ctx.src, part, ctx.opts));
  const f = parseFieldsLoose(text);
  const rcpt = f['original-recipient'] ?? f['final-recipient'];
  if (rcpt) bag.set(P.PR_ORIGINAL_DISPLAY_TO, rcpt.replace(/^\s*rfc822\s*;\s*/i, '').trim());
  const disp = f['disposition'];
  if (disp) {
    const d = disp.toLowerCase();
    if (/(displayed|dispatched|processed)/.test(d)) bag.set(P.PR_MESSAGE_CLASS, 'REPORT.IPM.Note.IPNRN');
    else if (/(deleted|denied|failed)/.test(d)) bag.set(P.PR_MESSAGE_CLASS, 'REPORT.IPM.Note.IPNNRN');
    bag.set(P.PR_REPORT_TEXT, disp);
  }
  const omid = f['original-message-id'];
  if (omid) bag.set(P.PR_INTERNET_REFERENCES, omid.trim());
  if (ctx.submitTime) {
    bag.set(P.PR_ORIGINAL_DELIVERY_TIME, ctx.submitTime);
    bag.set(P.PR_RECEIPT_TIME, ctx.submitTime);
  }
}

function parseFieldsLoose(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c > 0) out[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return out;
}

export { parseParams };
