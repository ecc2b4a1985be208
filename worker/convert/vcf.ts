/**
 * VCF → MAPI items: the vCard reader (worker/vcard/) driven card by card over a ByteSource, as an
 * async iterable the GXMT writer consumes. Item-level by default (a bad card is skipped with a
 * finding, the rest is emitted); `strict` reproduces gromox-vcf2mt's all-or-nothing per file.
 * Groups whose members refer to cards not seen yet are held back to the end of their file; what the
 * bounded UID index cannot resolve then is looked up in a second pass over the file (the source is
 * random-access), so memory grows with the references used, not with the number of cards.
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';
import type { MessageContent } from '../mapi/types.ts';
import { readCards, type Vcard } from '../vcard/card.ts';
import type { LexOptions } from '../vcard/lexer.ts';
import { mapCard, type MappedCard } from '../vcard/contact.ts';
import { chainLookup, groupToDistList, MemberIndex, membersResolvable, unresolvedRefs } from '../vcard/distlist.ts';
import { vcfFinding } from '../vcard/codes.ts';
import * as P from '../mapi/tags.ts';

export { MemberIndex } from '../vcard/distlist.ts';
export { DELIBERATE_DIFFERENCES } from '../vcard/contact.ts';
export { GROMOX_VCARD_NAME_ORDER } from '../vcard/names.ts';

export interface VcfOptions {
  /** Windows code page for 8-bit values without CHARSET that are not valid UTF-8 (default 1252). */
  codepage?: number;
  /**
   * gromox parity: a file with any card gromox would reject (VERSION other than 3.0/4.0, a damaged
   * card, with `pedantic` an unknown property) yields nothing and vcfItems throws VcfStrictError;
   * like gromox, reading stops at the first junk line outside a card.
   */
  strict?: boolean;
  /** gromox -P: reject a card that has a property the mapping does not know. */
  pedantic?: boolean;
  /** UID index shared across the files of one run (group members by UID); one per file if absent. */
  index?: MemberIndex;
  /** Lexer limits (chunk size, longest line). */
  lex?: LexOptions;
}

export interface VcfItem {
  content: MessageContent;
  /** `file.vcf#N` (1-based card number). */
  item: string;
}

/** Thrown in strict mode after the file's findings were reported; nothing of the file was yielded. */
export class VcfStrictError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason} (strict mode: nothing from this file was converted)`);
  }
}

/** A card with no content lines besides BEGIN/VERSION/END (gromox would write an empty contact). */
/** Groups held back for members not seen yet; beyond this they are written at once (bounded memory). */
const MAX_HELD_GROUPS = 10_000;

function hasContent(card: Vcard): boolean {
  return card.lines.length > 0;
}

/** Convert every card of a VCF source to IPM.Contact / IPM.DistList items. */
export async function* vcfItems(source: ByteSource, options: VcfOptions = {}, onFinding: FindingSink = () => {}): AsyncGenerator<VcfItem> {
  const file = source.name ?? 'input';
  const index = options.index ?? new MemberIndex();
  const strict = options.strict ?? false;
  const held: { card: MappedCard; item: string }[] = [];
  const strictOut: VcfItem[] = [];
  let strictFailure: string | undefined;

  const emit = (it: VcfItem): VcfItem | undefined => {
    if (!strict) return it;
    strictOut.push(it);
    return undefined;
  };

  for await (const card of readCards(source, onFinding, { ...options.lex, stopAtJunk: strict }) as AsyncGenerator<Vcard>) {
    if (strict && strictFailure !== undefined) break; // gromox stops at the first rejected card
    const item = `${file}#${card.index + 1}`;
    if (card.damaged) {
      strictFailure ??= `card ${card.index + 1} is damaged`;
      continue; // the finding was reported by the reader
    }
    if (strict && card.declaredVersion !== '3.0' && card.declaredVersion !== '4.0') {
      strictFailure ??= `card ${card.index + 1} has VERSION ${card.declaredVersion ?? 'none'} (gromox accepts 3.0 and 4.0)`;
    }
    let mapped: MappedCard;
    try {
      mapped = mapCard(card, { item, onFinding }, { codepage: options.codepage, pedantic: options.pedantic });
    } catch (e) {
      // A mapping defect must not lose the other cards.
      onFinding(vcfFinding('VCF-MAP-FAILED', { item, offset: card.offset, detail: (e as Error).message }));
      strictFailure ??= `card ${card.index + 1} could not be mapped`;
      continue;
    }
    if (mapped.rejected !== undefined) {
      onFinding(vcfFinding('VCF-PEDANTIC-REJECT', { item, offset: card.offset, detail: mapped.rejected }));
      strictFailure ??= `card ${card.index + 1} has the unknown property ${mapped.rejected}`;
      continue;
    }
    if (!hasContent(card)) {
      onFinding(vcfFinding('VCF-EMPTY-CARD', { item, offset: card.offset }));
      continue;
    }
    index.add(mapped.common.uid, mapped.common.display, mapped.common.emails[0]);
    if (mapped.isGroup) {
      if (!membersResolvable(mapped, index) && held.length < MAX_HELD_GROUPS) {
        held.push({ card: mapped, item });
        continue;
      }
      const out = emit({ content: groupToDistList(mapped, index, { item, onFinding }), item });
      if (out) yield out;
      continue;
    }
    const out = emit({ content: mapped.content, item });
    if (out) yield out;
  }
  if (held.length) {
    const want = new Set<string>();
    for (const h of held) for (const k of unresolvedRefs(h.card, index)) want.add(k);
    // Every card of the file is in the index unless it overflowed: only then can a second pass help.
    const found = want.size && index.dropped > 0 ? await secondPass(source, want, options) : new MemberIndex(0);
    const lookup = chainLookup(index, found);
    for (const h of held) {
      const out = emit({ content: groupToDistList(h.card, lookup, { item: h.item, onFinding }), item: h.item });
      if (out) yield out;
    }
  }
  if (strict) {
    if (strictFailure !== undefined) {
      onFinding(vcfFinding('VCF-STRICT-ABORT', { item: file, detail: strictFailure }));
      throw new VcfStrictError(file, strictFailure);
    }
    yield* strictOut;
  }
}

/** Re-read the file for the cards with the wanted UIDs (names and first address only). */
async function secondPass(source: ByteSource, want: Set<string>, options: VcfOptions): Promise<MemberIndex> {
  const found = new MemberIndex(want.size);
  const quiet = () => {};
  for await (const card of readCards(source, quiet, options.lex)) {
    if (card.damaged) continue;
    const uidLine = card.lines.find((l) => l.name === 'UID');
    if (!uidLine) continue;
    const m = mapCard({ ...card, lines: card.lines.filter((l) => ['UID', 'FN', 'N', 'EMAIL', 'ORG'].includes(l.name)) }, { item: '', onFinding: quiet }, { codepage: options.codepage });
    if (m.common.uid && want.has(MemberIndex.key(m.common.uid))) found.add(m.common.uid, m.common.display, m.common.emails[0]);
    if (found.size === want.size) break;
  }
  return found;
}

/** Message class of an item (for summaries). */
export const itemClass = (c: MessageContent): string =>
  (c.props.find((p) => p.tag === P.PR_MESSAGE_CLASS && !p.name)?.value as string | undefined) ?? '';
