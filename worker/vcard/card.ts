/**
 * Cards from content lines: `BEGIN:VCARD … END:VCARD` blocks ([vCard 2.1] 2.1.1, RFC 2426 2.4,
 * RFC 6350 6.1.1). Unlike gromox, junk between cards does not end the file: it is reported and the
 * next BEGIN:VCARD is looked for, so one damaged card loses only itself.
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';
import { type ContentLine, type LexOptions, logicalLineBatches, parseContentLine } from './lexer.ts';
import { vcfFinding } from './codes.ts';

export type VcardVersion = '2.1' | '3.0' | '4.0';

export interface Vcard {
  /** 0-based index of the card in its file. */
  index: number;
  /** Byte offset of BEGIN:VCARD. */
  offset: number;
  version: VcardVersion;
  /** The VERSION line as written (trimmed), or undefined if missing. */
  declaredVersion?: string;
  /** Content lines between BEGIN and END, without BEGIN/END/VERSION, in file order. */
  lines: ContentLine[];
  /** A line was too long: the card is incomplete and must be skipped. */
  damaged: boolean;
  /** The file ended before END:VCARD. */
  unterminated: boolean;
}

const ascii = (b: Uint8Array, max: number) => {
  let s = '';
  for (let i = 0; i < b.length && i < max; i++) s += String.fromCharCode(b[i]!);
  return s;
};

export interface ReadCardsOptions extends LexOptions {
  /** gromox parity: the first non-blank line outside a card that is not BEGIN:VCARD ends the file. */
  stopAtJunk?: boolean;
}

export async function* readCards(source: ByteSource, onFinding: FindingSink, options: ReadCardsOptions = {}): AsyncGenerator<Vcard> {
  const name = source.name ?? 'input';
  let card: Vcard | undefined;
  let nested = 0;
  let index = 0;
  let junkReported = false;
  const finish = (c: Vcard): Vcard => {
    const v = c.declaredVersion;
    if (v === '2.1' || v === '3.0' || v === '4.0') c.version = v;
    else {
      c.version = '3.0';
      onFinding(vcfFinding(v === undefined ? 'VCF-NO-VERSION' : 'VCF-BAD-VERSION', { offset: c.offset, item: `${name}#${c.index + 1}`, detail: v }));
    }
    return c;
  };
  for await (const batch of logicalLineBatches(source, options)) for (const raw of batch) {
    // Only lines starting with B/E (after blanks) can delimit a card; skip the string work otherwise.
    let k = 0;
    while (k < raw.bytes.length && (raw.bytes[k] === 0x20 || raw.bytes[k] === 0x09)) k++;
    const c0 = (raw.bytes[k] ?? 0) & 0xdf;
    const c1 = (raw.bytes[k + 1] ?? 0) & 0xdf;
    const marker = ((c0 === 0x42 && c1 === 0x45) || (c0 === 0x45 && c1 === 0x4e)) && raw.bytes.length < 64 ? ascii(raw.bytes, 64).toUpperCase().trim() : '';
    const isBegin = marker !== '' && /^BEGIN\s*:\s*VCARD$/.test(marker);
    const isEnd = marker !== '' && /^END\s*:\s*VCARD$/.test(marker);
    const blank = k === raw.bytes.length;
    if (!card) {
      if (isBegin) {
        card = { index: index++, offset: raw.offset, version: '3.0', lines: [], damaged: false, unterminated: false };
        junkReported = false;
      } else if (isEnd) {
        onFinding(vcfFinding('VCF-END-WITHOUT-BEGIN', { offset: raw.offset, item: name }));
      } else if (!blank && !junkReported) {
        junkReported = true;
        onFinding(vcfFinding('VCF-JUNK', { offset: raw.offset, item: name, detail: JSON.stringify(ascii(raw.bytes, 40)) }));
        if (options.stopAtJunk) return;
      }
      continue;
    }
    if (isBegin) {
      nested++;
      onFinding(vcfFinding('VCF-NESTED-CARD', { offset: raw.offset, item: `${name}#${card.index + 1}` }));
      continue;
    }
    if (isEnd) {
      if (nested > 0) {
        nested--;
        continue;
      }
      yield finish(card);
      card = undefined;
      continue;
    }
    if (nested > 0) continue;
    if (raw.truncated) {
      card.damaged = true;
      onFinding(vcfFinding('VCF-LINE-TOO-LONG', { offset: raw.offset, item: `${name}#${card.index + 1}` }));
      continue;
    }
    const line = parseContentLine(raw.bytes, raw.offset);
    if (!line) {
      onFinding(vcfFinding('VCF-BAD-LINE', { offset: raw.offset, item: `${name}#${card.index + 1}`, detail: JSON.stringify(ascii(raw.bytes, 40)) }));
      continue;
    }
    if (line.name === 'VERSION' && card.declaredVersion === undefined) {
      card.declaredVersion = ascii(line.value, 32).trim();
      continue;
    }
    card.lines.push(line);
  }
  if (card) {
    card.unterminated = true;
    onFinding(vcfFinding('VCF-UNTERMINATED', { offset: card.offset, item: `${name}#${card.index + 1}` }));
    yield finish(card);
  }
}
