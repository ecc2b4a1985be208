/**
 * The declarative, JSON-serialisable description of a PST/OST the writer produces, plus a seeded
 * generator of descriptions for fixtures and benchmarks. Everything a test needs to predict what
 * pffexport/readpst will report lives here (names, subjects, bodies, attachment bytes from a seed),
 * so the differential tests compare tool output against this and nothing else.
 *
 * Property ids and item classes follow [MS-OXPROPS]/[MS-OXCMSG]; the folder/message model follows
 * [MS-PST] 2.4 (Messaging layer).
 */

export type PstVariant = 'ansi' | 'unicode' | 'ost4k';
export type PstCrypt = 'none' | 'permute' | 'cyclic';

/** A property value in JSON form. Binary is base64; SYSTIME is an ISO-8601 string; I8 a decimal string. */
export type PropValueDesc =
  | { type: 'short'; value: number }
  | { type: 'long'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'double'; value: number }
  | { type: 'i8'; value: string }
  | { type: 'time'; value: string }
  | { type: 'string'; value: string }
  | { type: 'binary'; value: string }
  | { type: 'guid'; value: string }
  | { type: 'mv-long'; value: number[] }
  | { type: 'mv-string'; value: string[] }
  | { type: 'mv-binary'; value: string[] };

/** A tagged property: `id` is the 16-bit property id (< 0x8000), the type comes from the value. */
export type PropDesc = { id: number } & PropValueDesc;

/** A named property ([MS-OXPROPS] named properties): GUID plus LID or string name. */
export type NamedPropDesc = { guid: string; lid?: number; name?: string } & PropValueDesc;

export interface AddressDesc {
  name: string;
  email: string;
}

export interface RecipientDesc extends AddressDesc {
  type: 'to' | 'cc' | 'bcc';
}

/**
 * Attachment content: literal text (UTF-8 bytes), base64, or `size` bytes generated from `seed`
 * by {@link attachmentBytes} ('random' = incompressible, 'text' = compressible words).
 */
export type AttachmentContentDesc =
  | { text: string }
  | { base64: string }
  | { size: number; seed: number; kind?: 'random' | 'text' };

export interface AttachmentDesc {
  /** Long file name (PidTagAttachLongFilename); also the display name. */
  filename: string;
  mimeType?: string;
  contentId?: string;
  hidden?: boolean;
  /** By-value data (PidTagAttachMethod 1). Exactly one of content / embedded. */
  content?: AttachmentContentDesc;
  /** Embedded message (PidTagAttachMethod 5). */
  embedded?: MessageDesc;
}

export interface MessageDesc {
  /** PidTagMessageClass, e.g. IPM.Note, IPM.Appointment, IPM.Contact, IPM.DistList, IPM.Task, IPM.StickyNote. */
  messageClass: string;
  subject: string;
  bodyText?: string;
  bodyHtml?: string;
  /** RTF text; written LZFu-compressed as PidTagRtfCompressed. */
  bodyRtf?: string;
  sender?: AddressDesc;
  recipients?: RecipientDesc[];
  /** ISO-8601. */
  submitTime?: string;
  deliveryTime?: string;
  read?: boolean;
  importance?: 0 | 1 | 2;
  messageId?: string;
  props?: PropDesc[];
  named?: NamedPropDesc[];
  attachments?: AttachmentDesc[];
}

/** Well-known folders whose entry ids the store / inbox PCs point at ([MS-PST] 2.4.3, [MS-OXOSFLD]). */
export type SpecialFolder =
  | 'inbox'
  | 'outbox'
  | 'sent'
  | 'deleted'
  | 'drafts'
  | 'calendar'
  | 'contacts'
  | 'tasks'
  | 'notes'
  | 'journal';

export interface FolderDesc {
  name: string;
  /** PidTagContainerClass, e.g. IPF.Note. */
  containerClass?: string;
  /** PidTagAttributeHidden. */
  hidden?: boolean;
  special?: SpecialFolder;
  folders?: FolderDesc[];
  messages?: MessageDesc[];
  /**
   * More messages, made one at a time as the writer asks for them (after `messages`): a generated
   * mailbox of a million messages then never sits in memory. Not part of the JSON form.
   */
  generated?: GeneratedMessages;
  /** Folder-associated information (FAI) items, e.g. IPM.Configuration.*. */
  fai?: MessageDesc[];
}

/** Messages produced on demand, in the same order every time they are iterated. */
export interface GeneratedMessages extends Iterable<MessageDesc> {
  readonly count: number;
}

export interface StoreDesc {
  displayName: string;
  /** Sets PidTagPstPassword to the PST CRC of these bytes (no encryption implied). */
  password?: string;
  /** 16-byte store record key as 32 hex digits; derived from the display name when absent. */
  recordKey?: string;
}

