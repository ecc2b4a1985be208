/**
 * The PST reader's finding codes, one per structural check (outlook-pst-rs style: one error
 * variant per check, named after the spec structure), each with a default severity and a
 * plain-language explanation. Every layer reports through `Reporter`, which de-duplicates
 * (the same damaged block is often met by several readers) and fills in the common fields.
 */
import type { Finding, FindingSink, Severity } from '../findings.ts';

export const CODES = {
  'PST-HEADER-CRC': ['error', 'The file header checksum does not match; header fields may be wrong.'],
  'PST-HEADER-VERSION': ['warning', 'The header carries an unusual format version.'],
  'PST-HEADER-SENTINEL': ['warning', 'The header sentinel byte is not 0x80.'],
  'PST-AMAP-INVALID': ['warning', 'The allocation maps are marked invalid (fAMapValid); Outlook would rebuild them. Reading is not affected.'],
  'PST-FILE-TRUNCATED': ['error', 'The file is shorter than the header says (ibFileEof): it was cut off, e.g. by an incomplete copy.'],
  'PST-FILE-TRAILING': ['warning', 'The file is longer than the header says (ibFileEof); the extra bytes are ignored.'],
  'PST-ZERO-RUN': ['error', 'A long run of zero bytes covers data the file refers to (typical of a half-copied file).'],
  'PST-ZERO-RUN-FREE': ['info', 'A long run of zero bytes lies in unused space.'],
  'PST-PAGE-BOUNDS': ['error', 'A page reference points outside the file or is not page-aligned.'],
  'PST-PAGE-TYPE': ['error', 'A page has the wrong page type (PAGETRAILER.ptype/ptypeRepeat).'],
  'PST-PAGE-BID': ['error', 'A page trailer names a different page id than the reference that led to it (PAGETRAILER.bid).'],
  'PST-PAGE-CRC': ['error', 'A page checksum does not match (PAGETRAILER.dwCRC).'],
  'PST-PAGE-SIG': ['warning', 'A page signature does not match (PAGETRAILER.wSig).'],
  'PST-BTREE-ENTRY': ['error', 'A B-tree page has an impossible entry count, size or level (BTPAGE).'],
  'PST-BTREE-ORDER': ['error', 'B-tree keys are not in ascending order or outside the range of their parent entry.'],
  'PST-BTREE-CYCLE': ['error', 'A B-tree refers back to a page already on its path (cycle); that branch is skipped.'],
  'PST-BTREE-LEVEL': ['error', 'A B-tree child page has the wrong level.'],
  'PST-BTREE-RANGE': ['warning', 'A B-tree entry refers outside the file.'],
  'PST-NBT-MISSING': ['error', 'A node the file refers to is not in the node B-tree.'],
  'PST-BBT-MISSING': ['error', 'A block the file refers to is not in the block B-tree.'],
  'PST-BBT-RECOVERED': ['warning', 'The block B-tree is damaged; blocks were located by scanning the file instead.'],
  'PST-BLOCK-BOUNDS': ['error', 'A block lies (partly) outside the file.'],
  'PST-BLOCK-SIZE': ['error', 'A block trailer size disagrees with the block B-tree (BLOCKTRAILER.cb).'],
  'PST-BLOCK-BID': ['error', 'A block trailer names a different block id (BLOCKTRAILER.bid).'],
  'PST-BLOCK-SIG': ['error', 'A block signature does not match (BLOCKTRAILER.wSig).'],
  'PST-BLOCK-CRC': ['error', 'A block checksum does not match (BLOCKTRAILER.dwCRC); its content may be damaged.'],
  'PST-BLOCK-INFLATE': ['error', 'A compressed block does not inflate to its stated size.'],
  'PST-BLOCK-TYPE': ['error', 'An internal block has an unknown type or level (XBLOCK/SLBLOCK btype, cLevel).'],
  'PST-DATATREE-TOTAL': ['warning', 'A data tree total size (XBLOCK.lcbTotal) disagrees with its blocks.'],
  'PST-DATATREE-CYCLE': ['error', 'A data or subnode tree refers to itself (cycle).'],
  'PST-SUBNODE-MISSING': ['error', 'A subnode the item refers to is missing.'],
  'PST-HN-SIG': ['error', 'A heap-on-node does not start with its signature (HNHDR.bSig 0xEC).'],
  'PST-HN-PAGEMAP': ['error', 'A heap page map is out of bounds (HNPAGEMAP).'],
  'PST-HN-HID': ['error', 'A heap id points to no allocation (HID).'],
  'PST-HN-CLIENT': ['error', 'A heap has an unexpected client signature (HNHDR.bClientSig).'],
  'PST-BTH-HEADER': ['error', 'A B-tree-on-heap header is invalid (BTHHEADER).'],
  'PST-BTH-CYCLE': ['error', 'A B-tree-on-heap is too deep or cyclic.'],
  'PST-PC-VALUE': ['warning', 'A property value could not be read (PC/HNID); the property is skipped.'],
  'PST-TC-INFO': ['error', 'A table context header is invalid (TCINFO).'],
  'PST-TC-ROW': ['warning', 'A table row is out of bounds or inconsistent (TC row index/matrix); the row is skipped.'],
  'PST-TC-CELL': ['warning', 'A table cell could not be read; the cell is skipped.'],
  'PST-NAMEID': ['warning', 'A name-to-ID map entry is damaged; the property keeps its raw number.'],
  'PST-NAMEID-MISSING': ['warning', 'The name-to-ID map is missing or unreadable; named properties keep raw numbers.'],
  'PST-NAMEID-UNKNOWN': ['warning', 'A named property id is not in the name-to-ID map.'],
  'PST-FOLDER': ['error', 'A folder could not be read.'],
  'PST-CONTENTS-RECOVERED': ['warning', 'A contents table is damaged; its messages were found through the node B-tree (NBTENTRY.nidParent) instead.'],
  'PST-MESSAGE': ['error', 'A message could not be read.'],
  'PST-ATTACHMENT': ['error', 'An attachment could not be read.'],
  'PST-RECIPIENTS': ['error', 'The recipient table of a message could not be read.'],
  'PST-EMBED-DEPTH': ['error', 'Embedded messages nest too deeply (cycle?); deeper levels are skipped.'],
  'PST-STRING8-CODEPAGE': ['warning', '8-bit text did not fit its code page; it was decoded with replacement characters.'],
  'PST-CODEPAGE-UNKNOWN': ['warning', 'An object names a code page this reader does not know; the default was used.'],
  'PST-PASSWORD': ['info', 'The store has a password (PidTagPstPassword). It is a UI-only lock: the data is readable without it.'],
  'PST-ORPHAN': ['warning', 'A node is not reachable from the root folder.'],
  'PST-UNSUPPORTED': ['error', 'A feature of this file is not supported.'],
} as const satisfies Record<string, readonly [Severity, string]>;

