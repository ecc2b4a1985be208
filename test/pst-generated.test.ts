/**
 * The reader against files written by the PST writer (cli/pstgen) in every variant and cipher:
 * ANSI/Unicode/OST 4K × none/permute/cyclic, incl. 4K compressed blocks, XBLOCK data trees,
 * embedded messages three deep, named and multi-valued properties, FAI. Everything the
 * description says must come back; the validator must call the files healthy.
 */
import { describe, expect, test } from 'vitest';
import { attachmentBytes, generateDescription, walkFolders, writePstToBytes, type MessageDesc, type PstDescription } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { openPst, type Folder, type PstAttachment, type PstFile } from '../worker/pst/index.ts';
import type { PstFileImpl } from '../worker/pst/messaging/pst-file.ts';
import { isInternal } from '../worker/pst/ndb/blocks.ts';
import { validate } from '../worker/pst/validate.ts';
import { inspect } from '../worker/pst/inspect.ts';
import type { Finding } from '../worker/findings.ts';
import { sha256, walkPst, type WalkedMessage } from './pst-helpers.ts';

const VARIANTS = ['ansi', 'unicode', 'ost4k'] as const;
const CRYPTS = ['none', 'permute', 'cyclic'] as const;

function nested(depth: number): MessageDesc {
  const m: MessageDesc = { messageClass: 'IPM.Note', subject: `level ${depth}`, bodyText: `body ${depth}` };
  m.attachments = depth < 3
    ? [{ filename: `level-${depth + 1}.msg`, embedded: nested(depth + 1) }]
    : [{ filename: 'deepest.txt', content: { text: 'at the bottom\n' } }];
  return m;
}

export function testDescription(variant: (typeof VARIANTS)[number], crypt: (typeof CRYPTS)[number], seed = 7): PstDescription {
  const desc = generateDescription({ variant, crypt, messages: 60, attachmentMiB: 0.4, seed, attachmentKind: variant === 'ost4k' ? 'text' : 'random' });
  const inbox = desc.folders.find((f) => f.name === 'Inbox')!;
  inbox.messages!.push({
    messageClass: 'IPM.Note', subject: 'outer with embedded', bodyText: 'see attached',
    attachments: [{ filename: 'level-1.msg', embedded: nested(1) }, { filename: 'plain.txt', content: { text: 'plain attachment' } }],
    props: [
      { id: 0x3a4f, type: 'mv-long', value: [1, 2, 3] } as never,
      { id: 0x6701, type: 'double', value: 2.5 },
      { id: 0x6702, type: 'i8', value: '-1234567890123' },
      { id: 0x6703, type: 'guid', value: '00062008-0000-0000-c000-000000000046' },
      { id: 0x6704, type: 'mv-binary', value: ['AAE=', 'AgME'] },
      { id: 0x6705, type: 'short', value: 42 },
    ],
    named: [{ guid: '00062004-0000-0000-c000-000000000046', lid: 0x8005, type: 'string', value: 'File As' }],
  });
  // A large attachment in a data tree (XBLOCK), incompressible.
  inbox.messages!.push({
    messageClass: 'IPM.Note', subject: 'large attachment',
    attachments: [{ filename: 'large.bin', content: { size: 300_000, seed: 99, kind: 'random' } }],
  });
  return desc;
}

function expectMessage(got: WalkedMessage, want: MessageDesc, where: string): void {
  expect(got.subject, where).toBe(want.subject);
  expect(got.messageClass, where).toBe(want.messageClass);
  const atts = want.attachments ?? [];
  expect(got.attachments.map((a) => a.name), where).toEqual(atts.map((a) => a.filename));
  atts.forEach((a, i) => {
    const g = got.attachments[i]!;
    if (a.content) {
      const bytes = attachmentBytes(a.content);
      expect(g.size, `${where} ${a.filename}`).toBe(bytes.length);
      expect(g.sha256, `${where} ${a.filename}`).toBe(sha256(bytes));
    }
    if (a.embedded) {
      expect(g.method).toBe(5);
      expect(g.embedded, `${where} ${a.filename}`).toBeDefined();
      expectMessage(g.embedded!, a.embedded, `${where} > ${a.filename}`);
    }
  });
  expect(got.recipients, where).toBe(want.recipients?.length ?? 0);
}