export interface PstDescription {
  variant: PstVariant;
  crypt: PstCrypt;
  store: StoreDesc;
  /** Folders directly under the IPM subtree ("Top of Personal Folders"). */
  folders: FolderDesc[];
}

// ---------------------------------------------------------------------------------------------
// Deterministic pseudo-random numbers and attachment bytes

/** xorshift128-style PRNG seeded through splitmix32; same seed → same sequence on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next() | 1;
    this.b = next();
    this.c = next();
    this.d = next();
  }
  /** The generator's state (four words), to resume from with {@link Rng.restore}. */
  save(into: Uint32Array, at: number): void {
    into[at] = this.a;
    into[at + 1] = this.b;
    into[at + 2] = this.c;
    into[at + 3] = this.d;
  }
  restore(from: Uint32Array, at: number): void {
    this.a = from[at]!;
    this.b = from[at + 1]!;
    this.c = from[at + 2]!;
    this.d = from[at + 3]!;
  }
  u32(): number {
    let t = this.d;
    const s = this.a;
    this.d = this.c;
    this.c = this.b;
    this.b = s;
    t ^= t << 11;
    t ^= t >>> 8;
    this.a = (t ^ s ^ (s >>> 19)) >>> 0;
    return this.a;
  }
  /** 0 ≤ n < max */
  int(max: number): number {
    return this.u32() % max;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

const WORDS =
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(
    ' ',
  );

/**
 * Fill `out` with the bytes of a generated attachment starting at byte `offset` of the stream.
 * The stream is a pure function of (seed, kind): random = xorshift words per 64-KiB chunk, text =
 * words from a fixed list, so any window can be produced without generating what precedes it.
 */
export function fillAttachmentBytes(seed: number, kind: 'random' | 'text', offset: number, out: Uint8Array): void {
  const CHUNK = 65536;
  let pos = 0;
  while (pos < out.length) {
    const abs = offset + pos;
    const chunkNo = Math.floor(abs / CHUNK);
    const within = abs - chunkNo * CHUNK;
    const n = Math.min(out.length - pos, CHUNK - within);
    const chunk = attachmentChunk(seed, kind, chunkNo);
    out.set(chunk.subarray(within, within + n), pos);
    pos += n;
  }
}

const WORD_BYTES = WORDS.map((w) => Uint8Array.from(w, (c) => c.charCodeAt(0)));

let chunkCache: { key: string; bytes: Uint8Array } | undefined;

function attachmentChunk(seed: number, kind: 'random' | 'text', chunkNo: number): Uint8Array {
  const key = `${seed}/${kind}/${chunkNo}`;
  if (chunkCache?.key === key) return chunkCache.bytes;
  const bytes = new Uint8Array(65536);
  const rng = new Rng((seed ^ Math.imul(chunkNo + 1, 0x27d4eb2d)) >>> 0);
  if (kind === 'random') {
    // xorshift32 inlined: this fills every generated attachment byte of multi-GiB benchmarks
    const w = new Uint32Array(bytes.buffer);
    let x = rng.u32() | 1;
    for (let i = 0; i < w.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      w[i] = x;
    }
  } else {
    let p = 0;
    let x = rng.u32() | 1;
    const n = WORD_BYTES.length;
    while (p < bytes.length) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const r = x >>> 0;
      const word = WORD_BYTES[r % n]!;
      const len = Math.min(word.length, bytes.length - p);
      for (let i = 0; i < len; i++) bytes[p + i] = word[i]!;
      p += len;
      if (p < bytes.length) bytes[p++] = (r >>> 24) % 16 === 0 ? 10 : 32;
    }
  }
  chunkCache = { key, bytes };
  return bytes;
}

/** The whole content of an attachment as bytes (use for small attachments and in tests). */
export function attachmentBytes(content: AttachmentContentDesc): Uint8Array {
  if ('text' in content) return new TextEncoder().encode(content.text);
  if ('base64' in content) return new Uint8Array(Buffer.from(content.base64, 'base64'));
  const out = new Uint8Array(content.size);
  fillAttachmentBytes(content.seed, content.kind ?? 'random', 0, out);
  return out;
}

/** Size in bytes of an attachment's content. */
export function attachmentSize(content: AttachmentContentDesc): number {
  if ('size' in content) return content.size;
  return attachmentBytes(content).length;
}

// ---------------------------------------------------------------------------------------------
// Description generator

