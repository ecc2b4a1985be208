/**
 * What the page asks of one input file, free of DOM and of comlink so Node tests can run it:
 * recognise the type by content (never by the file name — a ".pst" that is really mbox is
 * common), then hand the file to the reader or converter for that type. worker/api.ts exposes
 * these over comlink; the CLI commands call the same readers and converters, which is why the
 * page's output is byte-identical to the CLI's for the same options.
 */
import type { ByteSource } from './io/byte-source.ts';

export type FileKind = 'pst' | 'ost' | 'pab' | 'eml' | 'mbox' | 'tnef' | 'ics' | 'vcf' | 'unknown';

export interface Sniffed {
  kind: FileKind;
  /** Plain-language type, e.g. "Outlook data file (PST)". */
  label: string;
  /** PST/OST only: "ANSI", "Unicode", "Unicode 4K pages (Outlook 2013+)". */
  variant?: string;
  /** PST/OST only: "none", "compressible (permute)", "high (cyclic)", … */
  encryption?: string;
}

export const KIND_LABELS: Record<FileKind, string> = {
  pst: 'Outlook data file (PST)',
  ost: 'Outlook offline data file (OST)',
  pab: 'Outlook personal address book (PAB)',
  eml: 'E-mail message (EML)',
  mbox: 'Mailbox (mbox)',
  tnef: 'TNEF attachment (winmail.dat)',
  ics: 'Calendar (iCalendar)',
  vcf: 'Contacts (vCard)',
  unknown: 'Not a recognised mail, calendar or contacts file',
};

const u16 = (b: Uint8Array, at: number) => (at + 2 <= b.length ? b[at]! | (b[at + 1]! << 8) : -1);

/** MS-PST 2.2.2.6 HEADER: dwMagic, wMagicClient, wVer, bCryptMethod. */
function sniffPst(head: Uint8Array): Sniffed | undefined {
  if (head.length < 16 || head[0] !== 0x21 || head[1] !== 0x42 || head[2] !== 0x44 || head[3] !== 0x4e) return undefined;
  const client = String.fromCharCode(head[8]!, head[9]!);
  const kind: FileKind = client === 'SO' ? 'ost' : client === 'AB' ? 'pab' : 'pst';
  const wVer = u16(head, 10);
  let variant: string;
  let cryptAt: number;
  if (wVer >= 36) {
    variant = 'Unicode, 4K pages (Outlook 2013 and later)';
    cryptAt = 513;
  } else if (wVer >= 21) {
    variant = 'Unicode (Outlook 2003 and later)';
    cryptAt = 513;
  } else if (wVer === 14 || wVer === 15) {
    variant = 'ANSI (Outlook 97–2002)';
    cryptAt = 461;
  } else {
    variant = `unknown format version ${wVer}`;
    cryptAt = -1;
  }
  const crypt = cryptAt >= 0 && cryptAt < head.length ? head[cryptAt]! : -1;
  const encryption =
    crypt === 0 ? 'none' : crypt === 1 ? 'compressible (permute)' : crypt === 2 ? 'high (cyclic)' : crypt === 0x10 ? 'EDP (Windows Information Protection)' : crypt < 0 ? 'unknown' : `unknown method ${crypt}`;
  return { kind, label: KIND_LABELS[kind], variant, encryption };
}

const TEXT_HEADERS = /^(received|return-path|from|to|cc|subject|date|message-id|mime-version|delivered-to|reply-to|sender|x-[a-z0-9-]+|content-type|dkim-signature|arc-[a-z-]+|authentication-results|thread-topic|thread-index|in-reply-to|references|importance|user-agent|list-[a-z-]+|precedence|envelope-to|organization|bcc|comments|keywords)\s*:/i;

/**
 * Recognise the type of an input from its first bytes. The name is only a tie-breaker for the
 * one ambiguous case: a single message that starts with an mbox envelope line ("From a@b date")
 * is an .eml if it is called one, else an mbox.
 */
