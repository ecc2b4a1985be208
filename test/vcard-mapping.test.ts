/**
 * Hand-written expectations for the vCard mapping, from the reference (mime-ical-vcard.md §4.2,
 * [MS-OXOCNTC]) and the card text: a vCard 2.1 card with QUOTED-PRINTABLE, CHARSET and a photo
 * (an inline fixture and the corpus's Outlook 2007 export), a vCard 4.0 group, the lexer's
 * folding/soft-break/chunking rules, damage handling, and the stream through the strict reader.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { bytesSource } from '../worker/io/byte-source.ts';
import { MemorySink } from '../worker/io/sink.ts';
import type { Finding } from '../worker/findings.ts';
import type { MessageContent, Prop, PropValue } from '../worker/mapi/types.ts';
import { PSETID } from '../worker/mapi/types.ts';
import * as P from '../worker/mapi/tags.ts';
import { decodeOneOffEntryId, encodeOneOffEntryId } from '../worker/mapi/entryid.ts';
import { vcfItems, VcfStrictError, MemberIndex, type VcfOptions } from '../worker/convert/vcf.ts';
import { writeUnanchoredItems } from '../worker/convert/items-to-mt.ts';
import { decodeGxmtBytes, type MessageFrame } from '../worker/gxmt/index.ts';
import { logicalLines, parseContentLine, types } from '../worker/vcard/lexer.ts';
import { components, decodeQuotedPrintable, listValues, unescapeText } from '../worker/vcard/value.ts';
import { crc32 } from '../worker/vcard/distlist.ts';
import { parseDate, parseTimestamp } from '../worker/vcard/contact.ts';
import { corpusDir, describeCorpus } from './corpus.ts';

const enc = new TextEncoder();
const ADDR = PSETID.Address;

async function convert(text: string | Uint8Array, options: VcfOptions = {}) {
  const findings: Finding[] = [];
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const items: MessageContent[] = [];
  for await (const it of vcfItems(bytesSource(bytes, 'fixture.vcf'), options, (f) => findings.push(f))) items.push(it.content);
  return { items, findings };
}

const tagged = (m: { props: Prop[] }, tag: number): PropValue | undefined => m.props.find((p) => !p.name && p.tag === tag)?.value;
const named = (m: { props: Prop[] }, guid: string, id: number | string): PropValue | undefined =>
  m.props.find((p) => p.name && p.name.guid === guid && (typeof id === 'number' ? p.name.lid === id : p.name.name === id))?.value;
/** FILETIME of a UTC date. */
const ft = (iso: string) => BigInt(Date.parse(iso)) * 10000n + 116444736000000000n;

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('vCard 2.1 with QUOTED-PRINTABLE, CHARSET and a photo', () => {
  // Latin-1 QP name with a soft break, bare TYPE parameters, 2.1 base64 photo on unindented lines.
  const photo = b64(JPEG);
  const card = [
    'BEGIN:VCARD',
    'VERSION:2.1',
    'N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=F6rg;;Dr.;',
    'FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Dr. J=F6rg M=FC=',
    'ller',
    'NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Zeile 1=0D=0AZeile =E2=82=AC2',
    'TEL;HOME;FAX:+49 30 1111',
    'TEL;WORK;VOICE:+49 30 2222',
    'TEL;CELL:+49 170 3333',
    'EMAIL;PREF;INTERNET:joerg@example.de',
    'ADR;HOME:;;Hauptstr. 1;Berlin;;10115;Germany',
    'ORG:Beispiel GmbH;Entwicklung',
    'BDAY:19700102',
    'PHOTO;JPEG;ENCODING=BASE64:',
    photo.slice(0, 12),
    photo.slice(12),
    '',
    'END:VCARD',
    '',
  ].join('\r\n');

  test('maps names, note, phones, address, org, birthday, e-mail and photo', async () => {
    const { items, findings } = await convert(card);
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(items).toHaveLength(1);
    const m = items[0]!;
    expect(tagged(m, P.PR_MESSAGE_CLASS)).toBe('IPM.Contact');
    expect(tagged(m, P.PR_SURNAME)).toBe('Müller');
    expect(tagged(m, P.PR_GIVEN_NAME)).toBe('Jörg');
    expect(tagged(m, P.PR_DISPLAY_NAME_PREFIX)).toBe('Dr.');
    expect(tagged(m, P.PR_DISPLAY_NAME)).toBe('Dr. Jörg Müller');
    expect(tagged(m, P.PR_NORMALIZED_SUBJECT)).toBe('Dr. Jörg Müller');
    expect(tagged(m, P.PR_CONVERSATION_TOPIC)).toBe('Dr. Jörg Müller');
    expect(tagged(m, P.PR_BODY)).toBe('Zeile 1\r\nZeile €2');
    expect(tagged(m, P.PR_HOME_FAX_NUMBER)).toBe('+49 30 1111');
    expect(tagged(m, P.PR_BUSINESS_TELEPHONE_NUMBER)).toBe('+49 30 2222');
    expect(tagged(m, P.PR_MOBILE_TELEPHONE_NUMBER)).toBe('+49 170 3333');
    expect(tagged(m, P.PR_HOME_ADDRESS_STREET)).toBe('Hauptstr. 1');
    expect(tagged(m, P.PR_HOME_ADDRESS_CITY)).toBe('Berlin');
    expect(tagged(m, P.PR_HOME_ADDRESS_POSTAL_CODE)).toBe('10115');
    expect(tagged(m, P.PR_HOME_ADDRESS_COUNTRY)).toBe('Germany');
    expect(tagged(m, P.PR_HOME_ADDRESS_STATE_OR_PROVINCE)).toBeUndefined();
    expect(tagged(m, P.PR_COMPANY_NAME)).toBe('Beispiel GmbH');
    expect(tagged(m, P.PR_DEPARTMENT_NAME)).toBe('Entwicklung');
    expect(tagged(m, P.PR_BIRTHDAY)).toBe(ft('1970-01-02T00:00:00Z'));
    // Email1 as Outlook writes it ([MS-OXOCNTC] 2.2.1.2).
    expect(named(m, ADDR, 0x8083)).toBe('joerg@example.de');
    expect(named(m, ADDR, 0x8082)).toBe('SMTP');
    expect(named(m, ADDR, 0x8080)).toBe('Dr. Jörg Müller (joerg@example.de)');
    expect(named(m, ADDR, 0x8084)).toBe('joerg@example.de');
    expect(decodeOneOffEntryId(named(m, ADDR, 0x8085) as Uint8Array)).toEqual({
      displayName: 'Dr. Jörg Müller (joerg@example.de)', addressType: 'SMTP', emailAddress: 'joerg@example.de', flags: 0x8001,
    });
    expect(named(m, ADDR, 0x8028)).toEqual([0]);
    expect(named(m, ADDR, 0x8029)).toBe(1);
    // Photo: [MS-OXOCNTC] 2.2.1.8.3.
    expect(named(m, ADDR, 0x8015)).toBe(true);
    expect(tagged(m, P.PR_ATTACHMENT_CONTACTPHOTO)).toBeUndefined();
    expect(m.attachments).toHaveLength(1);
    const a = m.attachments[0]!;
    expect(tagged(a, P.PR_ATTACH_DATA_BIN)).toEqual(JPEG);
    expect(tagged(a, P.PR_ATTACHMENT_CONTACTPHOTO)).toBe(true);
    expect(tagged(a, P.PR_ATTACH_METHOD)).toBe(P.ATTACH_BY_VALUE);
    expect(tagged(a, P.PR_ATTACH_EXTENSION)).toBe('.jpg');
    expect(tagged(a, P.PR_ATTACH_FILENAME)).toBe('ContactPicture.jpg');
    expect(tagged(a, P.PR_ATTACH_LONG_FILENAME)).toBe('ContactPicture.jpg');
    expect(tagged(a, P.PR_DISPLAY_NAME)).toBe('ContactPicture.jpg');
    expect(tagged(a, P.PR_ATTACH_MIME_TAG)).toBe('image/jpeg');
  });

  test('8-bit text without CHARSET that is not UTF-8 uses --codepage', async () => {
    const bytes = Uint8Array.from([...enc.encode('BEGIN:VCARD\r\nVERSION:2.1\r\nFN:'), 0xc4, 0xe9, ...enc.encode('\r\nEND:VCARD\r\n')]);
    const cp1252 = await convert(bytes);
    expect(tagged(cp1252.items[0]!, P.PR_DISPLAY_NAME)).toBe('Äé');
    expect(cp1252.findings.map((f) => f.code)).toContain('VCF-CHARSET');
    const cp1251 = await convert(bytes, { codepage: 1251 });
    expect(tagged(cp1251.items[0]!, P.PR_DISPLAY_NAME)).toBe('Дй');
  });

  test('strict mode rejects the 2.1 file as gromox does', async () => {
    const findings: Finding[] = [];
    const it = vcfItems(bytesSource(enc.encode(card), 'x.vcf'), { strict: true }, (f) => findings.push(f));
    await expect((async () => {
      for await (const _ of it) void _;
    })()).rejects.toBeInstanceOf(VcfStrictError);
    expect(findings.map((f) => f.code)).toContain('VCF-STRICT-ABORT');
  });
});

