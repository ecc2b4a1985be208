/**
 * Differential acceptance of the PST/OST writer: every variant × encryption is generated from a
 * description and read by two independent tools (libpff's pffinfo/pffexport and libpst's
 * readpst). What they report — folders, message counts per folder, subjects, bodies, attachment
 * names/sizes/sha256, embedded messages — must equal the description. The project's own reader
 * is deliberately not involved.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  attachmentBytes,
  generateDescription,
  pstCrc,
  writePst,
  writePstToBytes,
  type FolderDesc,
  type MessageDesc,
  type PstCrypt,
  type PstDescription,
  type PstVariant,
} from '../cli/pstgen/index.ts';
import { mutate, scanBlocks } from '../cli/pstgen/mutate.ts';
import { buildDemo, demoDescription } from '../cli/pstgen/demo.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const norm = (s: string) => s.replace(/\r\n/g, '\n').replace(/\0+$/, '').trimEnd();

function requireTool(name: string) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`]);
  if (r.status !== 0) throw new Error(`${name} is not installed; install pff-tools and pst-utils (Debian) to run the PST writer acceptance tests`);
}

// ---- expected model ----------------------------------------------------------------------------

interface Item {
  subject: string;
  body?: string;
  attachments: string[];
  embedded: string[];
  /** pffexport only: "type:name<email>" from Recipients.txt */
  recipients?: string[];
}

function attLine(name: string, bytes: Uint8Array) {
  return `${name}|${bytes.length}|${sha(bytes)}`;
}

function expectedItem(m: MessageDesc, withNested: boolean): Item {
  const attachments: string[] = [];
  const embedded: string[] = [];
  const walk = (x: MessageDesc) => {
    for (const a of x.attachments ?? []) {
      if (a.embedded) {
        const inner = (a.embedded.attachments ?? []).filter((b) => b.content).map((b) => b.filename).sort();
        embedded.push(withNested ? `${a.embedded.subject}[${inner.join(',')}]` : a.embedded.subject);
        walk(a.embedded);
      }
    }
  };
  for (const a of m.attachments ?? []) if (a.content) attachments.push(attLine(a.filename, attachmentBytes(a.content)));
  walk(m);
  const TYPE = { to: 'To', cc: 'CC', bcc: 'BCC' } as const;
  return {
    subject: m.subject,
    ...(m.bodyText !== undefined ? { body: norm(m.bodyText) } : {}),
    attachments: attachments.sort(),
    embedded,
    ...(withNested && m.recipients?.length ? { recipients: m.recipients.map((r) => `${TYPE[r.type]}:${r.name}<${r.email}>`) } : {}),
  };
}

function expectedFolders(desc: PstDescription, withNested: boolean) {
  const out = new Map<string, Item[]>();
  const rec = (fs: FolderDesc[] | undefined, prefix: string) => {
    for (const f of fs ?? []) {
      const p = prefix ? `${prefix}/${f.name}` : f.name;
      out.set(p, (f.messages ?? []).map((m) => expectedItem(m, withNested)));
      rec(f.folders, p);
    }
  };
  rec(desc.folders, '');
  return out;
}

const sortItems = (xs: Item[]) => [...xs].sort((a, b) => (a.subject + (a.body ?? '')).localeCompare(b.subject + (b.body ?? '')));

// ---- pffexport ---------------------------------------------------------------------------------

const ITEM_DIR = /^(Message|Appointment|Contact|DistributionList|Task|Note|Meeting|Activity|Document|Conflict|Item)\d{5}$/;