async function open(bytes: Uint8Array, findings: Finding[]): Promise<PstFile> {
  return openPst(bytesSource(bytes, 'generated.pst'), { onFinding: (f) => findings.push(f) });
}

describe('generated files, every variant and cipher', () => {
  for (const variant of VARIANTS) {
    for (const crypt of CRYPTS) {
      test(`${variant}/${crypt}: everything the description says comes back`, async () => {
        const desc = testDescription(variant, crypt);
        const { bytes, result } = writePstToBytes(desc);
        // Cyclic output is incompressible; none and permute files carry zlib blocks.
        if (variant === 'ost4k' && crypt !== 'cyclic') expect(result.compressedBlocks).toBeGreaterThan(0);
        const findings: Finding[] = [];
        const pst = await open(bytes, findings);
        expect(pst.variant).toBe(variant);
        expect(pst.encryption).toBe(crypt);
        const info = await pst.storeInfo();
        expect(info.passwordSet).toBe(true);
        const walked = await walkPst(pst);
        const ipm = walked.find((f) => f.nid === info.ipmSubtreeNid)!;
        expect(ipm).toBeDefined();
        const strip = (p: string[]) => p.slice(ipm.path.length);
        for (const { path, folder } of walkFolders(desc)) {
          const got = walked.find((f) => strip(f.path).join('/') === path.join('/') && f.path.length > ipm.path.length);
          expect(got, path.join('/')).toBeDefined();
          const want = folder.messages ?? [];
          expect(got!.messages.length, path.join('/')).toBe(want.length);
          want.forEach((m, i) => expectMessage(got!.messages[i]!, m, `${path.join('/')}#${i}`));
          expect(got!.fai.map((m) => m.subject)).toEqual((folder.fai ?? []).map((m) => m.subject));
        }
        // Only the password notice: no damage, no code-page fallback.
        expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
      });

      test(`${variant}/${crypt}: validate --full says ok, inspect counts match`, async () => {
        const desc = testDescription(variant, crypt, 11);
        const { bytes, result } = writePstToBytes(desc);
        const r = await validate(bytesSource(bytes), { full: true });
        expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
        expect(r.verdict).toBe('ok');
        expect(r.counts.bbtEntries).toBe(result.blocks);
        expect(r.counts.nbtEntries).toBe(result.nodes);
        expect(r.counts.blocksChecked).toBe(result.blocks);
        const ins = await inspect(bytesSource(bytes));
        let messages = 0;
        let fai = 0;
        let atts = 0;
        for (const { folder } of walkFolders(desc)) {
          messages += folder.messages?.length ?? 0;
          fai += folder.fai?.length ?? 0;
          for (const m of folder.messages ?? []) atts += m.attachments?.length ?? 0;
        }
        expect(ins.totals.messages).toBe(messages);
        expect(ins.totals.attachments).toBe(atts);
        expect(ins.totals.fai).toBeGreaterThanOrEqual(fai);
        expect(ins.store.passwordSet).toBe(true);
        expect(ins.store.passwordNote).toBe('UI-only, data readable');
      });
    }
  }

  test('4K heaps across pages (HID split 14/13 bits): large contents tables list every message', async () => {
    const desc = generateDescription({ variant: 'ost4k', crypt: 'none', messages: 3000, seed: 2 });
    const { bytes } = writePstToBytes(desc);
    const pst = (await open(bytes, [])) as PstFileImpl;
    // At least one contents table heap spans more than one 4K block (else this test proves nothing).
    let multi = 0;
    for await (const p of pst.bt.walk('nbt')) {
      for (const e of p.nbt ?? []) {
        if ((e.nid & 0x1f) === 0x0e && isInternal(e.bidData)) multi++;
      }
    }
    expect(multi).toBeGreaterThan(0);
    const ipm = await pst.folder((await pst.storeInfo()).ipmSubtreeNid!);
    const byName = new Map<string, string[]>();
    const rec = async (f: Folder, path: string) => {
      const subjects: string[] = [];
      for await (const m of f.messages()) subjects.push(m.subject ?? '');
      byName.set(path, subjects);
      for (const s of await f.subfolders()) await rec(s, path ? `${path}/${s.name}` : s.name);
    };
    await rec(ipm, '');
    for (const { path, folder } of walkFolders(desc)) {
      expect(byName.get(path.join('/')), path.join('/')).toEqual((folder.messages ?? []).map((m) => m.subject));
    }
  });

  test('messages({ columns }) converts only the columns asked for, same rows', async () => {
    const { bytes } = writePstToBytes(testDescription('unicode', 'permute'));
    const pst = await open(bytes, []);
    const inbox = (await (await pst.folder((await pst.storeInfo()).ipmSubtreeNid!)).subfolders()).find((f) => f.name === 'Inbox')!;
    const all = [];
    for await (const ref of inbox.messages()) all.push(ref);
    const some = [];
    for await (const ref of inbox.messages({ columns: [0x0e08, 0x0e07] })) some.push(ref);
    expect(all.length).toBeGreaterThan(1);
    expect(some.map((r) => r.nid)).toEqual(all.map((r) => r.nid));
    for (let i = 0; i < all.length; i++) {
      const want = all[i]!.row.filter((p) => p.tag >>> 16 === 0x0e08 || p.tag >>> 16 === 0x0e07);
      expect(want.length).toBe(2);
      expect(some[i]!.row).toEqual(want);
      expect(some[i]!.size).toBe(all[i]!.size);
      expect(some[i]!.subject).toBeUndefined(); // PR_SUBJECT was not asked for
      expect(all[i]!.subject).toBeDefined();
    }
  });

  test('properties of every type come back with the right values and names', async () => {
    const { bytes } = writePstToBytes(testDescription('unicode', 'permute'));
    const pst = await open(bytes, []);
    const inbox = (await (await pst.folder((await pst.storeInfo()).ipmSubtreeNid!)).subfolders()).find((f) => f.name === 'Inbox')!;
    let found = false;
    for await (const ref of inbox.messages()) {
      if (ref.subject !== 'outer with embedded') continue;
      found = true;
      const m = await pst.readMessage(ref.nid);
      const get = (tag: number) => m.props.find((p) => p.tag === tag)?.value;
      expect(get(0x3a4f1003)).toEqual([1, 2, 3]);
      expect(get(0x67010005)).toBe(2.5);
      expect(get(0x67020014)).toBe(-1234567890123n);
      expect(get(0x67030048)).toEqual(Uint8Array.from([0x08, 0x20, 0x06, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46]));
      expect(get(0x67041102)).toEqual([Uint8Array.from([0, 1]), Uint8Array.from([2, 3, 4])]);
      expect(get(0x67050002)).toBe(42);
      const named = m.props.find((p) => p.name?.lid === 0x8005);
      expect(named?.name?.guid).toBe('00062004-0000-0000-c000-000000000046');
      expect(named?.value).toBe('File As');
      const seedProp = m.props.find((p) => p.name?.name === 'X-Mailferry-Seed');
      expect(seedProp === undefined || typeof seedProp.value === 'string').toBe(true);
      // The embedded object is resolved, not left as PR_ATTACH_DATA_OBJ bytes.
      expect(m.attachments[0]!.embedded).toBeDefined();
      expect(m.attachments[0]!.props.some((p) => p.tag === 0x3701000d)).toBe(false);
      // Attachment objects carry their subnode NID (nidType ATTACHMENT).
      for (const a of m.attachments as PstAttachment[]) expect(a.nid & 0x1f).toBe(0x05);
    }
    expect(found).toBe(true);
  });
});
