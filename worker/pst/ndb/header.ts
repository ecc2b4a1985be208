/**
 * HEADER and ROOT ([MS-PST] 2.2.2.6 / 2.2.2.5) and the variant "layout" derived from wVer: every
 * other NDB module takes its sizes and offsets from the Layout instead of branching on the
 * variant, so ANSI, Unicode and 4K OST share one code path. Also recognises what a file is when
 * it is not a PST, so the one error a user sees names it.
 */
import { PstOpenError, type PstVariant, type PstEncryption, type PstHeaderInfo } from '../index.ts';

/** Sizes and offsets of one format variant ([MS-PST] 2.2.2.7-8, pst-format.md §4, §7, §8.2). */
export interface Layout {
  ansi: boolean;
  fourK: boolean;
  /** BID/IB width in B-tree entries and blocks: 4 (ANSI) or 8. */
  idSize: 4 | 8;
  pageSize: number;
  /** Offset of PAGETRAILER in a page (= bytes covered by its CRC). */
  pageTrailerAt: number;
  /** End of the BTPAGE entry area (cEnt follows). */
  btEntriesEnd: number;
  blockAlign: number;
  blockTrailerSize: number;
  /** Largest block payload (8180 / 8176 / 65512). */
  maxBlockData: number;
  /** Shift of hidBlockIndex in a HID (16, or 19 for 4K). */
  hidBlockShift: number;
  /** Entry sizes: BTENTRY, BBTENTRY, NBTENTRY. */
  btEntry: number;
  bbtEntry: number;
  nbtEntry: number;
}

export const LAYOUT_ANSI: Layout = {
  ansi: true, fourK: false, idSize: 4, pageSize: 512, pageTrailerAt: 500, btEntriesEnd: 496,
  blockAlign: 64, blockTrailerSize: 12, maxBlockData: 8180, hidBlockShift: 16, btEntry: 12, bbtEntry: 12, nbtEntry: 16,
};
export const LAYOUT_UNICODE: Layout = {
  ansi: false, fourK: false, idSize: 8, pageSize: 512, pageTrailerAt: 496, btEntriesEnd: 488,
  blockAlign: 64, blockTrailerSize: 16, maxBlockData: 8176, hidBlockShift: 16, btEntry: 24, bbtEntry: 24, nbtEntry: 32,
};
export const LAYOUT_4K: Layout = {
  ansi: false, fourK: true, idSize: 8, pageSize: 4096, pageTrailerAt: 4072, btEntriesEnd: 4056,
  blockAlign: 512, blockTrailerSize: 24, maxBlockData: 65512, hidBlockShift: 19, btEntry: 24, bbtEntry: 24, nbtEntry: 32,
};

export interface Header extends PstHeaderInfo {
  variant: PstVariant;
  encryption: PstEncryption;
  layout: Layout;
  dwCRCPartial: number;
  dwCRCFull?: number;
  bidNextB: number;
  bidNextP: number;
  bSentinel: number;
}

/** Read a little-endian u64 as a JS number (exact below 2^53, which covers every real file). */
export function u64(dv: DataView, at: number): number {
  return dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 4294967296;
}

/** Read a BID/IB of the layout's width. */
export function readId(dv: DataView, at: number, size: 4 | 8): number {
  return size === 4 ? dv.getUint32(at, true) : u64(dv, at);
}

// Byte-wise readers over a Uint8Array, for the hot paths that parse a block or page in place
// without a DataView per call.
/** Little-endian u16 at b[o]. */
export const le16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
/** Little-endian u32 at b[o]. */
export const le32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
/** readId() over bytes: a BID/NID field of `size` bytes at b[o]. */
export const leId = (b: Uint8Array, o: number, size: number): number => (size === 8 ? le32(b, o) + le32(b, o + 4) * 4294967296 : le32(b, o));
/**
 * dwCRC of a PAGETRAILER or BLOCKTRAILER starting at b[t] ([MS-PST] 2.2.2.7.1, 2.2.2.8.1): after
 * its first 4 bytes, ANSI has bid then dwCRC, Unicode dwCRC then an 8-byte bid.
 */