export function sniffBytes(head: Uint8Array, name?: string): Sniffed {
  const pst = sniffPst(head);
  if (pst) return pst;
  // TNEF: TNEF_SIGNATURE 0x223E9F78 little-endian ([MS-OXTNEF] 2.1.3.1).
  if (head.length >= 4 && head[0] === 0x78 && head[1] === 0x9f && head[2] === 0x3e && head[3] === 0x22) {
    return { kind: 'tnef', label: KIND_LABELS.tnef };
  }
  let text = new TextDecoder('latin1').decode(head.subarray(0, 16384));
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  text = text.replace(/^[\s]+/, '');
  if (/^BEGIN:VCALENDAR\b/i.test(text)) return { kind: 'ics', label: KIND_LABELS.ics };
  if (/^BEGIN:VCARD\b/i.test(text)) return { kind: 'vcf', label: KIND_LABELS.vcf };
  if (/^From [^\r\n]*\r?\n/.test(text)) {
    const ambiguous = !/\n\r?\nFrom /.test(text) && /\.(eml|msg|txt)$/i.test(name ?? '');
    return ambiguous ? { kind: 'eml', label: KIND_LABELS.eml } : { kind: 'mbox', label: KIND_LABELS.mbox };
  }
  // RFC 5322: a header block — the first line is a field, and a known field appears early.
  const lines = text.split(/\r?\n/, 40);
  if (/^[\x21-\x39\x3b-\x7e]+:/.test(lines[0] ?? '') && lines.some((l) => TEXT_HEADERS.test(l))) {
    return { kind: 'eml', label: KIND_LABELS.eml };
  }
  return { kind: 'unknown', label: KIND_LABELS.unknown };
}

/** Bytes of the head that sniffing needs (the Unicode PST header is 564 bytes). */
export const SNIFF_BYTES = 16384;

export async function sniff(source: ByteSource): Promise<Sniffed> {
  return sniffBytes(await source.read(0, SNIFF_BYTES), source.name);
}

// ---------------------------------------------------------------------------------------------
// Jobs: examine, validate, convert. Plain data in and out (structured-clone friendly).

import { FindingLog, type Finding, type Severity } from './findings.ts';
import type { ByteSink } from './io/sink.ts';
import { PstOpenError, type PstFile } from './pst/index.ts';
import { inspect as inspectPst, type InspectReport, type InspectFolder } from './pst/inspect.ts';
import { validate as validatePst } from './pst/validate.ts';
import { loadCodecs } from './codec/index.ts';
import type { FindingSink } from './findings.ts';
import { writeUnanchoredItems, type UnanchoredItem } from './convert/items-to-mt.ts';
import { vcfItems, MemberIndex } from './convert/vcf.ts';
import { icalItems } from './convert/ical.ts';
import { pstSourceToMt } from './convert/pff2mt.ts';
import type { BatchEncoderOptions, MessagePool } from './convert/pff2mt-batch.ts';
import { emlItems } from './convert/eml.ts';
import { mboxItems } from './convert/mbox.ts';
import { tnefItems } from './convert/tnef.ts';

export type Verdict = 'ok' | 'warnings' | 'damaged' | 'unusable' | 'unknown';

export const VERDICT_TEXT: Record<Verdict, string> = {
  ok: 'Healthy',
  warnings: 'Readable, with warnings',
  damaged: 'Damaged: some items cannot be read',
  unusable: 'Cannot be read',
  unknown: 'Not checked',
};

/** One folder of a PST/OST tree, with its item counts. */
export interface FolderNode {
  nid: number;
  name: string;
  /** Normal items (the contents table). */
  count: number;
  /** Hidden (FAI) items. */
  assoc: number;
  /** Sum of the items' PR_MESSAGE_SIZE (bytes). */
  size: number;
  hidden: boolean;
  search: boolean;
  containerClass?: string;
  children: FolderNode[];
}

export type Family = 'pst' | 'loose' | 'none';

export interface Examination extends Sniffed {
  name: string;
  size: number;
  family: Family;
  verdict: Verdict;
  verdictText: string;
  counts: Record<Severity, number>;
  /** The first findings of the quick check (the full list is validate's job). */
  findings: Finding[];
  tree?: FolderNode;
  storeName?: string;
  passwordSet?: boolean;
  /** EML/mbox/TNEF/ICS/VCF: items found, and what they are. */
  items?: number;
  itemNoun?: string;
  /** Why the file cannot be used, when it cannot. */
  error?: string;
}

export interface ValidationReport {
  tool: string;
  file: { name: string; size: number };
  kind: FileKind;
  label: string;
  variant?: string;
  encryption?: string;
  verdict: Verdict;
  verdictText: string;
  counts: Record<Severity, number>;
  findings: Finding[];
  /** More findings existed than the report lists. */
  truncated: boolean;
  /** One line for people. */
  summary: string;
  /** What the check walked (folders, messages, blocks …) for the reader of the report. */
  checked: Record<string, number>;
  startedAt: string;
  durationMs: number;
}