describeCorpus('vCard 2.1 Outlook 2007 export (corpus)', () => {
  test('ez-vcard/outlook-2007.vcf maps as written in the card', async () => {
    const text = readFileSync(join(corpusDir, 'vcf/ez-vcard/outlook-2007.vcf'));
    const { items } = await convert(new Uint8Array(text));
    expect(items).toHaveLength(1);
    const m = items[0]!;
    expect(tagged(m, P.PR_DISPLAY_NAME)).toBe('Mr. Michael Angstadt Jr.');
    expect(tagged(m, P.PR_SURNAME)).toBe('Angstadt');
    expect(tagged(m, P.PR_GENERATION)).toBe('Jr.');
    expect(tagged(m, P.PR_NICKNAME)).toBe('Mike');
    // NOTE;CHARSET=us-ascii;ENCODING=QUOTED-PRINTABLE with =0D=0A= soft breaks.
    expect(tagged(m, P.PR_BODY)).toBe(
      "This is the NOTE field\t\r\nI assume it encodes this text inside a NOTE vCard type.\r\nBut I'm not sure because there's text formatting going on here.\r\nIt does not preserve the formatting",
    );
    expect(tagged(m, P.PR_BUSINESS_TELEPHONE_NUMBER)).toBe('(111) 555-1111');
    expect(tagged(m, P.PR_HOME_TELEPHONE_NUMBER)).toBe('(111) 555-2222');
    expect(tagged(m, P.PR_MOBILE_TELEPHONE_NUMBER)).toBe('(111) 555-4444');
    expect(tagged(m, P.PR_BUSINESS_FAX_NUMBER)).toBe('(111) 555-3333');
    expect(tagged(m, P.PR_CALLBACK_TELEPHONE_NUMBER)).toBe('(111) 555-4444');
    expect(named(m, ADDR, 0x8045)).toBe('TheOffice\n222 Broadway');
    expect(named(m, ADDR, 0x8046)).toBe('New York');
    expect(named(m, ADDR, 0x8049)).toBe('USA');
    expect(tagged(m, P.PR_PERSONAL_HOME_PAGE)).toBe('http://mikeangstadt.name');
    expect(tagged(m, P.PR_BUSINESS_HOME_PAGE)).toBe('http://mikeangstadt.name');
    expect(tagged(m, P.PR_PROFESSION)).toBe('TheProfession');
    expect(tagged(m, P.PR_BIRTHDAY)).toBe(ft('1922-03-10T00:00:00Z'));
    expect(tagged(m, P.PR_WEDDING_ANNIVERSARY)).toBe(ft('2012-08-01T00:00:00Z'));
    expect(tagged(m, P.PR_LAST_MODIFICATION_TIME)).toBe(ft('2012-08-01T18:46:31Z'));
    expect(named(m, ADDR, 0x8083)).toBe('mike.angstadt@gmail.com');
    expect(named(m, ADDR, 0x8062)).toBe('im@aim.com');
    expect(tagged(m, P.PR_MANAGER_NAME)).toBe('TheManagerName');
    expect(tagged(m, P.PR_ASSISTANT)).toBe('TheAssistantName');
    expect(tagged(m, P.PR_SPOUSE_NAME)).toBe('TheSpouse');
    expect(named(m, ADDR, 0x80d8)).toBe('http://website.com/mycal');
    const design = new TextDecoder().decode(named(m, ADDR, 0x8040) as Uint8Array);
    expect(design.startsWith('<card xmlns="http://schemas.microsoft.com/office/outlook/12/electronicbusinesscards"')).toBe(true);
    const certs = tagged(m, P.PR_USER_X509_CERTIFICATE) as Uint8Array[];
    expect(certs).toHaveLength(1);
    expect(certs[0]![0]).toBe(0x30); // DER SEQUENCE
    const photo = tagged(m.attachments[0]!, P.PR_ATTACH_DATA_BIN) as Uint8Array;
    expect([...photo.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect([...photo.subarray(-2)]).toEqual([0xff, 0xd9]); // the whole JPEG, through the 2.1 base64 lines
  });
});

describeCorpus('photos gromox skips (corpus)', () => {
  test('4.0 data: URI JPEG, 3.0 VALUE=URI data: PNG, 3.0 bare base64 WebP', async () => {
    const cases: [string, string, number[]][] = [
      ['vcf/thunderbird/v4-uri-jpeg.vcf', 'image/jpeg', [0xff, 0xd8, 0xff]],
      ['vcf/thunderbird/v3-uri-uri-png.vcf', 'image/png', [0x89, 0x50, 0x4e, 0x47]],
      ['vcf/thunderbird/v3-binary-webp.vcf', 'image/webp', [0x52, 0x49, 0x46, 0x46]],
    ];
    for (const [file, mime, magic] of cases) {
      const { items } = await convert(new Uint8Array(readFileSync(join(corpusDir, file))));
      const a = items[0]!.attachments[0]!;
      expect(tagged(a, P.PR_ATTACH_MIME_TAG), file).toBe(mime);
      expect(tagged(a, P.PR_ATTACH_FILENAME), file).toBe('ContactPicture.jpg');
      expect([...(tagged(a, P.PR_ATTACH_DATA_BIN) as Uint8Array).subarray(0, magic.length)], file).toEqual(magic);
      expect(named(items[0]!, ADDR, 0x8015), file).toBe(true);
    }
  });
});

describe('vCard 4.0 group → IPM.DistList', () => {
  const text = [
    'BEGIN:VCARD',
    'VERSION:4.0',
    'KIND:group',
    'FN:The Doe family',
    'MEMBER:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af',
    'MEMBER:mailto:jane@example.com',
    'MEMBER:tel:+1-555-0100',
    'MEMBER:mailto:jane@example.com',
    'CATEGORIES:Family',
    'UID:urn:uuid:6f6c4a3e-0000-4000-8000-000000000001',
    'END:VCARD',
    'BEGIN:VCARD',
    'VERSION:4.0',
    'FN:John Doe',
    'EMAIL:john@example.com',
    'UID:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af',
    'END:VCARD',
    '',
  ].join('\r\n');

  test('members become one-off entry ids with the checksum; the group waits for the member it references', async () => {
    const { items, findings } = await convert(text);
    expect(items.map((m) => tagged(m, P.PR_MESSAGE_CLASS))).toEqual(['IPM.Contact', 'IPM.DistList']);
    const dl = items[1]!;
    expect(tagged(dl, P.PR_DISPLAY_NAME)).toBe('The Doe family');
    expect(named(dl, ADDR, 0x8053)).toBe('The Doe family');
    const members = named(dl, ADDR, 0x8055) as Uint8Array[];
    const oneoffs = named(dl, ADDR, 0x8054) as Uint8Array[];
    expect(members.map((b) => decodeOneOffEntryId(b))).toEqual([
      { displayName: 'John Doe', addressType: 'SMTP', emailAddress: 'john@example.com', flags: 0x8001 },
      { displayName: 'jane@example.com', addressType: 'SMTP', emailAddress: 'jane@example.com', flags: 0x8001 },
    ]);
    expect(oneoffs).toEqual(members);
    expect(members[0]).toEqual(encodeOneOffEntryId('John Doe', 'SMTP', 'john@example.com'));
    // ISO/IEC 8802-3 CRC-32 over the members, checked against zlib's.
    expect(named(dl, ADDR, 0x804c)).toBe(zlibCrc32(Buffer.concat(members)));
    expect(named(dl, PSETID.PS_PUBLIC_STRINGS, 'Keywords')).toEqual(['Family']);
    expect(named(dl, '1de937e2-85c6-40a1-bd9d-a6e2b7b787b1', 'vcarduid')).toBe('urn:uuid:6f6c4a3e-0000-4000-8000-000000000001');
    expect(findings.filter((f) => f.code === 'VCF-MEMBER-UNRESOLVED').map((f) => f.message)).toEqual([
      expect.stringContaining('tel:+1-555-0100'),
    ]);
    // No contact-only properties on the list.
    expect(dl.attachments).toEqual([]);
    expect(named(dl, ADDR, 0x8083)).toBeUndefined();
  });

  test('the stream decodes strictly and keeps the names', async () => {
    const { items } = await convert(text);
    const sink = new MemorySink();
    await writeUnanchoredItems(sink, items.map((content) => ({ content })));
    const frames = decodeGxmtBytes(sink.bytes()).frames;
    const msgs = frames.filter((f): f is MessageFrame => f.kind === 'message');
    expect(msgs).toHaveLength(2);
    const dl = msgs[1]!.content;
    expect(named(dl, ADDR, 0x8055)).toEqual(named(items[1]!, ADDR, 0x8055));
    expect(msgs.map((m) => m.parent)).toEqual([0xffff_ffff_ffff_ffffn, 0xffff_ffff_ffff_ffffn]);
  });

  test('members beyond the bounded UID index are found by a second pass over the file', async () => {
    const card = (i: number) => `BEGIN:VCARD\nVERSION:3.0\nFN:P${i}\nEMAIL:p${i}@x.org\nUID:u-${i}\nEND:VCARD\n`;
    const group = 'BEGIN:VCARD\nVERSION:4.0\nKIND:group\nFN:G\nMEMBER:urn:uuid:u-1\nMEMBER:urn:uuid:U-3\nMEMBER:urn:uuid:u-4\nMEMBER:urn:uuid:u-9\nEND:VCARD\n';
    const { items, findings } = await convert(card(1) + group + card(2) + card(3) + card(4), { index: new MemberIndex(1) });
    const dl = items[items.length - 1]!;
    expect(tagged(dl, P.PR_MESSAGE_CLASS)).toBe('IPM.DistList');
    expect((named(dl, ADDR, 0x8055) as Uint8Array[]).map((b) => decodeOneOffEntryId(b)?.displayName)).toEqual(['P1', 'P3', 'P4']);
    expect(findings.filter((f) => f.code === 'VCF-MEMBER-UNRESOLVED').map((f) => f.message)).toEqual([expect.stringContaining('u-9')]);
  });

  test('Apple X-ADDRESSBOOKSERVER-KIND groups too', async () => {
    const { items } = await convert(
      'BEGIN:VCARD\nVERSION:3.0\nX-ADDRESSBOOKSERVER-KIND:group\nFN:Team\nX-ADDRESSBOOKSERVER-MEMBER:user01@example.com\nEND:VCARD\n',
    );
    expect(tagged(items[0]!, P.PR_MESSAGE_CLASS)).toBe('IPM.DistList');
    expect((named(items[0]!, ADDR, 0x8055) as Uint8Array[]).map((b) => decodeOneOffEntryId(b)?.emailAddress)).toEqual(['user01@example.com']);
  });
});

describe('lexer', () => {
  const lines = async (text: string, chunkSize?: number) => {
    const out: string[] = [];
    for await (const l of logicalLines(bytesSource(enc.encode(text)), { chunkSize })) out.push(new TextDecoder().decode(l.bytes));
    return out;
  };

  test('folding removes the break and one whitespace; QP soft breaks join unindented lines', async () => {
    expect(await lines('A:one\r\n  two\r\n\tthree\nB:x\n')).toEqual(['A:one twothree', 'B:x']);
    expect(await lines('NOTE;ENCODING=QUOTED-PRINTABLE:a=\r\nb=3D=\r\n\r\nC:1\r\n')).toEqual(['NOTE;ENCODING=QUOTED-PRINTABLE:ab=3D', 'C:1']);
  });

  test('the same logical lines for any chunk size', async () => {
    const text = 'BEGIN:VCARD\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=\r\nb\r\nPHOTO;ENCODING=BASE64:\r\n QUJD\r\nREVG\r\n\r\nFN:x\r\n y\r\nEND:VCARD';
    const whole = await lines(text);
    for (const n of [1, 2, 3, 5, 7, 64]) expect(await lines(text, n)).toEqual(whole);
    expect(whole).toEqual(['BEGIN:VCARD', 'NOTE;ENCODING=QUOTED-PRINTABLE:ab', 'PHOTO;ENCODING=BASE64:QUJDREVG', 'FN:xy', 'END:VCARD']);
  });

  test('parameters: 2.1 bare, quoted lists with ":" and ";", groups', () => {
    const l = parseContentLine(enc.encode('item1.TEL;WORK;type="cell,voice";X-L="a:b;c";QUOTED-PRINTABLE:1=32'), 0)!;
    expect(l.group).toBe('item1');
    expect(l.name).toBe('TEL');
    expect([...types(l)]).toEqual(['WORK', 'CELL', 'VOICE']);
    expect(l.params.find((p) => p.name === 'X-L')?.values).toEqual(['a:b;c']);
    expect(l.params.find((p) => p.name === 'ENCODING')?.values).toEqual(['QUOTED-PRINTABLE']);
    expect(new TextDecoder().decode(decodeQuotedPrintable(l.value))).toBe('12');
    expect(parseContentLine(enc.encode('no colon here'), 0)).toBeUndefined();
  });

  test('escapes and splitting', () => {
    expect(unescapeText('a\\,b\\;c\\nd\\\\e\\:f\\')).toBe('a,b;c\r\nd\\e:f\\');
    expect(components('Doe;John;Richter\\, James;;')).toEqual(['Doe', 'John', 'Richter, James', '', '']);
    expect(components('a\\\\;b')).toEqual(['a\\', 'b']);
    expect(listValues('Work, Friends\\,Family ,,x')).toEqual(['Work', 'Friends,Family', 'x']);
  });

  test('dates and timestamps', () => {
    expect(parseDate('1980-03-22')).toBe(ft('1980-03-22T00:00:00Z'));
    expect(parseDate('19800322')).toBe(ft('1980-03-22T00:00:00Z'));
    expect(parseDate('--0203')).toBeUndefined();
    expect(parseDate('2001-02-30')).toBeUndefined();
    expect(parseTimestamp('20120801T184631Z')).toBe(ft('2012-08-01T18:46:31Z'));
    expect(parseTimestamp('2012-08-01T18:46:31+02:00')).toBe(ft('2012-08-01T16:46:31Z'));
  });

  test('CRC-32 matches zlib', () => {
    const parts = [enc.encode('hello '), enc.encode('world')];
    expect(crc32(parts)).toBe(zlibCrc32('hello world'));
  });
});

describe('pedantic mode (gromox -P)', () => {
  test('a card with an unknown property is rejected, the others kept', async () => {
    const text = 'BEGIN:VCARD\nVERSION:3.0\nFN:A\nX-UNKNOWN:1\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:B\nEND:VCARD\n';
    const loose = await convert(text);
    expect(loose.items).toHaveLength(2);
    const { items, findings } = await convert(text, { pedantic: true });
    expect(items.map((m) => tagged(m, P.PR_DISPLAY_NAME))).toEqual(['B']);
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('X-UNKNOWN')]);
  });
});

