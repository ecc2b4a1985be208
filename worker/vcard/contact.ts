/**
 * vCard → IPM.Contact ([MS-OXOCNTC] 2.2.1), following gromox's oxvcard mapping
 * (reference mime-ical-vcard.md §4.2) property by property, with the deliberate fixes listed in
 * DELIBERATE_DIFFERENCES. Groups (KIND:group, X-ADDRESSBOOKSERVER-KIND:group) are recognised here
 * and handed to distlist.ts. The mapper is pure: one card in, one MessageContent out, findings
 * through the sink; no clock, no randomness.
 */
import type { FindingSink } from '../findings.ts';
import type { AttachmentContent, MessageContent } from '../mapi/types.ts';
import * as P from '../mapi/tags.ts';
import { encodeOneOffEntryId } from '../mapi/entryid.ts';
import type { Vcard } from './card.ts';
import { type ContentLine, param, types } from './lexer.ts';
import { vcfFinding, type VcfCode } from './codes.ts';
import * as N from './names.ts';
import { PropBag } from './props.ts';
import { bareBase64, binaryValue, components, lineText, listValues, sniffImage, unescapeText } from './value.ts';

/**
 * Where this mapping knowingly differs from gromox 3.10 (for the README and the differential test).
 */
export const DELIBERATE_DIFFERENCES = {
  'vcard-2.1': 'vCard 2.1 is converted (QUOTED-PRINTABLE, CHARSET, bare TYPE parameters); gromox rejects the file',
  'no-version': 'a card without VERSION is read as 3.0 with a warning; gromox rejects the file',
  'item-level': 'a damaged card is skipped with a finding, the rest of the file is converted; gromox emits nothing',
  'junk': 'text between cards is reported and the next BEGIN:VCARD is looked for; gromox silently stops reading the file there',
  'empty-card': 'a card with no properties at all is skipped with a finding; gromox writes an empty IPM.Contact',
  'escapes': 'every backslash escape is undone (\\: \\" as well as \\, \\; \\n); gromox keeps unknown escapes',
  'comma-split': 'FN, NICKNAME, N, ADR and ORG keep their (escaped) commas: FN and NICKNAME whole, N components joined with ","; gromox splits them, keeps the first part or drops the line',
  'grouped': 'grouped properties (item1.TEL) are mapped by their name; gromox ignores them',
  'type-set': 'TYPE is read as a set over all TYPE parameters (2.1 bare, 3.0 repeated, 4.0 quoted lists such as TYPE="HOME,VOICE"); gromox looks at the first value of the first TYPE parameter and keeps the quotes',
  'fax': 'TYPE=WORK,FAX in one parameter and a lone FAX map to fax numbers; gromox maps the first to a phone and drops the second',
  'tel-uri': 'TEL;VALUE=uri:tel:… is mapped (scheme removed); gromox skips it',
  'dates': 'BDAY/REV/anniversaries also in basic format (19800322, 20120801T184631Z); gromox reads only the extended format',
  'anniversary': 'vCard 4.0 ANNIVERSARY maps to PR_WEDDING_ANNIVERSARY like X-MS-ANNIVERSARY',
  'categories-name': 'CATEGORIES go to PidNameKeywords (PS_PUBLIC_STRINGS "Keywords") from all CATEGORIES lines; gromox writes LID 0x2328 from the first line only',
  'url-untyped': 'an URL without TYPE becomes the business home page (Outlook\'s "Web page"); gromox drops it',
  'email-details': 'Email1..3 also get DisplayName, OriginalDisplayName, OriginalEntryId (one-off) and the AddressBookProvider list/type as Outlook writes them; gromox sets address and type only',
  'photo': 'PHOTO becomes ContactPicture.jpg (MIME tag = real format) by value with PR_ATTACHMENT_CONTACTPHOTO on the attachment and PidLidHasPicture on the contact ([MS-OXOCNTC] 2.2.1.8); data: URIs, base64 without ENCODING (Thunderbird) and any image type, recognised by its magic bytes, are accepted; gromox names it ContactPhoto.<TYPE>, flags the message, and skips data: URIs and WebP',
  'impp': 'IMPP fills PidLidInstantMessagingAddress when X-MS-IMADDRESS is absent',
  'display-fallback': 'without FN and name parts the display name falls back to ORG, then the first e-mail; gromox writes an empty display name',
  'distlist': 'groups become IPM.DistList with one-off members ([MS-OXOCNTC] 2.2.2); gromox writes an IPM.Contact',
  'note-join': 'several NOTE lines are joined; gromox keeps the first',
} as const;