export interface ConvertOptions {
  /** Splice into the existing mailbox folders instead of a new folder (pff2mt -s). */
  splice: boolean;
  /** Include hidden folders; default (undefined) as gromox: included unless splicing. */
  withHidden?: boolean;
  /** Include FAI (associated) items. */
  withAssoc: boolean;
  /** Convert only these folders (with their subfolders), as pff2mt --only-obj; all when empty. */
  onlyNids?: number[];
  /** Where the new root folder goes (pff2mt --root-target); the converter's default otherwise. */
  rootTarget?: 'ipm-subtree' | 'unanchored';
  /** GXMT version for the target gromox (5: gromox 3.3+, 4: 3.0-3.2, 3: 2.10-2.48); default 5. */
  mtVersion?: 3 | 4 | 5;
  /** Time in the root folder name ("Import of <file> @<time>"): the file's modification time (ms). */
  importTime?: number;
  /** Messages the examination counted in what will be converted (for progress). */
  expectedItems?: number;
  /** Code page for 8-bit strings without their own. */
  codepage?: number;
  /** Use `codepage` even where an object names its own. */
  forceCodepage?: boolean;
  /**
   * PST/OST: workers that read and encode messages (pff2mt --jobs); default 1 (all in this
   * worker), and files under 16 MiB always use one. The stream is the same either way.
   */
  jobs?: number;
}

export interface ConvertProgress {
  /** Index of the input being read. */
  file: number;
  /** Bytes of that input covered so far, and its size. */
  bytesDone: number;
  bytesTotal: number;
  /** Items written so far (all inputs). */
  items: number;
  skipped: number;
  final?: boolean;
}

export interface SkippedItem {
  file: string;
  item: string;
  code: string;
  reason: string;
}

export interface ConvertResult {
  items: number;
  folders: number;
  skipped: SkippedItem[];
  counts: Record<Severity, number>;
  bytesWritten: number;
  durationMs: number;
  /** PST/OST: encoder workers that shared the reading (0: all in the conversion worker). */
  workers?: number;
}

const zeroCounts = (): Record<Severity, number> => ({ error: 0, warning: 0, info: 0 });

export function familyOf(kind: FileKind): Family {
  if (kind === 'pst' || kind === 'ost' || kind === 'pab') return 'pst';
  if (kind === 'unknown') return 'none';
  return 'loose';
}

export async function examineSource(src: ByteSource): Promise<Examination> {
  const s = await sniff(src);
  const base: Examination = {
    ...s,
    name: src.name ?? 'file',
    size: src.size,
    family: familyOf(s.kind),
    verdict: 'unknown',
    verdictText: VERDICT_TEXT.unknown,
    counts: zeroCounts(),
    findings: [],
  };
  if (s.kind === 'unknown') {
    return { ...base, verdict: 'unusable', verdictText: VERDICT_TEXT.unusable, error: src.size === 0 ? 'The file is empty.' : 'This is not a PST, OST, EML, mbox, TNEF, ICS or VCF file.' };
  }
  if (base.family === 'pst') return examinePst(src, base);
  return examineLoose(src, base);
}

/** How many findings an examination carries to the page (the full list is validate's). */
const EXAMINE_FINDINGS = 50;

export function verdictOf(counts: Record<Severity, number>): Verdict {
  return counts.error > 0 ? 'damaged' : counts.warning > 0 ? 'warnings' : 'ok';
}

function openErrorText(e: unknown): string {
  if (e instanceof PstOpenError) return e.message;
  return `The file could not be read: ${(e as Error).message}`;
}

function treeFrom(f: InspectFolder): FolderNode {
  return {
    nid: f.nid,
    name: f.name,
    count: f.messages,
    assoc: f.fai,
    size: f.size,
    hidden: f.hidden,
    search: f.kind === 'search',
    containerClass: f.containerClass,
    children: f.children.map(treeFrom),
  };
}