describe('damage is data', () => {
  test('an over-long line skips only its card; junk between cards is reported and passed over', async () => {
    const text = `BEGIN:VCARD\nVERSION:3.0\nFN:A\nNOTE:${'x'.repeat(5000)}\nEND:VCARD\ngarbage here\nBEGIN:VCARD\nVERSION:3.0\nFN:B\nEND:VCARD\n`;
    const { items, findings } = await convert(text, { lex: { maxLineBytes: 1000, chunkSize: 256 } });
    expect(items.map((m) => tagged(m, P.PR_DISPLAY_NAME))).toEqual(['B']);
    expect(findings.map((f) => f.code)).toEqual(['VCF-LINE-TOO-LONG', 'VCF-JUNK']);
  });

  test('strict mode stops at junk between cards as gromox does; the default mode reads on', async () => {
    const text = 'BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD\njunk\nBEGIN:VCARD\nVERSION:3.0\nFN:B\nEND:VCARD\n';
    expect((await convert(text)).items).toHaveLength(2);
    expect((await convert(text, { strict: true })).items.map((m) => tagged(m, P.PR_DISPLAY_NAME))).toEqual(['A']);
  });

  test('a card cut off at the end of the file is converted with a warning; an empty card is skipped', async () => {
    const { items, findings } = await convert('BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nFN:Cut\nEMAIL:c@x');
    expect(items.map((m) => tagged(m, P.PR_DISPLAY_NAME))).toEqual(['Cut']);
    expect(named(items[0]!, ADDR, 0x8083)).toBe('c@x');
    expect(findings.map((f) => f.code)).toEqual(['VCF-EMPTY-CARD', 'VCF-UNTERMINATED']);
  });

  test('deterministic: the same input gives the same stream', async () => {
    const text = readFileSync(join(corpusDir, 'vcf/ez-vcard/John_Doe_ANDROID.vcf'));
    const run = async () => {
      const sink = new MemorySink();
      await writeUnanchoredItems(sink, vcfItems(bytesSource(new Uint8Array(text), 'a.vcf')));
      return sink.bytes();
    };
    expect(await run()).toEqual(await run());
  });
});
