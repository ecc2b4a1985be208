/**
 * vCard groups → IPM.DistList ([MS-OXOCNTC] 2.2.2). A group names its members by `mailto:` URI,
 * bare address, or by the UID of another card (`urn:uuid:…`, Apple's X-ADDRESSBOOKSERVER-MEMBER).
 * Without an address book every member becomes a one-off entry ID ([MS-OXCDATA] 2.2.5.1), written
 * to both PidLidDistributionListMembers and PidLidDistributionListOneOffMembers, with
 * PidLidDistributionListChecksum over the members (CRC-32 of ISO/IEC 8802-3).
 * UID references are resolved through a MemberIndex of the cards seen so far in the run; the
 * caller defers a group whose references are not yet known to the end of its file.
 */
import type { MessageContent } from '../mapi/types.ts';
import * as P from '../mapi/tags.ts';
import { encodeOneOffEntryId } from '../mapi/entryid.ts';
import { vcfFinding } from './codes.ts';
import type { MapContext, MappedCard } from './contact.ts';
import * as N from './names.ts';
import { PropBag } from './props.ts';

/** Looks up a card by the UID a group member refers to. */
export interface MemberLookup {
  get(ref: string): { name: string; address: string } | undefined;
}

/**
 * UID → the name and first address of a card, for resolving group members. Bounded: past `limit`
 * entries new cards are not recorded (vcfItems then resolves what is missing with a second pass
 * over the file, which needs memory only for the references actually used).
 */
export class MemberIndex implements MemberLookup {
  /** key → "name\0address" (one string per entry keeps the index small). */
  private readonly map = new Map<string, string>();
  dropped = 0;
  constructor(readonly limit = 50_000) {}
  static key(ref: string): string {
    const t = ref.trim();
    return (t.length > 9 && t.slice(0, 9).toLowerCase() === 'urn:uuid:' ? t.slice(9) : t).toLowerCase();
  }
  add(uid: string | undefined, name: string, address: string | undefined): void {
    if (!uid || !address) return;
    const k = MemberIndex.key(uid);
    if (this.map.has(k)) return;
    if (this.map.size >= this.limit) {
      this.dropped++;
      return;
    }
    this.map.set(k, `${name}\0${address}`);
  }
  get(ref: string): { name: string; address: string } | undefined {
    const v = this.map.get(MemberIndex.key(ref));
    if (v === undefined) return undefined;
    const z = v.indexOf('\0');
    return { name: v.slice(0, z), address: v.slice(z + 1) };
  }
  get size(): number {
    return this.map.size;
  }
}

/** The first lookup that knows the reference. */
export function chainLookup(...lookups: MemberLookup[]): MemberLookup {
  return { get: (ref) => lookups.reduce<ReturnType<MemberLookup['get']>>((hit, l) => hit ?? l.get(ref), undefined) };
}

export interface ResolvedMember {
  name: string;
  address: string;
}

const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;

/** A member value as an address, or a UID reference (`ref`), or neither. */
export function classifyMember(value: string): { address?: string; ref?: string } {
  const v = value.trim();
  if (/^mailto:/i.test(v)) {
    const a = decodeURIComponentSafe(v.slice(7).split('?')[0]!);
    return ADDRESS.test(a) ? { address: a } : {};
  }
  if (ADDRESS.test(v)) return { address: v };
  if (/^urn:uuid:/i.test(v) || !/^[a-z][a-z0-9+.-]*:/i.test(v)) return { ref: v };
  return {}; // tel:, sip:, http: … have no e-mail address
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** UID references of the group that `index` cannot resolve (as MemberIndex keys). */
export function unresolvedRefs(card: MappedCard, index: MemberLookup): string[] {
  const out: string[] = [];
  for (const m of card.common.members) {
    const c = classifyMember(m);
    if (c.ref !== undefined && !index.get(c.ref)) out.push(MemberIndex.key(c.ref));
  }
  return out;
}

/** Whether every member of the group can be resolved with the index as it is now. */
export function membersResolvable(card: MappedCard, index: MemberLookup): boolean {
  for (const m of card.common.members) {
    const c = classifyMember(m);
    if (c.ref !== undefined && !index.get(c.ref)) return false;
  }
  return true;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of ISO/IEC 8802-3 (reflected 0x04C11DB7, init and final XOR 0xFFFFFFFF), over several buffers. */
export function crc32(parts: readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Build the IPM.DistList for a group card mapped by mapCard. */
export function groupToDistList(card: MappedCard, index: MemberLookup, ctx: MapContext): MessageContent {
  const resolved: ResolvedMember[] = [];
  const seen = new Set<string>();
  const reported = new Set<string>();
  for (const m of card.common.members) {
    const c = classifyMember(m);
    let member: ResolvedMember | undefined;
    if (c.address) member = { name: c.address, address: c.address };
    else if (c.ref !== undefined) {
      const hit = index.get(c.ref);
      if (hit) member = { name: hit.name || hit.address, address: hit.address };
    }
    if (!member) {
      if (!reported.has(m)) ctx.onFinding(vcfFinding('VCF-MEMBER-UNRESOLVED', { item: ctx.item, detail: m }));
      reported.add(m);
      continue;
    }
    const k = member.address.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    resolved.push(member);
  }

  // Keep the contact mapping's common properties, replace the class, add the list.
  const keep = new Set([
    P.PR_DISPLAY_NAME, P.PR_NORMALIZED_SUBJECT, P.PR_CONVERSATION_TOPIC, P.PR_BODY, P.PR_LAST_MODIFICATION_TIME,
    P.PR_SENSITIVITY,
  ]);
  const keepNamed = [N.PidNameVcardUid, N.PidNameKeywords];
  const bag = new PropBag();
  bag.set(P.PR_MESSAGE_CLASS, 'IPM.DistList');
  for (const p of card.content.props) {
    if (p.name) {
      const def = keepNamed.find((d) => d.name.guid === p.name!.guid && d.name.lid === p.name!.lid && d.name.name === p.name!.name);
      if (def) bag.setNamed(def, p.value);
    } else if (keep.has(p.tag)) bag.set(p.tag, p.value);
  }
  bag.setNamed(N.PidLidDistributionListName, card.common.display);
  if (resolved.length) {
    const ids = resolved.map((m) => encodeOneOffEntryId(m.name, 'SMTP', m.address));
    bag.setNamed(N.PidLidDistributionListMembers, ids);
    bag.setNamed(N.PidLidDistributionListOneOffMembers, ids.map((b) => b.slice()));
    bag.setNamed(N.PidLidDistributionListChecksum, crc32(ids));
  }
  return { props: bag.props(), recipients: [], attachments: [] };
}