async function examinePst(src: ByteSource, base: Examination): Promise<Examination> {
  const log = new FindingLog(EXAMINE_FINDINGS);
  // The reader and the quick check meet the same damage; list each problem once.
  const seen = new Set<string>();
  const add: FindingSink = (f) => {
    const key = `${f.code}|${f.nid}|${f.offset}|${f.field}`;
    if (seen.has(key)) return;
    seen.add(key);
    log.add(f);
  };
  // What `mailferry inspect` shows: store facts and the folder tree with counts from the tables.
  let report: InspectReport;
  try {
    report = await inspectPst(src, { attachments: false, codecs: await loadCodecs() });
  } catch (e) {
    return { ...base, verdict: 'unusable', verdictText: VERDICT_TEXT.unusable, counts: log.counts, findings: log.findings, error: openErrorText(e) };
  }
  for (const f of report.findings) add(f);
  // Quick structural check (header, both B-trees, references): the verdict the card shows.
  const quick = await validatePst(src, { full: false, maxFindings: EXAMINE_FINDINGS });
  for (const f of quick.findings) add(f);
  // Findings beyond the kept ones still count.
  log.counts.error += Math.max(0, quick.counts.errors - quick.findings.filter((f) => f.severity === 'error').length);
  log.counts.warning += Math.max(0, quick.counts.warnings - quick.findings.filter((f) => f.severity === 'warning').length);
  const verdict = verdictOf(log.counts);
  return {
    ...base,
    variant: variantText(report.variant, report.wVer) ?? base.variant,
    encryption: encryptionText(report.encryption),
    storeName: report.store.displayName,
    passwordSet: report.store.passwordSet,
    tree: treeFrom(report.folders),
    verdict,
    verdictText: VERDICT_TEXT[verdict],
    counts: { ...log.counts },
    findings: log.findings,
  };
}

/** `mailferry inspect --json` for the page (the same report, from the same code). */
export function inspectSource(src: ByteSource): Promise<InspectReport> {
  return loadCodecs().then((codecs) => inspectPst(src, { codecs }));
}

function variantText(v: PstFile['variant'], wVer: number): string | undefined {
  switch (v) {
    case 'ansi': return 'ANSI (Outlook 97–2002)';
    case 'unicode': return 'Unicode (Outlook 2003 and later)';
    case 'ost': return 'Unicode OST (Outlook 2003–2010)';
    case 'ost4k': return `Unicode, 4K pages (Outlook 2013 and later, version ${wVer})`;
  }
  return undefined;
}

function encryptionText(e: PstFile['encryption']): string {
  return e === 'none' ? 'none' : e === 'permute' ? 'compressible (permute)' : 'high (cyclic)';
}

/** Count lines starting with `marker` over the whole input, streaming in 1 MiB pieces. */
async function countLines(src: ByteSource, marker: RegExp, limitBytes = Infinity): Promise<{ count: number; ends: number }> {
  const CHUNK = 1 << 20;
  let count = 0;
  let ends = 0;
  let carry = '';
  const dec = new TextDecoder('latin1');
  const stop = Math.min(src.size, limitBytes);
  for (let at = 0; at < stop; at += CHUNK) {
    const text = carry + dec.decode(await src.read(at, Math.min(CHUNK, stop - at)));
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const l of lines) {
      if (marker.test(l)) count++;
      else if (/^END:(VEVENT|VTODO|VJOURNAL|VCARD)\s*$/i.test(l)) ends++;
    }
  }
  if (marker.test(carry)) count++;
  return { count, ends };
}

async function examineLoose(src: ByteSource, base: Examination): Promise<Examination> {
  let items = 1;
  let itemNoun = 'message';
  const counts = zeroCounts();
  const findings: Finding[] = [];
  if (base.kind === 'mbox') {
    items = (await countLines(src, /^From /)).count;
  } else if (base.kind === 'ics') {
    const r = await countLines(src, /^BEGIN:(VEVENT|VTODO|VJOURNAL)\s*$/i);
    items = r.count;
    itemNoun = 'calendar item';
    if (r.ends !== r.count) {
      counts.warning++;
      findings.push({ code: 'ICAL-UNBALANCED', severity: 'warning', message: `${r.count} items begin but ${r.ends} end; the file may be cut off.` });
    }
  } else if (base.kind === 'vcf') {
    const r = await countLines(src, /^BEGIN:VCARD\s*$/i);
    items = r.count;
    itemNoun = 'contact';
    if (r.ends !== r.count) {
      counts.warning++;
      findings.push({ code: 'VCARD-UNBALANCED', severity: 'warning', message: `${r.count} cards begin but ${r.ends} end; the file may be cut off.` });
    }
  }
  const verdict = items === 0 ? 'unusable' : verdictOf(counts);
  return { ...base, items, itemNoun, counts, findings, verdict, verdictText: VERDICT_TEXT[verdict], error: items === 0 ? 'No items were found in this file.' : undefined };
}