function pffItem(dir: string): Item {
  const headers = existsSync(join(dir, 'OutlookHeaders.txt')) ? readFileSync(join(dir, 'OutlookHeaders.txt'), 'utf8') : '';
  const subject = /^Subject:\t+(.*)$/m.exec(headers)?.[1] ?? '';
  const body = existsSync(join(dir, 'Message.txt')) ? norm(readFileSync(join(dir, 'Message.txt'), 'utf8')) : undefined;
  const attachments: string[] = [];
  const embedded: string[] = [];
  const walkAtt = (d: string, top: boolean) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d).sort()) {
      const full = join(d, e);
      if (statSync(full).isDirectory()) {
        for (const sub of readdirSync(full).sort()) {
          if (!ITEM_DIR.test(sub)) continue;
          const inner = pffItem(join(full, sub));
          embedded.push(`${inner.subject}[${inner.attachments.map((a) => a.split('|')[0]).sort().join(',')}]`);
          embedded.push(...inner.embedded);
        }
      } else if (top) {
        const m = /^\d+_(.*)$/.exec(e);
        if (m) attachments.push(attLine(m[1]!, readFileSync(full)));
      }
    }
  };
  walkAtt(join(dir, 'Attachments'), true);
  const recipients = existsSync(join(dir, 'Recipients.txt'))
    ? readFileSync(join(dir, 'Recipients.txt'), 'utf8')
        .split(/\n\n/)
        .filter((b) => b.trim())
        .map((b) => {
          const f = (k: string) => new RegExp(`^${k}:\\t+(.*)$`, 'm').exec(b)?.[1] ?? '';
          return `${f('Recipient type')}:${f('Display name')}<${f('Email address')}>`;
        })
    : [];
  return { subject, ...(body !== undefined ? { body } : {}), attachments: attachments.sort(), embedded, ...(recipients.length ? { recipients } : {}) };
}