export type PstCode = keyof typeof CODES;

export interface ReportFields {
  nid?: number;
  offset?: number;
  field?: string;
  item?: string;
  /** Replaces the table's message; the code's message is the default. */
  message?: string;
  severity?: Severity;
}

/** Formats and de-duplicates findings before they reach the caller's sink. */
export class Reporter {
  private readonly seen = new Set<string>();
  count = 0;
  constructor(private readonly sink: FindingSink | undefined, private readonly limit = 1_000_000) {}

  report(code: PstCode, f: ReportFields = {}): void {
    const key = `${code}|${f.nid ?? ''}|${f.offset ?? ''}|${f.field ?? ''}`;
    if (this.seen.has(key)) return;
    if (this.seen.size < this.limit) this.seen.add(key);
    this.count++;
    const [severity, text] = CODES[code];
    const finding: Finding = { code, severity: f.severity ?? severity, message: f.message ? `${text} ${f.message}` : text };
    if (f.nid !== undefined) finding.nid = f.nid;
    if (f.offset !== undefined) finding.offset = f.offset;
    if (f.field !== undefined) finding.field = f.field;
    if (f.item !== undefined) finding.item = f.item;
    this.sink?.(finding);
  }
}

export const hex = (n: number): string => '0x' + n.toString(16);