export async function validateSource(src: ByteSource, onProgress?: (done: number, total: number) => void): Promise<ValidationReport> {
  const started = Date.now();
  const s = await sniff(src);
  const base = {
    tool: 'mailferry 0.1.0',
    file: { name: src.name ?? 'file', size: src.size },
    kind: s.kind,
    label: s.label,
    variant: s.variant,
    encryption: s.encryption,
    startedAt: new Date(started).toISOString(),
  };
  if (familyOf(s.kind) === 'pst') {
    const r = await validatePst(src, {
      full: true,
      onProgress: onProgress ? (p) => onProgress(p.done, p.total) : undefined,
    });
    const verdict: Verdict = r.verdict === 'not-a-pst' ? 'unusable' : r.verdict;
    return {
      ...base,
      variant: r.variant ? variantText(r.variant, r.wVer ?? 0) : base.variant,
      encryption: r.encryption ? encryptionText(r.encryption) : base.encryption,
      verdict,
      verdictText: VERDICT_TEXT[verdict],
      summary: r.summary,
      counts: { error: r.counts.errors, warning: r.counts.warnings, info: r.counts.info },
      findings: r.findings,
      truncated: r.truncated,
      checked: {
        'B-tree pages': r.counts.bbtPages + r.counts.nbtPages,
        blocks: r.counts.blocksChecked,
        nodes: r.counts.nodesChecked,
        bytes: r.counts.bytesChecked,
      },
      durationMs: Date.now() - started,
    };
  }
  if (familyOf(s.kind) === 'loose') {
    // The loose formats are checked by converting them into nothing: every problem the
    // converter would meet is a finding, and the item count is what would be written.
    const log = new FindingLog(10_000);
    let items = 0;
    const reader = LOOSE_READERS[s.kind];
    if (!reader) throw new Error(`checking ${KIND_LABELS[s.kind]} files is not available in this build`);
    for await (const _ of reader(src, {} as ConvertOptions, log.add, newGroup())) items++;
    const verdict = items === 0 && log.counts.error === 0 ? 'unusable' : verdictOf(log.counts);
    return {
      ...base,
      verdict,
      verdictText: VERDICT_TEXT[verdict],
      summary: `${items} item(s) readable; ${log.counts.error} error(s), ${log.counts.warning} warning(s).`,
      counts: { ...log.counts },
      findings: log.findings,
      truncated: log.findings.length < log.counts.error + log.counts.warning + log.counts.info,
      checked: { items },
      durationMs: Date.now() - started,
    };
  }
  return {
    ...base,
    verdict: 'unusable',
    verdictText: VERDICT_TEXT.unusable,
    summary: 'Not a PST, OST, EML, mbox, TNEF, ICS or VCF file.',
    counts: zeroCounts(),
    findings: [],
    truncated: false,
    checked: {},
    durationMs: Date.now() - started,
  };
}

/** Wraps a source to learn how far into it the reader has got (sequential formats). */
export function trackedSource(src: ByteSource): ByteSource & { readonly reach: number; readonly bytesRead: number } {
  let reach = 0;
  let bytesRead = 0;
  return {
    size: src.size,
    name: src.name,
    get reach() {
      return reach;
    },
    get bytesRead() {
      return bytesRead;
    },
    async read(offset, length) {
      const b = await src.read(offset, length);
      bytesRead += b.length;
      if (offset + b.length > reach) reach = offset + b.length;
      return b;
    },
  };
}

type ItemStream = AsyncIterable<{ content: UnanchoredItem['content']; rfc5322?: Uint8Array; item?: string }>;
/** State shared by the files of one stream (vCard group members resolve across files, as vcf2mt). */
interface GroupState {
  vcfIndex: MemberIndex;
}
type LooseReader = (src: ByteSource, options: ConvertOptions, onFinding: FindingSink, group: GroupState) => ItemStream;

/** The item readers of the loose formats, called exactly as the CLI's *2mt commands call them. */
const LOOSE_READERS: Partial<Record<FileKind, LooseReader>> = {
  vcf: (src, o, f, g) => vcfItems(src, { codepage: o.codepage, index: g.vcfIndex }, f),
  ics: (src, o, f) => icalItems(src, { codepage: o.codepage }, f),
  eml: (src, o, f) => emlItems(src, { codepage: o.codepage }, f),
  mbox: (src, o, f) => mboxItems(src, { codepage: o.codepage }, f),
  tnef: (src, o, f) => tnefItems(src, { codepage: o.codepage }, f),
};