export interface GenerateOptions {
  variant: PstVariant;
  crypt: PstCrypt;
  /** Top-level messages spread over the mail folders (FAI items not counted). */
  messages: number;
  /**
   * Total attachment payload in MiB, in attachments of ≤ 32 MiB on the first messages (several per
   * message when there are few messages). Needs at least one message.
   */
  attachmentMiB?: number;
  seed?: number;
  /** Content kind of generated attachments ('random' by default; 'text' compresses in 4K OSTs). */
  attachmentKind?: 'random' | 'text';
  /**
   * Leave the messages to be made while the file is written (FolderDesc.generated) instead of
   * listing them: the same file, in memory that grows by only 24 bytes per message (the JSON
   * form, for --dump-description, needs the listed messages).
   */
  lazy?: boolean;
}

const FIRST = ['Anna', 'Bertil', 'Chloé', 'Dmitri', 'Eva', 'François', 'Grete', 'Hiroshi', 'Inés', 'Jürgen'];
const LAST = ['Andersson', 'Bauer', 'Castro', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Huber', 'Ivanova', 'Jensen'];
const TOPICS = ['budget', 'offsite', 'release', 'invoice', 'roadmap', 'hiring', 'audit', 'migration', 'backup', 'review'];

/** Latin-1 only text for ANSI files (cp1252 round-trips it); Unicode files also get non-Latin names. */
function person(rng: Rng): AddressDesc {
  const f = rng.pick(FIRST);
  const l = rng.pick(LAST);
  const ascii = (s: string) => s.normalize('NFD').replace(/[^\x20-\x7e]/g, '').toLowerCase();
  return { name: `${f} ${l}`, email: `${ascii(f)}.${ascii(l)}@example.com` };
}

function isoAt(rng: Rng, base: number): string {
  return new Date(base + rng.int(365 * 24 * 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A mailbox with the usual special folders, nested and unicode-named folders, a hidden folder,
 * FAI items, and `messages` notes spread round-robin over the mail folders. Attachment payload
 * (`attachmentMiB`) goes to the first messages in pieces of at most 32 MiB.
 */
export function generateDescription(opts: GenerateOptions): PstDescription {
  const seed = (opts.seed ?? 1) >>> 0;
  const rng = new Rng(seed);
  const ansi = opts.variant === 'ansi';
  const base = Date.UTC(2024, 0, 1);
  const inbox: FolderDesc = { name: 'Inbox', containerClass: 'IPF.Note', special: 'inbox', messages: [], folders: [] };
  const projects: FolderDesc = { name: ansi ? 'Projekte Übersicht' : 'Projekte – Übersicht 项目', containerClass: 'IPF.Note', messages: [], folders: [] };
  const deep: FolderDesc = { name: ansi ? 'Tiefer Ordner' : 'Глубокая папка', containerClass: 'IPF.Note', messages: [] };
  projects.folders!.push(deep);
  inbox.folders!.push(projects);
  const sent: FolderDesc = { name: 'Sent Items', containerClass: 'IPF.Note', special: 'sent', messages: [] };
  const mailFolders = [inbox, projects, deep, sent];
  const folders: FolderDesc[] = [
    { name: 'Deleted Items', containerClass: 'IPF.Note', special: 'deleted' },
    inbox,
    { name: 'Outbox', containerClass: 'IPF.Note', special: 'outbox' },
    sent,
    { name: 'Drafts', containerClass: 'IPF.Note', special: 'drafts' },
    { name: 'Calendar', containerClass: 'IPF.Appointment', special: 'calendar' },
    { name: 'Contacts', containerClass: 'IPF.Contact', special: 'contacts' },
    { name: 'Tasks', containerClass: 'IPF.Task', special: 'tasks' },
    { name: 'Notes', containerClass: 'IPF.StickyNote', special: 'notes' },
    {
      name: 'Hidden Sync State',
      containerClass: 'IPF.Note',
      hidden: true,
      fai: [{ messageClass: 'IPM.Configuration.SyncState', subject: 'sync state' }],
    },
  ];
  inbox.fai = [
    {
      messageClass: 'IPM.Configuration.Rules',
      subject: 'Rules',
      props: [{ id: 0x7c07, type: 'binary', value: Buffer.from('rules-blob').toString('base64') }],
    },
  ];
  const budget = { attachLeft: Math.max(0, Math.round((opts.attachmentMiB ?? 0) * 1048576)) };
  const MAX_ATT = 32 * 1048576;
  // every message that does not carry an embedded message (i % 6 !== 5) can take data attachments;
  // spread the pieces so that the whole budget is used even with few messages
  const eligible = opts.messages - Math.floor(opts.messages / 6);
  const piecesPerMessage = Math.max(1, Math.ceil(Math.ceil(budget.attachLeft / MAX_ATT) / Math.max(1, eligible)));
  const make = (i: number): MessageDesc => {
    const from = person(rng);
    const to = person(rng);
    const topic = rng.pick(TOPICS);
    const msg: MessageDesc = {
      messageClass: 'IPM.Note',
      subject: `Re: ${topic} #${i + 1}`,
      bodyText: `Hello ${to.name},\r\n\r\nplease see the ${topic} notes (item ${i + 1}, seed ${seed}).\r\n\r\n${from.name}\r\n`,
      sender: from,
      recipients: [{ ...to, type: 'to' }],
      submitTime: isoAt(rng, base),
      deliveryTime: isoAt(rng, base),
      read: rng.int(2) === 0,
      messageId: `<gen-${seed}-${i + 1}@example.com>`,
    };
    msg.named = [{ guid: '00020329-0000-0000-c000-000000000046', name: 'X-Mailferry-Seed', type: 'string', value: `${seed}/${i + 1}` }];
    if (i % 2 === 0) msg.named.push({ guid: '00062008-0000-0000-c000-000000000046', lid: 0x8580, type: 'mv-string', value: [topic, 'generated'] });
    if (i % 3 === 1) msg.bodyHtml = `<html><body><p>Hello ${to.name},</p><p>${topic} item ${i + 1}</p></body></html>`;
    if (i % 5 === 2) msg.recipients!.push({ ...person(rng), type: 'cc' });
    if (i % 7 === 3) msg.bodyRtf = `{\\rtf1\\ansi\\deff0 {\\b ${topic}} item ${i + 1}\\par}`;
    if (i % 6 === 5) {
      msg.attachments = [
        {
          filename: `forward-${i + 1}.msg`,
          embedded: {
            messageClass: 'IPM.Note',
            subject: `Embedded in #${i + 1}`,
            bodyText: `embedded body ${i + 1}\r\n`,
            sender: person(rng),
            submitTime: isoAt(rng, base),
            attachments: [
              {
                filename: `inner-${i + 1}.msg`,
                embedded: {
                  messageClass: 'IPM.Note',
                  subject: `Inner of #${i + 1}`,
                  bodyText: `inner body ${i + 1}\r\n`,
                  attachments: [{ filename: `inner-${i + 1}.txt`, mimeType: 'text/plain', content: { text: `innermost ${i + 1}\n` } }],
                },
              },
            ],
          },
        },
      ];
    } else if (budget.attachLeft > 0) {
      const atts: AttachmentDesc[] = [];
      for (let k = 0; k < piecesPerMessage && budget.attachLeft > 0; k++) {
        const size = Math.min(budget.attachLeft, MAX_ATT);
        budget.attachLeft -= size;
        atts.push({
          filename: k === 0 ? `data-${i + 1}.bin` : `data-${i + 1}-${k + 1}.bin`,
          mimeType: 'application/octet-stream',
          content: { size, seed: (seed * 7919 + i + k * 0x10000) >>> 0, kind: opts.attachmentKind ?? 'random' },
        });
      }
      msg.attachments = atts;
    } else if (i % 4 === 3) {
      msg.attachments = [{ filename: `notes-${i + 1}.txt`, mimeType: 'text/plain', content: { text: `attachment of message ${i + 1}\n` } }];
    }
    return msg;
  };
  if (!opts.lazy) {
    for (let i = 0; i < opts.messages; i++) mailFolders[i % mailFolders.length]!.messages!.push(make(i));
  } else {
    // Each message draws from one sequential random stream; what a folder's iterator needs to
    // make message i alone is the stream's state and the attachment budget at i, recorded once.
    const n = opts.messages;
    const states = new Uint32Array(4 * n);
    const left = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      rng.save(states, 4 * i);
      left[i] = budget.attachLeft;
      make(i);
    }
    const k = mailFolders.length;
    mailFolders.forEach((folder, j) => {
      folder.generated = {
        count: j < n ? Math.ceil((n - j) / k) : 0,
        *[Symbol.iterator]() {
          for (let i = j; i < n; i += k) {
            rng.restore(states, 4 * i);
            budget.attachLeft = left[i]!;
            yield make(i);
          }
        },
      };
    });
  }
  return {
    variant: opts.variant,
    crypt: opts.crypt,
    store: { displayName: 'Personal Folders', password: 'secret' },
    folders,
  };
}

/** Depth-first list of (path, folder) pairs; path segments are folder names joined by '/'. */
export function walkFolders(desc: PstDescription): Array<{ path: string[]; folder: FolderDesc }> {
  const out: Array<{ path: string[]; folder: FolderDesc }> = [];
  const rec = (fs: FolderDesc[] | undefined, prefix: string[]) => {
    for (const f of fs ?? []) {
      const path = [...prefix, f.name];
      out.push({ path, folder: f });
      rec(f.folders, path);
    }
  };
  rec(desc.folders, []);
  return out;
}
