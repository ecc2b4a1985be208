/**
 * The demo mailbox the page offers: a small, realistic Unicode PST with every item class
 * (notes with plain/HTML/RTF bodies, a recurring appointment, contact, distribution list, task,
 * sticky note, attachments, nested embedded messages, FAI, a hidden folder, unicode folder
 * names). Run as `node dist/node/cli/pstgen/demo.js OUT.pst`; the description is exported so
 * tests know what the file holds.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessageDesc, NamedPropDesc, PstDescription } from './description.ts';
import { writePst } from './write.ts';

const PSETID_APPOINTMENT = '00062002-0000-0000-c000-000000000046';
const PSETID_TASK = '00062003-0000-0000-c000-000000000046';
const PSETID_ADDRESS = '00062004-0000-0000-c000-000000000046';
const PSETID_COMMON = '00062008-0000-0000-c000-000000000046';
const PSETID_NOTE = '0006200e-0000-0000-c000-000000000046';
const PS_PUBLIC_STRINGS = '00020329-0000-0000-c000-000000000046';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** Minutes since 1601-01-01 (the unit of [MS-OXOCAL] recurrence dates). */
function minutes1601(iso: string): number {
  return Math.floor((Date.parse(iso) + 11644473600000) / 60000);
}

/**
 * AppointmentRecurrencePattern ([MS-OXOCAL] 2.2.1.44.2) for a weekly series: every Monday at
 * 09:00–09:30 UTC, ten occurrences, no exceptions.
 */
export function weeklyRecurrenceBlob(firstIso: string, count: number): Uint8Array {
  const b = Buffer.alloc(80);
  let o = 0;
  const u16 = (v: number) => {
    b.writeUInt16LE(v, o);
    o += 2;
  };
  const u32 = (v: number) => {
    b.writeUInt32LE(v >>> 0, o);
    o += 4;
  };
  const start = minutes1601(firstIso.slice(0, 10) + 'T00:00:00Z');
  u16(0x3004); // ReaderVersion
  u16(0x3004); // WriterVersion
  u16(0x200b); // RecurFrequency: weekly
  u16(0x0001); // PatternType: week
  u16(0x0000); // CalendarType
  u32(start % 10080); // FirstDateTime: offset within the first week
  u32(1); // Period: every week
  u32(0); // SlidingFlag
  u32(0x02); // PatternTypeSpecific: Monday
  u32(0x2022); // EndType: after N occurrences
  u32(count); // OccurrenceCount
  u32(0); // FirstDOW: Sunday
  u32(0); // DeletedInstanceCount
  u32(0); // ModifiedInstanceCount
  u32(start); // StartDate
  u32(start + 7 * 24 * 60 * (count - 1)); // EndDate
  u32(0x3006); // ReaderVersion2
  u32(0x3009); // WriterVersion2
  u32(9 * 60); // StartTimeOffset
  u32(9 * 60 + 30); // EndTimeOffset
  u16(0); // ExceptionCount
  u32(0); // ReservedBlock1Size
  u32(0); // ReservedBlock2Size
  return new Uint8Array(b.subarray(0, o));
}

/** One-off EntryID ([MS-OXCDATA] 2.2.5.1) for distribution-list members. */
function oneOffEntryId(name: string, email: string): Uint8Array {
  const utf16z = (s: string) => Buffer.from(s + '\0', 'utf16le');
  const muid = Buffer.from('812b1fa4bea310199d6e00dd010f5402', 'hex');
  return new Uint8Array(Buffer.concat([Buffer.alloc(4), muid, Buffer.from([0, 0, 0x00, 0x90]), utf16z(name), utf16z('SMTP'), utf16z(email)]));
}

const RTF_BODY =
  '{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\\f0\\fs20 Quarterly figures are {\\b attached}.\\par Regards, Grete\\par}';

const alice = { name: 'Alice Émond', email: 'alice@example.com' };
const bob = { name: 'Bob Østergaard', email: 'bob@example.org' };
const chen = { name: '陈静', email: 'chen.jing@example.cn' };