const newGroup = (): GroupState => ({ vcfIndex: new MemberIndex() });

/**
 * Findings that mean an item (or part of one) did not make it into the stream, once each:
 * the reader and the converter often meet the same damage.
 */
function skippedFrom(findings: Finding[], file: string): SkippedItem[] {
  const seen = new Set<string>();
  const out: SkippedItem[] = [];
  for (const f of findings) {
    if (f.severity !== 'error') continue;
    const item = f.item ?? (f.nid !== undefined ? `NID 0x${f.nid.toString(16)}` : '');
    const key = `${f.code}|${item}|${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file, item, code: f.code, reason: f.message });
  }
  return out;
}

/**
 * Convert `sources` into one GXMT stream on `sink`: one PST/OST, or any number of loose files of
 * one kind, whose items follow each other in the order given — what `mailferry <kind>2mt a b c`
 * writes for the same files.
 */
export async function convertSources(
  sources: ByteSource[],
  options: ConvertOptions,
  sink: ByteSink,
  progress: (p: ConvertProgress) => void,
  /** PST/OST: makes the encoder pool when the host can (the page's worker, from the File). */
  makePool?: (o: BatchEncoderOptions) => MessagePool | undefined,
): Promise<Omit<ConvertResult, 'bytesWritten'>> {
  if (sources.length === 0) throw new Error('no input');
  const started = Date.now();
  const srcs = sources.map(trackedSource);
  const kinds = await Promise.all(srcs.map(async (s) => (await sniff(s)).kind));
  const kind = kinds[0]!;
  if (kinds.some((k) => k !== kind)) throw new Error('one stream takes files of one kind only');
  const log = new FindingLog(10_000);
  const total = srcs.reduce((a, s) => a + s.size, 0);
  let items = 0;
  let folders = 0;
  let workers = 0;
  let seen = 0;
  let current = 0;
  const report = (bytesDone: number, final = false) =>
    progress({ file: current, bytesDone: final ? total : Math.min(bytesDone, total), bytesTotal: total, items, skipped: log.counts.error, final });
  if (familyOf(kind) === 'loose') {
    const reader = LOOSE_READERS[kind];
    if (!reader) throw new Error(`converting ${KIND_LABELS[kind]} files is not available in this build`);
    const group = newGroup();
    async function* all() {
      let before = 0;
      for (let i = 0; i < srcs.length; i++) {
        current = i;
        const src = srcs[i]!;
        for await (const it of reader!(src, options, log.add, group)) {
          yield it;
          items++;
          report(before + src.reach);
        }
        before += src.size;
      }
    }
    const r = await writeUnanchoredItems(sink, all(), { onFinding: log.add, closeSink: false, version: options.mtVersion });
    items = r.written;
  } else if (familyOf(kind) === 'pst') {
    if (srcs.length !== 1) throw new Error('a PST/OST file is converted into a stream of its own');
    const src = srcs[0]!;
    const expected = Math.max(1, options.expectedItems ?? 0);
    const pool = options.onlyNids?.length ? undefined : makePool?.({ version: options.mtVersion ?? 5, codepage: options.codepage, forceCodepage: options.forceCodepage });
    workers = pool?.size ?? 0;
    const r = await pstSourceToMt(src, sink, {
      pool,
      splice: options.splice,
      withHidden: options.withHidden,
      withAssoc: options.withAssoc,
      onlyObj: options.onlyNids?.length ? options.onlyNids : undefined,
      rootTarget: options.rootTarget,
      version: options.mtVersion,
      codepage: options.codepage,
      forceCodepage: options.forceCodepage,
      importTime: options.importTime !== undefined ? new Date(options.importTime) : undefined,
      onFinding: log.add,
      onProgress: (e) => {
        if (e.kind !== 'message') return;
        if (e.written) items++;
        seen++;
        report(Math.min(0.99, seen / expected) * total);
      },
    }).finally(() => pool?.close());
    items = r.messages;
    folders = r.folders;
  } else {
    throw new Error('this file is not a mail, calendar or contacts file');
  }
  report(total, true);
  // One file: its name; several: the findings' item names (file#N) say which file.
  const skipped = skippedFrom(log.findings, srcs.length === 1 ? (srcs[0]!.name ?? '') : '');
  return { items, folders, skipped, counts: { ...log.counts }, durationMs: Date.now() - started, ...(workers ? { workers } : {}) };
}