function pffexport(file: string, target: string) {
  const r = spawnSync('pffexport', ['-f', 'all', '-m', 'all', '-q', '-t', target, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pffexport failed (${r.status}): ${r.stderr}`);
  expect(r.stdout).toContain('Export completed.');
  const exp = `${target}.export`;
  const top = readdirSync(exp).find((d) => d.startsWith('Top of '));
  if (!top) throw new Error(`pffexport: no IPM subtree in ${readdirSync(exp).join(', ')}`);
  const folders = new Map<string, Item[]>();
  const rec = (dir: string, path: string) => {
    const items: Item[] = [];
    for (const e of readdirSync(dir).sort()) {
      const full = join(dir, e);
      if (!statSync(full).isDirectory()) continue;
      if (ITEM_DIR.test(e)) items.push(pffItem(full));
      else rec(full, path ? `${path}/${e}` : e);
    }
    if (path) folders.set(path, items);
  };
  rec(join(exp, top), '');
  return { folders, root: join(exp, top), topName: top };
}

// ---- readpst -----------------------------------------------------------------------------------

const CP1252_80 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
/** windows-1252 decoding (the TextDecoder of the test runtime may only know UTF-8). */
function cp1252(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x >= 0x80 && x < 0xa0 ? CP1252_80[x - 0x80] : String.fromCharCode(x);
  return s;
}

const decodeAs = (charset: string, b: Uint8Array) => (/utf-?8/i.test(charset) ? Buffer.from(b).toString('utf8') : cp1252(b));

function decodeWord(s: string): string {
  return s.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, cs: string, enc: string, data: string) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return decodeAs(cs, bytes);
  });
}

function readpstItem(file: string, attachments: Map<string, Uint8Array>): Item {
  const raw = readFileSync(file);
  const text = raw.toString('latin1');
  const subjects = [...text.matchAll(/^Subject: (.*(?:\r?\n[ \t].*)*)$/gm)].map((m) => decodeWord(Buffer.from(m[1]!.replace(/\r?\n[ \t]+/g, ' '), 'latin1').toString('utf8')));
  const part = /Content-Type: text\/plain; charset="([^"]+)"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n--[^\r\n]*boundary-LibPST/.exec(text);
  let body: string | undefined;
  if (part) {
    const bytes = Buffer.from(part[2]!, 'latin1');
    body = norm(decodeAs(part[1]!, bytes));
  }
  return {
    subject: subjects[0] ?? '',
    ...(body !== undefined ? { body } : {}),
    attachments: [...attachments].map(([n, b]) => attLine(n, b)).sort(),
    embedded: subjects.slice(1),
  };
}

function readpst(file: string, outDir: string, storeName: string) {
  mkdirSync(outDir, { recursive: true });
  const r = spawnSync('readpst', ['-S', '-D', '-j', '0', '-8', '-q', '-o', outDir, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`readpst failed (${r.status}): ${r.stderr}`);
  const folders = new Map<string, Item[]>();
  const rtf = new Map<string, string>();
  const rec = (dir: string, path: string) => {
    const entries = readdirSync(dir).sort();
    const atts = new Map<string, Map<string, Uint8Array>>();
    for (const e of entries) {
      const m = /^(\d+)-(.*)$/.exec(e);
      if (!m || statSync(join(dir, e)).isDirectory()) continue;
      if (!atts.has(m[1]!)) atts.set(m[1]!, new Map());
      atts.get(m[1]!)!.set(m[2]!, readFileSync(join(dir, e)));
    }
    const items: Item[] = [];
    for (const e of entries) {
      const full = join(dir, e);
      if (statSync(full).isDirectory()) rec(full, path ? `${path}/${e}` : e);
      else if (/^\d+$/.test(e)) {
        const a = atts.get(e) ?? new Map<string, Uint8Array>();
        const rtfBody = a.get('rtf-body.rtf');
        a.delete('rtf-body.rtf');
        const it = readpstItem(full, a);
        if (rtfBody) rtf.set(it.subject, Buffer.from(rtfBody).toString('latin1'));
        items.push(it);
      }
    }
    if (path) folders.set(path, items);
  };
  const root = join(outDir, storeName);
  if (!existsSync(root)) throw new Error(`readpst wrote no "${storeName}" folder: ${readdirSync(outDir).join(', ')}`);
  rec(root, '');
  return { folders, rtf };
}

// ---- the matrix --------------------------------------------------------------------------------

let work: string;
beforeAll(() => {
  requireTool('pffinfo');
  requireTool('pffexport');
  requireTool('readpst');
  work = mkdtempSync(join(tmpdir(), 'pstgen-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const VARIANTS: PstVariant[] = ['ansi', 'unicode', 'ost4k'];
const CRYPTS: PstCrypt[] = ['none', 'permute', 'cyclic'];
const PFFINFO_CRYPT: Record<PstCrypt, string> = { none: 'none', permute: 'compressible', cyclic: 'high' };

describe('pstgen: independent readers accept every variant × encryption', () => {
  for (const variant of VARIANTS)
    for (const crypt of CRYPTS) {
      it(`${variant} / ${crypt}`, async () => {
        const seed = 11 + VARIANTS.indexOf(variant) * 3 + CRYPTS.indexOf(crypt);
        const desc = generateDescription({ variant, crypt, messages: 14, attachmentMiB: 0.2, seed, attachmentKind: variant === 'ost4k' ? 'text' : 'random' });
        const file = join(work, `${variant}-${crypt}.pst`);
        const res = await writePst(desc, file);
        expect(statSync(file).size).toBe(res.size);
        // multi-level NBT and BBT even in a small file (4K pages hold 169 entries: see the 4K test below)
        if (variant !== 'ost4k') expect(Math.min(res.nbtRoot.levels, res.bbtRoot.levels)).toBeGreaterThan(1);

        const info = execFileSync('pffinfo', [file], { encoding: 'utf8' });
        expect(info).toMatch(new RegExp(`Encryption type:\\s+${PFFINFO_CRYPT[crypt]}`));
        // PidTagPstPassword = PST CRC of the password, as libpff reports it
        expect(info).toContain(`Password checksum:\t0x${pstCrc(new TextEncoder().encode(desc.store.password!)).toString(16).padStart(8, '0')}`);
        expect(info).toMatch(variant === 'ost4k' ? /64-bit with 4k page/ : variant === 'ansi' ? /32-bit/ : /File type:\s+64-bit\n/);

        if (variant === 'ost4k') {
          const blocks = scanBlocks(readFileSync(file));
          const compressed = blocks.filter((b) => b.cb !== b.cbInflated);
          // obfuscation precedes compression, so cyclic (high-entropy) blocks never shrink
          if (crypt !== 'cyclic') expect(res.compressedBlocks).toBeGreaterThan(10);
          expect(compressed.length).toBe(res.compressedBlocks);
          for (const b of compressed.slice(0, 20)) expect(b.firstByte).toBe(0x78); // zlib header
        }

        // libpff
        const pff = pffexport(file, join(work, `${variant}-${crypt}`));
        expect(pff.topName).toBe(variant === 'ansi' ? 'Top of Personal Folders' : 'Top of Outlook data file');
        const want = expectedFolders(desc, true);
        expect([...pff.folders.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [path, items] of want) expect(sortItems(pff.folders.get(path)!), `pffexport ${path}`).toEqual(sortItems(items));

        // libpst
        const pst = readpst(file, join(work, `${variant}-${crypt}-readpst`), desc.store.displayName);
        const wantFlat = expectedFolders(desc, false);
        for (const [path, items] of wantFlat) {
          if (items.length === 0) continue; // readpst creates folders only when it writes items
          expect(sortItems(pst.folders.get(path) ?? []), `readpst ${path}`).toEqual(sortItems(items));
        }
        // compressed RTF bodies decompress to the described RTF
        const rtfs = [...want.values()].flat().length;
        expect(rtfs).toBeGreaterThan(0);
        for (const { folder } of walk(desc))
          for (const m of folder.messages ?? []) if (m.bodyRtf) expect(pst.rtf.get(m.subject)).toBe(m.bodyRtf);
      }, 60_000);
    }
});

function walk(desc: PstDescription) {
  const out: Array<{ folder: FolderDesc }> = [];
  const rec = (fs: FolderDesc[] | undefined) => {
    for (const f of fs ?? []) {
      out.push({ folder: f });
      rec(f.folders);
    }
  };
  rec(desc.folders);
  return out;
}

describe('pstgen: many messages (multi-page heaps, row matrices in subnodes, multi-level trees)', () => {
  for (const variant of VARIANTS) {
    // 4K pages hold 169 entries and heap pages 64 KiB, so the OST needs more items to go multi-level
    const messages = variant === 'ost4k' ? 1000 : 600;
    it(`${variant}: ${messages} messages are all listed by both tools`, async () => {
      const crypt: PstCrypt = variant === 'ost4k' ? 'permute' : 'cyclic';
      const desc = generateDescription({ variant, crypt, messages, seed: 5 });
      const file = join(work, `many-${variant}.pst`);
      const res = await writePst(desc, file);
      expect(res.nbtRoot.levels).toBeGreaterThan(1);
      expect(res.bbtRoot.levels).toBeGreaterThan(1);
      const want = expectedFolders(desc, true);
      const pff = pffexport(file, join(work, `many-${variant}`));
      const pst = readpst(file, join(work, `many-${variant}-readpst`), desc.store.displayName);
      for (const [path, items] of want) {
        const subjects = items.map((i) => i.subject).sort();
        expect(pff.folders.get(path)!.map((i) => i.subject).sort(), `pffexport ${path}`).toEqual(subjects);
        if (items.length) expect((pst.folders.get(path) ?? []).map((i) => i.subject).sort(), `readpst ${path}`).toEqual(subjects);
      }
    }, 90_000);
  }
});

describe('pstgen: wide messages (subnode trees, multi-page property heap, big name map)', () => {
  // SLBLOCKs hold 340 (Unicode) / 2729 (4K) entries; beyond that the writer emits an SIBLOCK.
  // libpst 0.6.76 (readpst) does not read SIBLOCK subnode trees (it drops body and attachments),
  // so readpst is only asked about the SLBLOCK-sized message; libpff reads both.
  const cases: Array<{ variant: PstVariant; n: number; readpst: boolean }> = [
    { variant: 'unicode', n: 300, readpst: true },
    { variant: 'unicode', n: 400, readpst: false },
    { variant: 'ost4k', n: 2800, readpst: false },
  ];
  for (const { variant, n, readpst: withReadpst } of cases) {
    it(`${variant}: ${n} attachments (${withReadpst ? 'SLBLOCK' : 'SIBLOCK'}), 300 named properties, 20 KiB body`, async () => {
      const body = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(350);
      const desc: PstDescription = {
        variant,
        crypt: 'permute',
        store: { displayName: 'Wide' },
        folders: [
          {
            name: 'Inbox',
            containerClass: 'IPF.Note',
            messages: [
              {
                messageClass: 'IPM.Note',
                subject: 'many attachments',
                bodyText: body,
                named: Array.from({ length: 300 }, (_, i) => ({ guid: '00020329-0000-0000-c000-000000000046', name: `X-Prop-${i}`, type: 'string' as const, value: `value ${i}` })),
                attachments: Array.from({ length: n }, (_, i) => ({ filename: `a${i}.txt`, mimeType: 'text/plain', content: { text: `attachment ${i}\n` } })),
              },
            ],
          },
        ],
      };
      const file = join(work, `wide-${variant}-${n}.pst`);
      await writePst(desc, file);
      const pff = pffexport(file, join(work, `wide-${variant}-${n}`));
      expect(pff.folders.get('Inbox')).toEqual(expectedFolders(desc, true).get('Inbox'));
      if (withReadpst) {
        const pst = readpst(file, join(work, `wide-${variant}-${n}-readpst`), 'Wide');
        expect(pst.folders.get('Inbox')).toEqual(expectedFolders(desc, false).get('Inbox'));
      }
    }, 90_000);
  }
});

describe('pstgen: large attachment needs an XXBLOCK', () => {
  it('unicode, 9 MiB attachment (> 1021 × 8176 bytes) is read back byte-exact by both tools', async () => {
    const desc: PstDescription = {
      variant: 'unicode',
      crypt: 'permute',
      store: { displayName: 'Big' },
      folders: [
        {
          name: 'Inbox',
          containerClass: 'IPF.Note',
          messages: [
            {
              messageClass: 'IPM.Note',
              subject: 'big attachment',
              bodyText: 'see attachment',
              attachments: [{ filename: 'big.bin', mimeType: 'application/octet-stream', content: { size: 9 * 1048576 + 123, seed: 99 } }],
            },
          ],
        },
      ],
    };
    const file = join(work, 'xx.pst');
    const res = await writePst(desc, file);
    expect(res.xxblocks).toBe(1);
    const want = expectedFolders(desc, true).get('Inbox')!;
    const pff = pffexport(file, join(work, 'xx'));
    expect(pff.folders.get('Inbox')).toEqual(want);
    const pst = readpst(file, join(work, 'xx-readpst'), 'Big');
    expect(pst.folders.get('Inbox')).toEqual(expectedFolders(desc, false).get('Inbox'));
  }, 60_000);
});

describe('pstgen: demo mailbox', () => {
  it('holds every item class, readable by pffexport and readpst', async () => {
    const file = join(work, 'demo', 'demo-mailbox.pst');
    await buildDemo(file); // creates the directory
    const pff = pffexport(file, join(work, 'demo-x'));
    const dirs = (p: string) => readdirSync(join(pff.root, p)).sort();
    expect(dirs('Calendar')).toEqual(['Appointment00001']);
    expect(dirs('Contacts')).toEqual(['Contact00001', 'DistributionList00002']);
    expect(dirs('Tasks')).toEqual(['Task00001']);
    expect(dirs('Notes')).toEqual(['Note00001']);
    // named properties resolve through the name-to-ID map (libpff)
    const appt = readFileSync(join(pff.root, 'Calendar/Appointment00001/Appointment.txt'), 'utf8');
    expect(appt).toMatch(/Start time:\t+Jan 08, 2024 09:00:00/);
    expect(appt).toMatch(/Location:\t+Room Kepler/);
    expect(appt).toMatch(/Recurrence pattern:\t+Every Monday from 09:00 to 09:30/);
    const contact = readFileSync(join(pff.root, 'Contacts/Contact00001/Contact.txt'), 'utf8');
    expect(contact).toMatch(/Given name:\t+Chloé/);
    expect(contact).toMatch(/Email address 1:\t+chloe.dubois@example.fr/);
    expect(readFileSync(join(pff.root, 'Contacts/DistributionList00002/DistributionList.txt'), 'utf8')).toMatch(/Name:\t+Project team/);
    const task = readFileSync(join(pff.root, 'Tasks/Task00001/Task.txt'), 'utf8');
    expect(task).toMatch(/Due date:\t+Feb 28, 2024/);
    expect(task).toMatch(/Percentage complete:\t+5\.0+e-01/);
    expect(readFileSync(join(pff.root, 'Notes/Note00001/Note.txt'), 'utf8')).toContain('Remember the backup\r\nbefore the migration.');
    expect(existsSync(join(pff.root, 'Conversation Action Settings'))).toBe(true);
    // unicode nested folders
    expect(pff.folders.has('Inbox/Projekte – Übersicht/日本語のフォルダ')).toBe(true);
    // plain/HTML/RTF bodies
    const inbox = demoDescription.folders.find((f) => f.name === 'Inbox')!;
    const want = expectedFolders(demoDescription, true);
    expect(sortItems(pff.folders.get('Inbox')!)).toEqual(sortItems(want.get('Inbox')!));
    const rtfDir = readdirSync(join(pff.root, 'Inbox')).find((d) => existsSync(join(pff.root, 'Inbox', d, 'Message.rtf')))!;
    expect(readFileSync(join(pff.root, 'Inbox', rtfDir, 'Message.rtf'), 'latin1').replace(/\0+$/, '')).toBe(inbox.messages![2]!.bodyRtf);
    const htmlDir = readdirSync(join(pff.root, 'Inbox')).find((d) => existsSync(join(pff.root, 'Inbox', d, 'Message.html')))!;
    expect(readFileSync(join(pff.root, 'Inbox', htmlDir, 'Message.html'), 'utf8').replace(/\0+$/, '')).toBe(inbox.messages![1]!.bodyHtml);
    // three levels of embedded messages
    expect(want.get('Inbox')!.find((i) => i.embedded.length === 3)).toBeTruthy();
    const pst = readpst(file, join(work, 'demo-readpst'), 'Mailferry Demo');
    expect(sortItems(pst.folders.get('Inbox')!)).toEqual(sortItems(expectedFolders(demoDescription, false).get('Inbox')!));
    expect(pst.rtf.get('Quarterly figures')).toBe(inbox.messages![2]!.bodyRtf);
    // libpst decodes the recurrence blob and the contact's named properties on its own
    const ics = readFileSync(join(work, 'demo-readpst', 'Mailferry Demo', 'Calendar', '1'), 'utf8');
    expect(ics).toContain('RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO');
    expect(ics).toContain('DTSTART;VALUE=DATE-TIME:20240108T090000Z');
    expect(ics).toContain('LOCATION:Room Kepler');
    const vcf = readFileSync(join(work, 'demo-readpst', 'Mailferry Demo', 'Contacts', '1'), 'utf8');
    expect(vcf).toContain('EMAIL:chloe.dubois@example.fr');
    expect(vcf).toContain('N:Dubois;Chloé;;;');
  }, 60_000);
});

describe('pstgen: mutations are noticed by libpff where they should be', () => {
  const countExported = (file: string, target: string) => {
    rmSync(`${target}.export`, { recursive: true, force: true });
    const r = spawnSync('pffexport', ['-q', '-m', 'items', '-t', target, file], { encoding: 'utf8' });
    const n = existsSync(`${target}.export`) ? spawnSync('sh', ['-c', `find "${target}.export" -name Message.txt | wc -l`], { encoding: 'utf8' }).stdout.trim() : '0';
    return { status: r.status, stderr: r.stderr, messages: Number(n) };
  };
  it('header flip, heap-map corruption and a broken NBT entry', async () => {
    const desc = generateDescription({ variant: 'unicode', crypt: 'permute', messages: 40, seed: 9 });
    const base = writePstToBytes(desc).bytes;
    const file = join(work, 'mut.pst');
    writeFileSync(file, base);
    const clean = countExported(file, join(work, 'mut-clean'));
    expect(clean.status).toBe(0);

    const h = await mutate(base, { kind: 'flip', target: 'header', seed: 5 });
    writeFileSync(file, h.bytes!);
    const info = spawnSync('pffinfo', [file], { encoding: 'utf8' });
    expect(info.status).not.toBe(0);
    expect(info.stderr).toMatch(/file header checksum/);

    const hn = await mutate(base, { kind: 'corrupt-hnmap', seed: 5 });
    writeFileSync(file, hn.bytes!);
    const a = countExported(file, join(work, 'mut-hn'));
    expect(a.status).toBe(0);
    expect(a.messages).toBe(clean.messages - 1);
    expect(a.stderr).toMatch(/libpff_table_read_index/);

    const bt = await mutate(base, { kind: 'break-btree', target: 'nbt', level: 0, seed: 5 });
    writeFileSync(file, bt.bytes!);
    const b = countExported(file, join(work, 'mut-bt'));
    expect(b.stderr).toMatch(/unable to find offset index value identifier: 2147483644/);
    expect(b.messages).toBeLessThan(clean.messages);
  }, 60_000);
});