const named = (guid: string, lid: number, v: Omit<NamedPropDesc, 'guid' | 'lid'>): NamedPropDesc => ({ guid, lid, ...v }) as NamedPropDesc;

function embeddedChain(depth: number): MessageDesc {
  const m: MessageDesc = {
    messageClass: 'IPM.Note',
    subject: `Forwarded level ${depth}`,
    bodyText: `This message is nested ${depth} level(s) deep.\r\n`,
    sender: bob,
    recipients: [{ ...alice, type: 'to' }],
    submitTime: `2024-03-0${depth}T10:00:00Z`,
  };
  if (depth < 3) m.attachments = [{ filename: `level${depth + 1}.msg`, embedded: embeddedChain(depth + 1) }];
  else m.attachments = [{ filename: 'innermost.txt', mimeType: 'text/plain', content: { text: 'the innermost attachment\n' } }];
  return m;
}

/** The demo mailbox description. */
export const demoDescription: PstDescription = {
  variant: 'unicode',
  crypt: 'permute',
  store: { displayName: 'Mailferry Demo', password: 'demo' },
  folders: [
    { name: 'Deleted Items', containerClass: 'IPF.Note', special: 'deleted' },
    {
      name: 'Inbox',
      containerClass: 'IPF.Note',
      special: 'inbox',
      messages: [
        {
          messageClass: 'IPM.Note',
          subject: 'Welcome to Mailferry',
          bodyText: 'Hello Alice,\r\n\r\nthis demo mailbox shows every kind of Outlook item.\r\n\r\nBob\r\n',
          sender: bob,
          recipients: [
            { ...alice, type: 'to' },
            { ...chen, type: 'cc' },
          ],
          submitTime: '2024-02-01T08:30:00Z',
          deliveryTime: '2024-02-01T08:30:05Z',
          messageId: '<welcome@demo.mailferry>',
          named: [{ guid: PS_PUBLIC_STRINGS, name: 'Keywords', type: 'mv-string', value: ['demo', 'welcome'] }],
        },
        {
          messageClass: 'IPM.Note',
          // libpff 20180714 mangles non-BMP characters in strings, so the emoji stays in the HTML body
          subject: 'Newsletter – Februar',
          bodyText: 'Die Februar-Ausgabe.\r\n',
          bodyHtml: '<!DOCTYPE html><html><body><h1>Februar</h1><p>Die <b>Februar</b>-Ausgabe. 🌍</p></body></html>',
          sender: { name: 'Newsletter', email: 'news@example.de' },
          recipients: [{ ...alice, type: 'to' }],
          submitTime: '2024-02-03T07:00:00Z',
          deliveryTime: '2024-02-03T07:00:10Z',
          read: true,
        },
        {
          messageClass: 'IPM.Note',
          subject: 'Quarterly figures',
          bodyText: 'Quarterly figures are attached.\r\nRegards, Grete\r\n',
          bodyRtf: RTF_BODY,
          sender: { name: 'Grete Huber', email: 'grete@example.at' },
          recipients: [{ ...alice, type: 'to' }, { ...bob, type: 'bcc' }],
          submitTime: '2024-02-05T12:00:00Z',
          deliveryTime: '2024-02-05T12:00:03Z',
          importance: 2,
          attachments: [
            { filename: 'figures.csv', mimeType: 'text/csv', content: { text: 'quarter,revenue\r\nQ1,1200\r\nQ2,1350\r\n' } },
            { filename: 'chart.bin', mimeType: 'application/octet-stream', content: { size: 20000, seed: 42, kind: 'random' } },
            { filename: 'logo.png', mimeType: 'image/png', contentId: 'logo@demo', hidden: true, content: { base64: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' } },
          ],
        },
        {
          messageClass: 'IPM.Note',
          subject: 'Fwd: a chain of forwards',
          bodyText: 'See the forwarded messages below.\r\n',
          sender: alice,
          recipients: [{ ...bob, type: 'to' }],
          submitTime: '2024-03-04T09:00:00Z',
          deliveryTime: '2024-03-04T09:00:02Z',
          attachments: [{ filename: 'level1.msg', embedded: embeddedChain(1) }],
        },
      ],
      fai: [{ messageClass: 'IPM.Configuration.Autocomplete', subject: 'Autocomplete', props: [{ id: 0x7c07, type: 'binary', value: b64(new TextEncoder().encode('<autocomplete/>')) }] }],
      folders: [
        {
          name: 'Projekte – Übersicht',
          containerClass: 'IPF.Note',
          folders: [
            {
              name: '日本語のフォルダ',
              containerClass: 'IPF.Note',
              messages: [
                {
                  messageClass: 'IPM.Note',
                  subject: '会議の議事録',
                  bodyText: '本日の会議の議事録を送ります。\r\n',
                  sender: chen,
                  recipients: [{ ...alice, type: 'to' }],
                  submitTime: '2024-02-10T01:00:00Z',
                  deliveryTime: '2024-02-10T01:00:04Z',
                },
              ],
            },
          ],
          messages: [
            {
              messageClass: 'IPM.Note',
              subject: 'Meilenstein erreicht',
              bodyText: 'Der Meilenstein ist erreicht.\r\n',
              sender: bob,
              recipients: [{ ...alice, type: 'to' }],
              submitTime: '2024-02-12T15:45:00Z',
              deliveryTime: '2024-02-12T15:45:01Z',
            },
          ],
        },
      ],
    },
    { name: 'Outbox', containerClass: 'IPF.Note', special: 'outbox' },
    {
      name: 'Sent Items',
      containerClass: 'IPF.Note',
      special: 'sent',
      messages: [
        {
          messageClass: 'IPM.Note',
          subject: 'Re: Welcome to Mailferry',
          bodyText: 'Thanks Bob!\r\n',
          sender: alice,
          recipients: [{ ...bob, type: 'to' }],
          submitTime: '2024-02-01T09:00:00Z',
          read: true,
        },
      ],
    },
    { name: 'Drafts', containerClass: 'IPF.Note', special: 'drafts' },
    {
      name: 'Calendar',
      containerClass: 'IPF.Appointment',
      special: 'calendar',
      messages: [
        {
          messageClass: 'IPM.Appointment',
          subject: 'Weekly sync',
          bodyText: 'Weekly team sync, every Monday.\r\n',
          sender: alice,
          submitTime: '2024-01-08T08:00:00Z',
          read: true,
          named: [
            named(PSETID_APPOINTMENT, 0x820d, { type: 'time', value: '2024-01-08T09:00:00Z' }),
            named(PSETID_APPOINTMENT, 0x820e, { type: 'time', value: '2024-01-08T09:30:00Z' }),
            named(PSETID_APPOINTMENT, 0x8208, { type: 'string', value: 'Room Kepler' }),
            named(PSETID_APPOINTMENT, 0x8205, { type: 'long', value: 2 }),
            named(PSETID_APPOINTMENT, 0x8223, { type: 'bool', value: true }),
            named(PSETID_APPOINTMENT, 0x8231, { type: 'long', value: 2 }),
            named(PSETID_APPOINTMENT, 0x8232, { type: 'string', value: 'Every Monday from 09:00 to 09:30' }),
            named(PSETID_APPOINTMENT, 0x8216, { type: 'binary', value: b64(weeklyRecurrenceBlob('2024-01-08T09:00:00Z', 10)) }),
            named(PSETID_COMMON, 0x8516, { type: 'time', value: '2024-01-08T09:00:00Z' }),
            named(PSETID_COMMON, 0x8517, { type: 'time', value: '2024-03-11T09:30:00Z' }),
            named(PSETID_COMMON, 0x8503, { type: 'bool', value: true }),
            named(PSETID_COMMON, 0x8501, { type: 'long', value: 15 }),
          ],
        },
      ],
    },
    {
      name: 'Contacts',
      containerClass: 'IPF.Contact',
      special: 'contacts',
      messages: [
        {
          messageClass: 'IPM.Contact',
          subject: 'Chloé Dubois',
          read: true,
          props: [
            { id: 0x3001, type: 'string', value: 'Chloé Dubois' },
            { id: 0x3a06, type: 'string', value: 'Chloé' },
            { id: 0x3a11, type: 'string', value: 'Dubois' },
            { id: 0x3a16, type: 'string', value: 'Exemple SARL' },
            { id: 0x3a08, type: 'string', value: '+33 1 23 45 67 89' },
          ],
          named: [
            named(PSETID_ADDRESS, 0x8083, { type: 'string', value: 'chloe.dubois@example.fr' }),
            named(PSETID_ADDRESS, 0x8080, { type: 'string', value: 'Chloé Dubois (chloe.dubois@example.fr)' }),
            named(PSETID_ADDRESS, 0x8082, { type: 'string', value: 'SMTP' }),
            named(PSETID_ADDRESS, 0x8005, { type: 'string', value: 'Dubois, Chloé' }),
          ],
        },
        {
          messageClass: 'IPM.DistList',
          subject: 'Project team',
          read: true,
          props: [{ id: 0x3001, type: 'string', value: 'Project team' }],
          named: [
            named(PSETID_ADDRESS, 0x8053, { type: 'string', value: 'Project team' }),
            named(PSETID_ADDRESS, 0x8055, { type: 'mv-binary', value: [alice, bob, chen].map((p) => b64(oneOffEntryId(p.name, p.email))) }),
            named(PSETID_ADDRESS, 0x8054, { type: 'mv-binary', value: [alice, bob, chen].map((p) => b64(oneOffEntryId(p.name, p.email))) }),
          ],
        },
      ],
    },
    {
      name: 'Tasks',
      containerClass: 'IPF.Task',
      special: 'tasks',
      messages: [
        {
          messageClass: 'IPM.Task',
          subject: 'Prepare the migration plan',
          bodyText: 'Outline the steps for moving the mailboxes.\r\n',
          read: true,
          named: [
            named(PSETID_TASK, 0x8101, { type: 'long', value: 1 }),
            named(PSETID_TASK, 0x8102, { type: 'double', value: 0.5 }),
            named(PSETID_TASK, 0x8104, { type: 'time', value: '2024-02-01T00:00:00Z' }),
            named(PSETID_TASK, 0x8105, { type: 'time', value: '2024-02-28T00:00:00Z' }),
            named(PSETID_TASK, 0x811c, { type: 'bool', value: false }),
          ],
        },
      ],
    },
    {
      name: 'Notes',
      containerClass: 'IPF.StickyNote',
      special: 'notes',
      messages: [
        {
          messageClass: 'IPM.StickyNote',
          subject: 'Remember the backup',
          bodyText: 'Remember the backup\r\nbefore the migration.',
          read: true,
          named: [
            named(PSETID_NOTE, 0x8b00, { type: 'long', value: 3 }),
            named(PSETID_NOTE, 0x8b02, { type: 'long', value: 200 }),
            named(PSETID_NOTE, 0x8b03, { type: 'long', value: 166 }),
          ],
        },
      ],
    },
    { name: 'Journal', containerClass: 'IPF.Journal', special: 'journal' },
    {
      name: 'Conversation Action Settings',
      containerClass: 'IPF.Configuration',
      hidden: true,
      fai: [{ messageClass: 'IPM.ConversationAction', subject: 'Conversation action' }],
    },
  ],
};

/** Write the demo mailbox to `path`, creating its directory. */
export async function buildDemo(path: string) {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  return writePst(demoDescription, path);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? 'build/demo/demo-mailbox.pst';
  const r = await buildDemo(out);
  process.stderr.write(`demo mailbox: ${out} (${r.size} bytes, ${r.items.filter((i) => i.kind !== 'folder').length} items)\n`);
}