export const trailerCrc = (b: Uint8Array, t: number, ansi: boolean): number => le32(b, ansi ? t + 8 : t + 4);
/** The bid of the trailer at b[t] (see trailerCrc). */
export const trailerBid = (b: Uint8Array, t: number, ansi: boolean): number => (ansi ? le32(b, t + 4) : leId(b, t + 8, 8));

const ascii = (b: Uint8Array, n: number) => String.fromCharCode(...b.subarray(0, Math.min(n, b.length)));

/** Name what a non-PST file looks like, from its first bytes (pst-format.md §12). */
export function sniffFormat(b: Uint8Array): { kind: string; label: string } | undefined {
  const head = ascii(b, 512);
  const lower = head.toLowerCase().replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart();
  if (b.length > 0 && b.every((x) => x === 0)) return { kind: 'zeros', label: 'a file of zero bytes only (an incomplete copy?)' };
  if (head.startsWith('From ')) return { kind: 'mbox', label: 'an mbox mailbox' };
  if (lower.startsWith('<!doctype html') || lower.startsWith('<html') || /^<(head|body|meta|title)\b/.test(lower)) return { kind: 'html', label: 'an HTML page (a failed download?)' };
  if (lower.startsWith('<?xml')) return { kind: 'xml', label: 'an XML document' };
  if (head.startsWith('PK\x03\x04')) return { kind: 'zip', label: 'a ZIP archive' };
  if (b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0) return { kind: 'ole2', label: 'an OLE2 compound file (an Outlook .msg item?)' };
  if (head.startsWith('%PDF')) return { kind: 'pdf', label: 'a PDF document' };
  if (b[0] === 0x1f && b[1] === 0x8b) return { kind: 'gzip', label: 'a gzip archive' };
  if (lower.startsWith('begin:vcalendar')) return { kind: 'ics', label: 'an iCalendar file' };
  if (lower.startsWith('begin:vcard')) return { kind: 'vcf', label: 'a vCard file' };
  if (b[0] === 0x78 && b[1] === 0x9f && b[2] === 0x3e && b[3] === 0x22) return { kind: 'tnef', label: 'a TNEF (winmail.dat) file' };
  if (/^(received|return-path|from|to|subject|date|message-id|mime-version|delivered-to|x-[a-z-]+):/i.test(head)) return { kind: 'eml', label: 'an e-mail message (.eml)' };
  return undefined;
}

/**
 * Parse the header from the first 564 bytes; `fileSize` is the input length. Throws PstOpenError
 * for empty files, non-PST files and cut-off headers; returns CRC results for the caller to report.
 */