export interface ContactMapOptions {
  /** Code page for 8-bit values without CHARSET that are not UTF-8 (default 1252). */
  codepage?: number;
  /** gromox -P: a card with any property this mapping does not know is rejected. */
  pedantic?: boolean;
}

export interface MapContext {
  /** Label for findings, e.g. `file.vcf#3`. */
  item: string;
  onFinding: FindingSink;
}

/** FILETIME of 1970-01-01T00:00:00Z. */
const EPOCH_FILETIME = 116444736000000000n;
const msToFiletime = (ms: number): bigint => EPOCH_FILETIME + BigInt(ms) * 10000n;

/**
 * A date (BDAY, ANNIVERSARY) → FILETIME at 00:00 UTC, as gromox stores birthdays.
 * Accepts YYYY-MM-DD and YYYYMMDD, optionally followed by a time part (ignored). Year-less forms
 * (--MMDD) give undefined.
 */
export function parseDate(s: string): bigint | undefined {
  const m = /^\s*(\d{4})-?(\d{2})-?(\d{2})(?:[T\s].*)?$/.exec(s);
  if (!m) return undefined;
  const y = +m[1]!, mo = +m[2]!, d = +m[3]!;
  if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const ms = Date.UTC(y, mo - 1, d);
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return msToFiletime(ms);
}

/** A timestamp (REV) → FILETIME. Extended or basic ISO 8601; Z or ±hh[:mm] offsets; no zone = UTC. */
export function parseTimestamp(s: string): bigint | undefined {
  const m = /^\s*(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2}))?(?:[.,]\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$/i.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = [+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
  if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return undefined;
  let ms = Date.UTC(y, mo - 1, d, h, mi, se);
  const z = m[7];
  if (z && z.toUpperCase() !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    ms -= sign * (+digits.slice(0, 2) * 60 + +(digits.slice(2) || 0)) * 60000;
  }
  return msToFiletime(ms);
}

/** Properties the mapping reads (for pedantic mode); X- names not listed are unknown too. */
const KNOWN = new Set([
  'FN', 'N', 'NICKNAME', 'PHOTO', 'BDAY', 'ANNIVERSARY', 'ADR', 'TEL', 'EMAIL', 'TITLE', 'ROLE', 'ORG', 'CATEGORIES',
  'NOTE', 'REV', 'URL', 'CLASS', 'KEY', 'UID', 'FBURL', 'IMPP', 'KIND', 'MEMBER', 'PRODID', 'LABEL',
  'X-MS-OL-DESIGN', 'X-MS-CHILD', 'X-MS-TEXT', 'X-MS-IMADDRESS', 'X-MS-RM-IMACCOUNT', 'X-MS-TEL', 'X-MS-ANNIVERSARY',
  'X-ANNIVERSARY', 'X-MS-SPOUSE', 'X-MS-MANAGER', 'X-MS-ASSISTANT', 'X-MS-INTERESTS', 'X-ADDRESSBOOKSERVER-KIND',
  'X-ADDRESSBOOKSERVER-MEMBER',
]);

type Slot = readonly [number, number, number, number, number, number] | readonly [N.NamedDef, N.NamedDef, N.NamedDef, N.NamedDef, N.NamedDef, N.NamedDef];
/** pobox, street, city, state, postal code, country. */
const WORK_ADDRESS = [N.PidLidWorkAddressPostOfficeBox, N.PidLidWorkAddressStreet, N.PidLidWorkAddressCity, N.PidLidWorkAddressState, N.PidLidWorkAddressPostalCode, N.PidLidWorkAddressCountry] as const;
const HOME_ADDRESS = [P.PR_HOME_ADDRESS_POST_OFFICE_BOX, P.PR_HOME_ADDRESS_STREET, P.PR_HOME_ADDRESS_CITY, P.PR_HOME_ADDRESS_STATE_OR_PROVINCE, P.PR_HOME_ADDRESS_POSTAL_CODE, P.PR_HOME_ADDRESS_COUNTRY] as const;
const OTHER_ADDRESS = [P.PR_OTHER_ADDRESS_POST_OFFICE_BOX, P.PR_OTHER_ADDRESS_STREET, P.PR_OTHER_ADDRESS_CITY, P.PR_OTHER_ADDRESS_STATE_OR_PROVINCE, P.PR_OTHER_ADDRESS_POSTAL_CODE, P.PR_OTHER_ADDRESS_COUNTRY] as const;

const X_MS_TEL: Record<string, number> = {
  ASSISTANT: P.PR_ASSISTANT_TELEPHONE_NUMBER,
  CALLBACK: P.PR_CALLBACK_TELEPHONE_NUMBER,
  COMPANY: P.PR_COMPANY_MAIN_PHONE_NUMBER,
  RADIO: P.PR_RADIO_TELEPHONE_NUMBER,
  TTYTDD: P.PR_TTYTDD_PHONE_NUMBER,
  TTYTTD: P.PR_TTYTDD_PHONE_NUMBER,
};

/** The photo found on a card, before it becomes an attachment. */
export interface CardPhoto {
  bytes: Uint8Array;
  ext: string;
  mime: string;
}

/** The parts of a card shared by contacts and distribution lists. */
export interface CardCommon {
  display: string;
  uid?: string;
  kind?: string;
  members: string[];
  emails: string[];
}

function isGroupKind(kind: string | undefined): boolean {
  return kind !== undefined && kind.trim().toLowerCase() === 'group';
}

export interface MappedCard {
  content: MessageContent;
  common: CardCommon;
  /** KIND:group or X-ADDRESSBOOKSERVER-KIND:group. */
  isGroup: boolean;
  /** Pedantic mode found a property it does not map. */
  rejected?: string;
}

/**
 * Attachment for a contact photo, [MS-OXOCNTC] 2.2.1.8.3: named ContactPicture.jpg with extension
 * .jpg as the spec asks whatever the image format (Outlook finds the picture by that name); the
 * MIME tag tells the real format.
 */
export function photoAttachment(photo: CardPhoto): AttachmentContent {
  const name = 'ContactPicture.jpg';
  const b = new PropBag();
  b.set(P.PR_ATTACH_METHOD, P.ATTACH_BY_VALUE);
  b.set(P.PR_ATTACH_DATA_BIN, photo.bytes);
  b.set(P.PR_ATTACH_EXTENSION, '.jpg');
  b.set(P.PR_ATTACH_FILENAME, name);
  b.set(P.PR_ATTACH_LONG_FILENAME, name);
  b.set(P.PR_DISPLAY_NAME, name);
  b.set(P.PR_ATTACH_MIME_TAG, photo.mime);
  b.set(P.PR_ATTACHMENT_CONTACTPHOTO, true);
  b.set(P.PR_ATTACHMENT_HIDDEN, true);
  b.set(P.PR_RENDERING_POSITION, 0xffffffff);
  return { props: b.props() };
}

/** Map one card. Group cards are mapped as contacts here; the caller turns them into lists. */
export function mapCard(card: Vcard, ctx: MapContext, options: ContactMapOptions = {}): MappedCard {
  const bag = new PropBag();
  const at = (code: VcfCode, line?: ContentLine, detail?: string) =>
    ctx.onFinding(vcfFinding(code, { item: ctx.item, offset: line?.offset, detail }));
  let charsetReported = false;
  const text = (line: ContentLine): string => {
    const r = lineText(line, { codepage: options.codepage });
    if (r.fallback && !charsetReported) {
      charsetReported = true;
      at('VCF-CHARSET', line, line.name);
    }
    return r.text;
  };

  bag.set(P.PR_MESSAGE_CLASS, 'IPM.Contact');
  let fn: string | undefined;
  let photo: CardPhoto | undefined;
  const emails: string[] = [];
  const categories: string[] = [];
  const notes: string[] = [];
  const children: string[] = [];
  const certs: Uint8Array[] = [];
  const untypedUrls: string[] = [];
  const members: string[] = [];
  let userField = 0;
  let kind: string | undefined;
  let uid: string | undefined;
  let rejected: string | undefined;
  let phoneOverflowReported = false;
  let imFromImpp = false;

  // A later ADR of the same kind replaces the earlier one as a whole (gromox: last one wins).
  const setAddress = (slot: Slot, values: string[]) => {
    (slot as readonly (number | N.NamedDef)[]).forEach((target, i) => {
      const v = values[i] ?? '';
      if (typeof target === 'number') {
        bag.delete(target);
        bag.set(target, v);
      } else {
        bag.deleteNamed(target);
        bag.setNamed(target, v);
      }
    });
  };
  // First free slot among the targets; when all are taken the last one is overwritten (as gromox
  // does: a second CELL replaces the first) and the lost number is reported.
  const phone = (line: ContentLine, targets: number[], value: string) => {
    for (const t of targets) if (bag.set(t, value)) return;
    const last = targets[targets.length - 1]!;
    const lost = bag.get(last) as string;
    bag.set(last, value, true);
    if (!phoneOverflowReported && lost !== value) {
      phoneOverflowReported = true;
      at('VCF-PHONE-OVERFLOW', line, lost);
    }
  };
  const put = (tag: number, value: string) => {
    if (value) bag.set(tag, value, true);
  };

  for (const line of card.lines) {
    const name = line.name;
    if (options.pedantic && !KNOWN.has(name) && rejected === undefined) rejected = name;
    switch (name) {
      case 'FN':
        fn = unescapeText(text(line)).trim();
        break;
      case 'N': {
        const t = text(line);
        const c = t.length ? components(t) : [];
        // Each component may be a comma list (RFC 6350 6.2.2); keep all values.
        const part = (i: number) => (c[i] ?? '').trim();
        [P.PR_SURNAME, P.PR_GIVEN_NAME, P.PR_MIDDLE_NAME, P.PR_DISPLAY_NAME_PREFIX, P.PR_GENERATION].forEach((tag, i) => {
          bag.delete(tag);
          bag.set(tag, part(i));
        });
        break;
      }
      case 'NICKNAME':
        put(P.PR_NICKNAME, listValues(text(line))[0] ?? '');
        break;
      case 'PHOTO': {
        const bin = binaryValue(line) ?? bareBase64(line);
        if (!bin || bin.bytes.length === 0) {
          at('VCF-PHOTO-SKIPPED', line, 'not inline data');
          break;
        }
        if (bin.bad) at('VCF-BAD-BASE64', line, 'PHOTO');
        const kindOf = sniffImage(bin.bytes);
        if (!kindOf) at('VCF-PHOTO-SKIPPED', line, 'not a recognised image');
        else if (photo) at('VCF-PHOTO-SKIPPED', line, 'second photo');
        else photo = { bytes: bin.bytes, ...kindOf };
        break;
      }
      case 'BDAY':
      case 'ANNIVERSARY':
      case 'X-MS-ANNIVERSARY':
      case 'X-ANNIVERSARY': {
        const v = parseDate(unescapeText(text(line)));
        if (v === undefined) at('VCF-BAD-DATE', line, `${name}:${text(line)}`);
        else bag.set(name === 'BDAY' ? P.PR_BIRTHDAY : P.PR_WEDDING_ANNIVERSARY, v, true);
        break;
      }
      case 'ADR': {
        const c = components(text(line)).map((s) => s.trim());
        const street = [c[1], c[2]].filter((s) => s).join('\n');
        const values = [c[0] ?? '', street, c[3] ?? '', c[4] ?? '', c[5] ?? '', c[6] ?? ''];
        if (values.every((v) => !v)) break;
        const t = types(line);
        setAddress(t.has('WORK') ? WORK_ADDRESS : t.has('HOME') ? HOME_ADDRESS : OTHER_ADDRESS, values);
        break;
      }
      case 'TEL': {
        let v = unescapeText(text(line)).trim();
        if (/^tel:/i.test(v)) v = v.slice(4).replace(/;ext=/i, ' ext. ');
        if (!v) break;
        const t = types(line);
        if (t.has('FAX')) {
          phone(line, t.has('HOME') ? [P.PR_HOME_FAX_NUMBER] : t.has('WORK') ? [P.PR_BUSINESS_FAX_NUMBER] : [P.PR_PRIMARY_FAX_NUMBER], v);
        } else if (t.has('CELL')) phone(line, [P.PR_MOBILE_TELEPHONE_NUMBER], v);
        else if (t.has('PAGER')) phone(line, [P.PR_PAGER_TELEPHONE_NUMBER], v);
        else if (t.has('CAR')) phone(line, [P.PR_CAR_TELEPHONE_NUMBER], v);
        else if (t.has('ISDN')) phone(line, [P.PR_ISDN_NUMBER], v);
        else if (t.has('HOME')) phone(line, [P.PR_HOME_TELEPHONE_NUMBER, P.PR_HOME2_TELEPHONE_NUMBER], v);
        else if (t.has('WORK')) phone(line, [P.PR_BUSINESS_TELEPHONE_NUMBER, P.PR_BUSINESS2_TELEPHONE_NUMBER], v);
        else if (t.has('PREF')) phone(line, [P.PR_PRIMARY_TELEPHONE_NUMBER], v);
        else if (t.has('MSG') || t.has('VIDEO') || t.has('TEXT') || t.has('TEXTPHONE')) {
          if (t.has('VOICE')) phone(line, [P.PR_OTHER_TELEPHONE_NUMBER], v);
        } else phone(line, [P.PR_OTHER_TELEPHONE_NUMBER], v);
        break;
      }
      case 'X-MS-TEL': {
        const v = unescapeText(text(line)).trim();
        for (const t of types(line)) {
          const tag = X_MS_TEL[t];
          if (tag !== undefined) {
            phone(line, [tag], v);
            break;
          }
        }
        break;
      }
      case 'EMAIL': {
        const v = unescapeText(text(line)).trim().replace(/^mailto:/i, '');
        if (!v || emails.includes(v)) break;
        if (emails.length === 3) at('VCF-EMAIL-OVERFLOW', line, v);
        else emails.push(v);
        break;
      }
      case 'TITLE':
        put(P.PR_TITLE, unescapeText(text(line)).trim());
        break;
      case 'ROLE':
        put(P.PR_PROFESSION, unescapeText(text(line)).trim());
        break;
      case 'ORG': {
        const c = components(text(line)).map((s) => s.trim());
        bag.delete(P.PR_COMPANY_NAME);
        bag.delete(P.PR_DEPARTMENT_NAME);
        bag.set(P.PR_COMPANY_NAME, c[0] ?? '');
        bag.set(P.PR_DEPARTMENT_NAME, c.slice(1).filter((s) => s).join(', '));
        break;
      }
      case 'CATEGORIES':
        for (const v of listValues(text(line))) if (!categories.includes(v)) categories.push(v);
        break;
      case 'NOTE': {
        const v = unescapeText(text(line));
        if (v.trim()) notes.push(v);
        break;
      }
      case 'REV': {
        const v = parseTimestamp(unescapeText(text(line)));
        if (v === undefined) at('VCF-BAD-DATE', line, `REV:${text(line)}`);
        else bag.set(P.PR_LAST_MODIFICATION_TIME, v, true);
        break;
      }
      case 'URL': {
        const v = unescapeText(text(line)).trim();
        if (!v) break;
        const t = types(line);
        if (t.has('HOME')) put(P.PR_PERSONAL_HOME_PAGE, v);
        else if (t.has('WORK')) put(P.PR_BUSINESS_HOME_PAGE, v);
        else untypedUrls.push(v);
        break;
      }
      case 'CLASS': {
        const v = unescapeText(text(line)).trim().toUpperCase();
        bag.set(P.PR_SENSITIVITY, v === 'PRIVATE' ? 2 : v === 'CONFIDENTIAL' ? 3 : 0, true);
        break;
      }
      case 'KEY': {
        const bin = binaryValue(line);
        if (bin && bin.bytes.length) certs.push(bin.bytes);
        break;
      }
      case 'UID':
        uid = unescapeText(text(line)).trim() || uid;
        break;
      case 'FBURL':
        if (unescapeText(text(line)).trim()) bag.setNamed(N.PidLidFreeBusyLocation, unescapeText(text(line)).trim(), true);
        break;
      case 'X-MS-IMADDRESS':
      case 'X-MS-RM-IMACCOUNT':
        // X-MS-IMADDRESS wins over an IMPP seen earlier.
        if (bag.setNamed(N.PidLidInstantMessagingAddress, unescapeText(text(line)).trim(), imFromImpp)) imFromImpp = false;
        break;
      case 'IMPP':
        if (!bag.hasNamed(N.PidLidInstantMessagingAddress)) {
          bag.setNamed(N.PidLidInstantMessagingAddress, unescapeText(text(line)).trim().replace(/^[a-z][a-z0-9+.-]*:/i, ''));
          imFromImpp = true;
        }
        break;
      case 'X-MS-OL-DESIGN':
        bag.setNamed(N.PidLidBusinessCardDisplayDefinition, new TextEncoder().encode(text(line)), true);
        break;
      case 'X-MS-CHILD':
        for (const v of listValues(text(line))) children.push(v);
        break;
      case 'X-MS-TEXT': {
        const defs = [N.PidLidContactUserField1, N.PidLidContactUserField2, N.PidLidContactUserField3, N.PidLidContactUserField4];
        if (userField < 4) bag.setNamed(defs[userField++]!, unescapeText(text(line)));
        break;
      }
      case 'X-MS-SPOUSE':
        put(P.PR_SPOUSE_NAME, unescapeText(text(line)).trim());
        break;
      case 'X-MS-MANAGER':
        put(P.PR_MANAGER_NAME, unescapeText(text(line)).trim());
        break;
      case 'X-MS-ASSISTANT':
        put(P.PR_ASSISTANT, unescapeText(text(line)).trim());
        break;
      case 'X-MS-INTERESTS':
        put(P.PR_HOBBIES, listValues(text(line)).join(', '));
        break;
      case 'KIND':
      case 'X-ADDRESSBOOKSERVER-KIND':
        kind ??= unescapeText(text(line)).trim();
        break;
      case 'MEMBER':
      case 'X-ADDRESSBOOKSERVER-MEMBER': {
        const v = unescapeText(text(line)).trim();
        if (v) members.push(v);
        break;
      }
      default:
        break;
    }
  }

  // Display name: FN, else the name parts (gromox: given middle surname), else ORG or e-mail.
  const given = (bag.get(P.PR_GIVEN_NAME) as string | undefined) ?? '';
  const middle = (bag.get(P.PR_MIDDLE_NAME) as string | undefined) ?? '';
  const surname = (bag.get(P.PR_SURNAME) as string | undefined) ?? '';
  let display = fn ?? '';
  if (!display) display = [given, middle, surname].filter((s) => s).join(' ');
  if (!display) display = ((bag.get(P.PR_COMPANY_NAME) as string | undefined) ?? emails[0] ?? '').trim();
  bag.set(P.PR_DISPLAY_NAME, display, false, true);
  bag.set(P.PR_NORMALIZED_SUBJECT, display, false, true);
  bag.set(P.PR_CONVERSATION_TOPIC, display, false, true);

  // E-mail slots, [MS-OXOCNTC] 2.2.1.2.
  emails.forEach((address, i) => {
    const slot = N.EMAIL_SLOTS[i]!;
    const shown = display ? `${display} (${address})` : address;
    bag.setNamed(slot.display, shown);
    bag.setNamed(slot.type, 'SMTP');
    bag.setNamed(slot.address, address);
    bag.setNamed(slot.original, address);
    bag.setNamed(slot.entryId, encodeOneOffEntryId(shown, 'SMTP', address));
  });
  if (emails.length) {
    bag.setNamed(N.PidLidAddressBookProviderEmailList, emails.map((_, i) => i));
    bag.setNamed(N.PidLidAddressBookProviderArrayType, emails.reduce((m, _, i) => m | (1 << i), 0));
  }

  for (const u of untypedUrls) if (!bag.set(P.PR_BUSINESS_HOME_PAGE, u)) bag.set(P.PR_PERSONAL_HOME_PAGE, u);
  if (categories.length) bag.setNamed(N.PidNameKeywords, categories);
  if (notes.length) bag.set(P.PR_BODY, notes.join('\r\n'));
  if (children.length) bag.set(P.PR_CHILDRENS_NAMES, children);
  if (certs.length) bag.set(P.PR_USER_X509_CERTIFICATE, certs);
  if (uid) bag.setNamed(N.PidNameVcardUid, uid);

  const attachments: AttachmentContent[] = [];
  if (photo) {
    bag.setNamed(N.PidLidHasPicture, true);
    attachments.push(photoAttachment(photo));
  }
  return {
    content: { props: bag.props(), recipients: [], attachments },
    common: { display, uid, kind, members, emails },
    isGroup: isGroupKind(kind),
    rejected,
  };
}