export function parseHeader(b: Uint8Array, fileSize: number, crc32?: (d: Uint8Array) => number): {
  header: Header;
  crcPartialOk?: boolean;
  crcFullOk?: boolean;
} {
  if (fileSize === 0) throw new PstOpenError('PST-EMPTY', 'The file is empty (0 bytes); it is not a PST/OST file.', 'empty');
  const magic = b.length >= 4 && b[0] === 0x21 && b[1] === 0x42 && b[2] === 0x44 && b[3] === 0x4e;
  if (!magic) {
    const what = sniffFormat(b);
    if (what) throw new PstOpenError('PST-NOT-PST', `This is ${what.label}, not a PST/OST file.`, what.kind);
    throw new PstOpenError('PST-NOT-PST', 'This is not a PST/OST file: it does not start with the "!BDN" signature (HEADER.dwMagic).', 'unknown');
  }
  if (b.length < 24) throw new PstOpenError('PST-TRUNCATED-HEADER', `The file is cut off after ${fileSize} bytes, inside the PST header.`, 'truncated');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const wVer = dv.getUint16(10, true);
  const clientMagic = String.fromCharCode(b[8]!, b[9]!);
  let layout: Layout;
  if (wVer === 14 || wVer === 15) layout = LAYOUT_ANSI;
  else if (wVer === 21 || wVer === 23) layout = LAYOUT_UNICODE;
  else if (wVer === 36 || wVer === 37) layout = LAYOUT_4K;
  else if (wVer < 21 && wVer > 0 && b.length >= 461 && b[460] === 0x80) layout = LAYOUT_ANSI;
  else if (wVer > 15 && wVer < 36 && b.length >= 513 && b[512] === 0x80) layout = LAYOUT_UNICODE;
  else throw new PstOpenError('PST-UNSUPPORTED-VERSION', `This PST header has format version ${wVer} (HEADER.wVer), which is not a known PST/OST variant.`, 'pst');
  const need = layout.ansi ? 512 : 564;
  if (b.length < need) {
    throw new PstOpenError('PST-TRUNCATED-HEADER', `The file is cut off after ${fileSize} bytes: a ${layout.ansi ? 'ANSI' : 'Unicode'} PST header alone needs ${need} bytes, so this copy is incomplete.`, 'truncated');
  }
  let header: Header;
  const base = {
    wVer, wVerClient: dv.getUint16(12, true), clientMagic, pageSize: layout.pageSize, layout,
    dwCRCPartial: dv.getUint32(4, true),
  };
  if (layout.ansi) {
    const crypt = b[461]!;
    header = {
      ...base, variant: 'ansi', encryption: cryptName(crypt), bCryptMethod: crypt,
      bidNextB: dv.getUint32(24, true), bidNextP: dv.getUint32(28, true),
      ibFileEof: dv.getUint32(168, true),
      nbtRoot: { bid: dv.getUint32(184, true), ib: dv.getUint32(188, true) },
      bbtRoot: { bid: dv.getUint32(192, true), ib: dv.getUint32(196, true) },
      fAMapValid: b[200]!, bSentinel: b[460]!,
    };
  } else {
    const crypt = b[513]!;
    header = {
      ...base,
      variant: layout.fourK ? 'ost4k' : clientMagic === 'SO' ? 'ost' : 'unicode',
      encryption: cryptName(crypt), bCryptMethod: crypt,
      bidNextB: u64(dv, 516), bidNextP: u64(dv, 32),
      ibFileEof: u64(dv, 184),
      nbtRoot: { bid: u64(dv, 216), ib: u64(dv, 224) },
      bbtRoot: { bid: u64(dv, 232), ib: u64(dv, 240) },
      fAMapValid: b[248]!, bSentinel: b[512]!, dwCRCFull: dv.getUint32(524, true),
    };
  }
  if (crypt(header) === 0x10) {
    throw new PstOpenError('PST-UNSUPPORTED-CRYPT', 'This file is protected with Windows Information Protection (bCryptMethod 0x10); it can only be read on the Windows account that wrote it.', 'pst');
  }
  if (header.bCryptMethod > 2) {
    throw new PstOpenError('PST-UNSUPPORTED-CRYPT', `This file uses an unknown encryption method ${header.bCryptMethod} (HEADER.bCryptMethod).`, 'pst');
  }
  const result: { header: Header; crcPartialOk?: boolean; crcFullOk?: boolean } = { header };
  if (crc32) {
    result.crcPartialOk = crc32(b.subarray(8, 8 + 471)) === header.dwCRCPartial;
    if (!layout.ansi) result.crcFullOk = crc32(b.subarray(8, 8 + 516)) === header.dwCRCFull;
  }
  return result;
}

function crypt(h: Header): number {
  return h.bCryptMethod;
}

function cryptName(c: number): PstEncryption {
  return c === 1 ? 'permute' : c === 2 ? 'cyclic' : 'none';
}

/** wSig ([MS-PST] 5.5): (ib ^ bid) folded to 16 bits, over the low 32 bits of each. */
export function computeSig(ib: number, bid: number): number {
  const x = ((ib >>> 0) ^ (bid >>> 0)) >>> 0;
  return ((x >>> 16) ^ (x & 0xffff)) & 0xffff;
}
