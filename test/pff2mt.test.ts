/**
 * PST/OST → GXMT (worker/convert/pff2mt.ts): golden tests on PSTs from the project's PST writer
 * (expectations written here, not captured), every corpus PST decoded strictly, the differential
 * test against the streams real gromox-pff2mt 3.10 wrote (every allowed difference named), and
 * determinism.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MemorySink } from '../worker/io/sink.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import * as T from '../worker/mapi/types.ts';
import type { Prop } from '../worker/mapi/types.ts';
import type { Finding } from '../worker/findings.ts';
import { decodeGxmtBytes, frameJson, propJson, MAILBOX_FID_UNANCHORED, type DecodedMessage, type FolderFrame, type GxmtFrame, type MessageFrame } from '../worker/gxmt/index.ts';
import { pstSourceToMt, splitSubjectMarker, type Pff2mtOptions } from '../worker/convert/pff2mt.ts';
import { writePstToBytes } from '../cli/pstgen/index.ts';
import type { PstDescription } from '../cli/pstgen/index.ts';
import { openFileSource } from '../cli/io.ts';
import { corpusDir, corpusFiles, corpusRel, describeCorpus } from './corpus.ts';

async function convert(bytes: Uint8Array, o: Pff2mtOptions = {}) {
  const sink = new MemorySink();
  const findings: Finding[] = [];
  const res = await pstSourceToMt(bytesSource(bytes, 'golden.pst'), sink, { onFinding: (f) => findings.push(f), ...o });
  const out = sink.bytes();
  return { out, res, findings, ...decodeGxmtBytes(out) };
}

const get = (props: Prop[], tag: number) => props.find((p) => p.tag === tag && !p.name)?.value;
const getNamed = (props: Prop[], guid: string, lid: number | string) =>
  props.find((p) => p.name && p.name.guid === guid && (typeof lid === 'number' ? p.name.lid === lid : p.name.name === lid));
const folders = (frames: GxmtFrame[]) => frames.filter((f): f is FolderFrame => f.kind === 'folder');
const messages = (frames: GxmtFrame[]) => frames.filter((f): f is MessageFrame => f.kind === 'message');
const folderName = (f: FolderFrame) => get(f.props, 0x3001001f);

const GOLDEN: PstDescription = {
  variant: 'unicode',
  crypt: 'permute',
  store: { displayName: 'Golden Store' },
  folders: [
    {
      name: 'Inbox',
      special: 'inbox',
      containerClass: 'IPF.Note',
      messages: [
        {
          messageClass: 'IPM.Note',
          subject: '\u0001\u0005RE: Grüße 😀',
          bodyText: 'Hello Bob,\r\nsee attached.',
          sender: { name: 'Alice', email: 'alice@example.com' },
          recipients: [
            { type: 'to', name: 'Bob', email: 'bob@example.com' },
            { type: 'cc', name: 'Carol', email: 'carol@example.org' },
          ],
          submitTime: '2024-05-01T10:00:00Z',
          named: [
            { guid: T.PSETID.Common, lid: 0x8552, type: 'long', value: 7 },
            { guid: T.PSETID.PS_PUBLIC_STRINGS, name: 'Keywords', type: 'mv-string', value: ['red', 'grün'] },
          ],
          attachments: [
            { filename: 'a.txt', mimeType: 'text/plain', content: { text: 'hello attachment' } },
            {
              filename: 'inner.msg',
              embedded: {
                messageClass: 'IPM.Note',
                subject: 'inner message',
                bodyText: 'inside',
                recipients: [{ type: 'to', name: 'Dan', email: 'dan@example.net' }],
                attachments: [{ filename: 'deep.bin', content: { base64: 'AAECAwQ=' } }],
              },
            },
          ],
        },
      ],
      fai: [{ messageClass: 'IPM.Configuration.Test', subject: 'fai item' }],
      folders: [
        { name: 'Projects', messages: [{ messageClass: 'IPM.Note', subject: 'p1' }] },
        { name: 'projects', messages: [{ messageClass: 'IPM.Note', subject: 'p2' }] },
      ],
    },
    { name: 'Sent Items', special: 'sent', containerClass: 'IPF.Note' },
    {
      name: 'Hidden',
      hidden: true,
      messages: [{ messageClass: 'IPM.Note', subject: 'in hidden' }],
      folders: [{ name: 'Child', messages: [{ messageClass: 'IPM.Note', subject: 'in hidden child' }] }],
    },
  ],
};

describe('golden: a PST from the project writer, converted and decoded strictly', () => {
  const { bytes, result } = writePstToBytes(GOLDEN);
  const nidOf = (...path: string[]) => result.items.find((i) => i.path.join('/') === path.join('/'))!.nid;

  test('default options: the tree, names, messages and properties', async () => {
    const { header, frames, res, findings } = await convert(bytes);
    expect(header).toMatchObject({ version: 5, splice: false, publicStore: false });
    expect(header!.folderMap).toEqual([{ nid: 0x122n, create: true, target: 9n, name: 'Import of golden.pst' }]);
    // the tree: parent before child, search folders left out, hidden folder kept (no -s)
    const tree = folders(frames).map((f) => [Number(f.nid), Number(f.parent), folderName(f)]);
    expect(tree).toEqual([
      [0x122, 0, 'Unnamed folder 290'],
      [0x8022, 0x122, expect.any(String)],
      [nidOf('Inbox'), 0x8022, 'Inbox'],
      [nidOf('Inbox', 'Projects'), nidOf('Inbox'), 'Projects'],
      [nidOf('Inbox', 'projects'), nidOf('Inbox'), 'projects (2)'],
      [nidOf('Sent Items'), 0x8022, 'Sent Items'],
      [nidOf('Hidden'), 0x8022, 'Hidden'],
      [nidOf('Hidden', 'Child'), nidOf('Hidden'), 'Child'],
      [0x8042, 0x122, 'Search Root'],
    ].sort((a, b) => tree.findIndex((t) => t[0] === a[0]) - tree.findIndex((t) => t[0] === b[0])));
    expect(frames[0]!.kind).toBe('folder');
    expect(frames[0]).toMatchObject({ nid: 0x122n, parentType: 1, parent: 0n });
    // every message, FAI excluded by default
    const msgs = messages(frames);
    expect(msgs.map((m) => [Number(m.nid), Number(m.parent), get(m.content.props, 0x0037001f)]).sort()).toEqual(
      [
        [nidOf('Inbox', '\u0001\u0005RE: Grüße 😀'), nidOf('Inbox'), 'RE: Grüße 😀'],
        [nidOf('Inbox', 'Projects', 'p1'), nidOf('Inbox', 'Projects'), 'p1'],
        [nidOf('Inbox', 'projects', 'p2'), nidOf('Inbox', 'projects'), 'p2'],
        [nidOf('Hidden', 'in hidden'), nidOf('Hidden'), 'in hidden'],
        [nidOf('Hidden', 'Child', 'in hidden child'), nidOf('Hidden', 'Child'), 'in hidden child'],
      ].sort(),
    );
    expect(res).toMatchObject({ messages: 5, skippedMessages: 0, skippedFolders: 0 });
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(findings.map((f) => f.code)).toContain('PFF-FOLDER-RENAMED');

    const m = msgs.find((x) => Number(x.nid) === nidOf('Inbox', '\u0001\u0005RE: Grüße 😀'))!;
    const j = frameJson(m);
    const props = m.content.props;
    expect(get(props, 0x001a001f)).toBe('IPM.Note');
    expect(get(props, 0x003d001f)).toBe('RE: ');
    expect(get(props, 0x0e1d001f)).toBe('Grüße 😀');
    expect(get(props, 0x1000001f)).toBe('Hello Bob,\r\nsee attached.');
    expect(get(props, 0x0c1a001f)).toBe('Alice');
    expect(get(props, 0x00390040)).toBe(BigInt(Date.parse('2024-05-01T10:00:00Z')) * 10000n + 116444736000000000n);
    expect(getNamed(props, T.PSETID.Common, 0x8552)?.value).toBe(7);
    expect(T.propType(getNamed(props, T.PSETID.Common, 0x8552)!.tag)).toBe(T.PT_LONG);
    const kw = getNamed(props, T.PSETID.PS_PUBLIC_STRINGS, 'Keywords')!;
    expect(kw.value).toEqual(['red', 'grün']);
    expect(T.propType(kw.tag)).toBe(T.PT_MV_UNICODE);
    expect(props.filter((p) => p.tag >>> 16 >= 0x8000).every((p) => p.name)).toBe(true);
    // recipients
    expect(m.content.recipients.map((r) => [get(r, 0x0c150003), get(r, 0x3001001f), get(r, 0x3003001f)])).toEqual([
      [1, 'Bob', 'bob@example.com'],
      [2, 'Carol', 'carol@example.org'],
    ]);
    // attachments: by value and an embedded message with its own recipient and attachment
    expect(m.content.attachments).toHaveLength(2);
    const [a0, a1] = m.content.attachments;
    expect(get(a0!.props, 0x3707001f)).toBe('a.txt');
    expect(new TextDecoder().decode(get(a0!.props, 0x37010102) as Uint8Array)).toBe('hello attachment');
    expect(a0!.embedded).toBeUndefined();
    expect(get(a1!.props, 0x37050003)).toBe(5);
    expect(a1!.props.some((p) => T.propId(p.tag) === 0x3701)).toBe(false);
    expect(get(a1!.embedded!.props, 0x0037001f)).toBe('inner message');
    expect(a1!.embedded!.recipients.map((r) => get(r, 0x3003001f))).toEqual(['dan@example.net']);
    expect([...(get(a1!.embedded!.attachments[0]!.props, 0x37010102) as Uint8Array)]).toEqual([0, 1, 2, 3, 4]);
    // JSON form agrees
    expect(j).toMatchObject({ kind: 'message', nid: '0x' + nidOf('Inbox', '\u0001\u0005RE: Grüße 😀').toString(16), parentType: 3 });
    // one definition per named property id, proptype 0, before first use
    const defs = frames.filter((f) => f.kind === 'namedprop');
    expect(new Set(defs.map((d) => d.nid)).size).toBe(defs.length);
    expect(defs.every((d) => (d.nid & 0xffffn) === 0n)).toBe(true);
  });

  test('-s: splice map, hidden folders left out with their subtree, FAI with --with-assoc', async () => {
    const { header, frames, findings } = await convert(bytes, { splice: true, withAssoc: true });
    expect(header!.splice).toBe(true);
    const fm = new Map(header!.folderMap.map((e) => [Number(e.nid), [e.create, Number(e.target)]]));
    expect(fm.get(0x122)).toEqual([false, 1]);
    expect(fm.get(0x8022)).toEqual([false, 9]);
    expect(fm.get(0x8042)).toEqual([false, 5]);
    expect(fm.get(nidOf('Sent Items'))).toEqual([false, 0x0a]);
    const names = folders(frames).map(folderName);
    expect(names).not.toContain('Hidden');
    expect(names).not.toContain('Child');
    expect(names).toContain('projects'); // no renaming when splicing: same-named folders merge
    expect(messages(frames).map((m) => get(m.content.props, 0x0037001f))).not.toContain('in hidden child');
    expect(messages(frames).map((m) => get(m.content.props, 0x001a001f))).toContain('IPM.Configuration.Test');
    expect(findings.map((f) => f.code)).toContain('PFF-FOLDER-HIDDEN');
  });

  test('--root-target unanchored, --import-name, --mt-version 4, --only-obj', async () => {
    const a = await convert(bytes, { rootTarget: 'unanchored', importName: 'Import of X', version: 4 });
    expect(a.header).toMatchObject({ version: 4, folderMap: [{ nid: 0x122n, create: true, target: MAILBOX_FID_UNANCHORED, name: 'Import of X' }] });
    const b = await convert(bytes, { onlyObj: [nidOf('Inbox', 'Projects'), nidOf('Hidden', 'in hidden')] });
    expect(b.header!.folderMap).toEqual([]);
    expect(b.frames.map((f) => [f.kind, Number(f.nid), f.parent])).toEqual([
      ['folder', nidOf('Inbox', 'Projects'), MAILBOX_FID_UNANCHORED],
      ['message', nidOf('Inbox', 'Projects', 'p1'), BigInt(nidOf('Inbox', 'Projects'))],
      ['message', nidOf('Hidden', 'in hidden'), MAILBOX_FID_UNANCHORED],
    ]);
  });

  test('ANSI PST: 8-bit strings decoded with the code page and written as UTF-8, MV_STRING8 too', async () => {
    const { bytes: ansi } = writePstToBytes({
      variant: 'ansi',
      crypt: 'none',
      store: { displayName: 'Ansi' },
      folders: [{ name: 'Café', messages: [{ messageClass: 'IPM.Note', subject: 'Grüße', named: [{ guid: T.PSETID.PS_PUBLIC_STRINGS, name: 'Keywords', type: 'mv-string', value: ['für', 'naïve'] }] }] }],
    });
    const { frames } = await convert(ansi);
    expect(folders(frames).map(folderName)).toContain('Café');
    const m = messages(frames)[0]!;
    expect(get(m.content.props, 0x0037001f)).toBe('Grüße');
    const kw = getNamed(m.content.props, T.PSETID.PS_PUBLIC_STRINGS, 'Keywords')!;
    expect([T.propType(kw.tag), kw.value]).toEqual([T.PT_MV_UNICODE, ['für', 'naïve']]);
    expect(m.content.props.some((p) => [T.PT_STRING8, T.PT_MV_STRING8].includes(T.propType(p.tag)))).toBe(false);
  });

  test('deterministic: two runs give byte-identical streams', async () => {
    const a = await convert(bytes, { importTime: new Date(0) });
    const b = await convert(bytes, { importTime: new Date(0) });
    expect(a.out).toEqual(b.out);
    expect(a.header!.folderMap[0]!.name).toBe('Import of golden.pst @1970-01-01T00:00:00');
  });
});

describe('subject prefix marker (MS-PST 2.5.3.1.1.1)', () => {
  test('counted in characters, never splitting a surrogate pair', () => {
    expect(splitSubjectMarker('\u0001\u0005RE: x')).toEqual({ prefix: 'RE: ', normalized: 'x' });
    expect(splitSubjectMarker('\u0001\u0001hello')).toEqual({ prefix: '', normalized: 'hello' });
    expect(splitSubjectMarker('\u0001\u0005AW: Grüße')).toEqual({ prefix: 'AW: ', normalized: 'Grüße' });
    expect(splitSubjectMarker('\u0001\u0002😀x')).toBeNull(); // would cut the pair
    expect(splitSubjectMarker('\u0001\u0009RE')).toBeNull(); // runs past the end
    expect(splitSubjectMarker('plain')).toBeNull();
  });
});

// ------------------------------------------------------------------------------------------------
// Corpus: every PST/OST decodes strictly; differential against gromox-pff2mt 3.10.

const pstFiles = corpusFiles('pst', /\.(pst|ost)$/i);

describeCorpus('every corpus PST/OST: our stream decodes strictly', () => {
  for (const f of pstFiles) {
    test(corpusRel(f), async () => {
      const src = await openFileSource(f);
      const sink = new MemorySink();
      const findings: Finding[] = [];
      try {
        const res = await pstSourceToMt(src, sink, { onFinding: (x) => findings.push(x) });
        const { header, frames } = decodeGxmtBytes(sink.bytes());
        expect(header!.version).toBe(5);
        expect(messages(frames)).toHaveLength(res.messages);
        expect(res.messages + res.skippedMessages).toBe(res.seenMessages);
        // every skipped message is explained by an error finding
        expect(findings.filter((x) => x.severity === 'error').length).toBeGreaterThanOrEqual(res.skippedMessages);
      } catch (e) {
        // only a file that is not a PST at all may stop the run, with PstOpenError
        expect((e as Error).name).toBe('PstOpenError');
        expect(basename(f)).toMatch(/NOTPST/);
      } finally {
        await src.close();
      }
    }, 60_000);
  }
});

/**
 * Differences from gromox-pff2mt 3.10 that the project makes on purpose (README, "pff2mt
 * differences"). Every difference the differential test accepts is one of these.
 */
type Allowed =
  | 'subject-prefix' // PR_SUBJECT keeps the full subject; PR_SUBJECT_PREFIX/PR_NORMALIZED_SUBJECT set
  | 'codepage' // 8-bit strings decoded with the object's code page, not cp1252
  | 'mv-string8-unicode' // PT_MV_STRING8 converted to PT_MV_UNICODE
  | 'absent-cells' // TC cells absent from a row (cell-existence bitmap) are not invented as empty values
  | 'ltp-row-columns' // PidTagLtpRowId/RowVer (0x67F2/0x67F3) of the recipient TC are table bookkeeping
  | 'ole-object-kept' // PR_ATTACH_DATA_OBJ of OLE attachments is kept; pff2mt drops it
  | 'nameid-guid-index' // NAMEID wGuid 2 = PS_PUBLIC_STRINGS (MS-PST 2.4.7.1); libpff reports a null GUID
  | 'unique-folder-names'; // sibling folders with equal names renamed " (2)"

const isEmpty = (v: unknown) => v === '' || v === 0 || v === false || v === '0' || (Array.isArray(v) && v.length === 0);
const NULL_GUID = '00000000-0000-0000-0000-000000000000';

function keyOf(p: Prop): string {
  if (!p.name) return 't' + (p.tag >>> 0).toString(16).padStart(8, '0');
  return `n{${p.name.guid},${p.name.name !== undefined ? 's:' + p.name.name : 'i:' + p.name.lid}}:${(p.tag & 0xffff).toString(16)}`;
}

class Diff {
  readonly allowed = new Map<Allowed, number>();
  readonly unexplained: string[] = [];
  constructor(private readonly ansi: boolean) {}
  allow(a: Allowed) {
    this.allowed.set(a, (this.allowed.get(a) ?? 0) + 1);
  }

  props(ours: Prop[], ref: Prop[], where: string, kind: 'folder' | 'message' | 'recipient' | 'attachment') {
    const norm = (list: Prop[], isRef: boolean) => {
      const m = new Map<string, Prop>();
      for (const p of list) {
        let q = p;
        if (isRef && p.name && p.name.guid === NULL_GUID) q = { ...p, name: { ...p.name, guid: T.PSETID.PS_PUBLIC_STRINGS } };
        if (isRef && T.propType(q.tag) === T.PT_MV_STRING8) q = { ...q, tag: (q.tag & 0xffff0000 | T.PT_MV_UNICODE) >>> 0 };
        m.set(keyOf(q), q);
        if (q !== p && isRef) m.set('orig:' + keyOf(q), p);
      }
      return m;
    };
    const a = norm(ours, false);
    const b = norm(ref, true);
    const subj = kind === 'message' ? this.subject(ours, ref) : false;
    for (const [k, p] of a) {
      if (k.startsWith('orig:')) continue;
      const q = b.get(k);
      const va = JSON.stringify(propJson(p).value);
      if (!q) {
        if (subj && (k === 't003d001f' || k === 't0e1d001f')) this.allow('subject-prefix');
        else if (kind === 'attachment' && k === 't3701000d') this.allow('ole-object-kept');
        else this.unexplained.push(`${where}: only ours ${k}=${va.slice(0, 100)}`);
        continue;
      }
      const vb = JSON.stringify(propJson(q).value);
      const orig = b.get('orig:' + k);
      if (orig && orig.name?.guid === NULL_GUID) this.allow('nameid-guid-index');
      if (orig && T.propType(orig.tag) === T.PT_MV_STRING8) this.allow('mv-string8-unicode');
      if (va === vb) continue;
      if (subj && k === 't0037001f') this.allow('subject-prefix');
      else if (kind === 'folder' && k === 't3001001f' && new RegExp(`^${escapeRe(vb.slice(1, -1))} \\(\\d+\\)$`).test(va.slice(1, -1))) this.allow('unique-folder-names');
      else if (this.ansi && /[^\x00-\x7f]/.test(vb) && isStringType(p.tag)) this.allow('codepage');
      else this.unexplained.push(`${where}: ${k} ours=${va.slice(0, 100)} ref=${vb.slice(0, 100)}`);
    }
    for (const [k, q] of b) {
      if (k.startsWith('orig:') || a.has(k)) continue;
      const v = propJson(q).value;
      if (kind === 'recipient' && (k === 't67f20003' || k === 't67f30003')) this.allow('ltp-row-columns');
      else if (kind === 'recipient' && isEmpty(v)) this.allow('absent-cells');
      else this.unexplained.push(`${where}: only gromox ${k}=${JSON.stringify(v).slice(0, 100)}`);
    }
  }

  /** Is the subject difference exactly the subject-prefix fix? */
  private subject(ours: Prop[], ref: Prop[]): boolean {
    const os = get(ours, 0x0037001f);
    const rs = get(ref, 0x0037001f);
    const rp = (get(ref, 0x003d001f) as string | undefined) ?? '';
    const op = get(ours, 0x003d001f);
    const on = get(ours, 0x0e1d001f);
    // with 8-bit strings gromox's text is cp1252 mojibake; then only the structure is compared
    const same = (x: unknown, y: unknown) => x === y || (this.ansi && typeof y === 'string' && /[^\x00-\x7f]/.test(y));
    return typeof os === 'string' && typeof rs === 'string' && typeof op === 'string' && same(on, rs) && same(op, rp) && os === op + on;
  }

  message(ours: DecodedMessage, ref: DecodedMessage, where: string) {
    this.props(ours.props, ref.props, where, 'message');
    if (ours.recipients.length !== ref.recipients.length) this.unexplained.push(`${where}: ${ours.recipients.length} recipients, gromox ${ref.recipients.length}`);
    ours.recipients.forEach((r, i) => ref.recipients[i] && this.props(r, ref.recipients[i]!, `${where}/rcpt${i}`, 'recipient'));
    if (ours.attachments.length !== ref.attachments.length) this.unexplained.push(`${where}: ${ours.attachments.length} attachments, gromox ${ref.attachments.length}`);
    ours.attachments.forEach((x, i) => {
      const y = ref.attachments[i];
      if (!y) return;
      this.props(x.props, y.props, `${where}/att${i}`, 'attachment');
      if (!!x.embedded !== !!y.embedded) this.unexplained.push(`${where}/att${i}: embedded ${!!x.embedded}, gromox ${!!y.embedded}`);
      if (x.embedded && y.embedded) this.message(x.embedded, y.embedded, `${where}/att${i}/embedded`);
    });
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isStringType = (tag: number) => [T.PT_UNICODE, T.PT_STRING8, T.PT_MV_UNICODE, T.PT_MV_STRING8].includes(T.propType(tag));

describeCorpus('differential: gromox-pff2mt 3.10 streams (corpus/gxmt-reference/pst)', () => {
  const refs = corpusFiles('gxmt-reference/pst', /\.mt$/);
  test('there are reference streams', () => expect(refs.length).toBeGreaterThan(5));
  for (const ref of refs) {
    const name = basename(ref).replace(/\.mt$/, '');
    const pst = join(corpusDir, 'pst', name);
    test.runIf(existsSync(pst))(name, async () => {
      const src = await openFileSource(pst);
      const sink = new MemorySink();
      // pff2mt 3.10 defaults: non-splice, hidden included, no FAI, root to the -B folder
      await pstSourceToMt(src, sink, { rootTarget: 'unanchored' });
      await src.close();
      const ours = decodeGxmtBytes(sink.bytes());
      const theirs = decodeGxmtBytes(readFileSync(ref), { onFinding: () => {} });
      // same header apart from the root folder name (gromox puts the time of its run in it)
      expect({ ...ours.header!.folderMap[0]!, name: '' }).toEqual({ ...theirs.header!.folderMap[0]!, name: '' });
      expect(ours.header!.folderMap[0]!.name).toBe(`Import of ${name}`);
      // same folders and messages by NID, same parents
      const fo = new Map(folders(ours.frames).map((f) => [f.nid, f]));
      const ft = new Map(folders(theirs.frames).map((f) => [f.nid, f]));
      expect([...fo.keys()].sort()).toEqual([...ft.keys()].sort());
      const mo = new Map(messages(ours.frames).map((f) => [f.nid, f]));
      const mt = new Map(messages(theirs.frames).map((f) => [f.nid, f]));
      expect([...mo.keys()].sort()).toEqual([...mt.keys()].sort());
      const ansi = theirs.frames.some((f) => f.kind === 'namedprop' && (f.nid & 0xffffn) === 0x1en);
      const diff = new Diff(ansi || /97-2002|2003_/.test(name));
      for (const [nid, f] of fo) {
        const g = ft.get(nid)!;
        expect([f.parent, f.parentType]).toEqual([g.parent, g.parentType]);
        diff.props(f.props, g.props, `folder 0x${nid.toString(16)}`, 'folder');
      }
      for (const [nid, m] of mo) {
        const g = mt.get(nid)!;
        expect(m.parent).toBe(g.parent);
        diff.message(m.content, g.content, `message 0x${nid.toString(16)}`);
      }
      expect(diff.unexplained).toEqual([]);
      // one definition per id in ours; gromox repeats them
      const defs = ours.frames.filter((f) => f.kind === 'namedprop').map((f) => f.nid);
      expect(new Set(defs).size).toBe(defs.length);
    }, 60_000);
  }
});

describe('damaged items are reported and skipped; --no-continue stops', () => {
  // A PstFile whose message 0x200044 cannot be read, as the reader signals damage.
  const { bytes } = writePstToBytes({
    variant: 'unicode',
    crypt: 'none',
    store: { displayName: 'D' },
    folders: [{ name: 'Inbox', messages: [{ messageClass: 'IPM.Note', subject: 'a' }, { messageClass: 'IPM.Note', subject: 'b' }, { messageClass: 'IPM.Note', subject: 'c' }] }],
  });
  async function run(continueOnError: boolean) {
    const { openPst } = await import('../worker/pst/index.ts');
    const { pstToMt } = await import('../worker/convert/pff2mt.ts');
    const pst = await openPst(bytesSource(bytes));
    const inbox = (await (await (await pst.rootFolder()).subfolders()).find((f) => f.name !== 'Search Root')!.subfolders())[0]!;
    const refs: number[] = [];
    for await (const r of inbox.messages()) refs.push(r.nid);
    const bad = refs[1]!;
    const broken = Object.create(pst) as typeof pst;
    broken.readMessage = (nid: number) => (nid === bad ? Promise.reject(new Error('block CRC mismatch')) : pst.readMessage(nid));
    const sink = new MemorySink();
    const findings: Finding[] = [];
    const res = await pstToMt(broken, sink, { continueOnError, onFinding: (f) => findings.push(f) });
    return { res, findings, bad, refs, frames: decodeGxmtBytes(sink.bytes()).frames };
  }
  test('default: the run goes on', async () => {
    const { res, findings, bad, refs, frames } = await run(true);
    expect(res).toMatchObject({ messages: 2, skippedMessages: 1, seenMessages: 3 });
    expect(res.stopped).toBeUndefined();
    expect(messages(frames).map((m) => Number(m.nid))).toEqual(refs.filter((n) => n !== bad));
    expect(findings.filter((f) => f.code === 'PFF-ITEM-UNREADABLE').map((f) => [f.nid, f.severity])).toEqual([[bad, 'error']]);
  });
  test('continueOnError false: stops after the damaged item, stream still valid', async () => {
    const { res, frames, refs } = await run(false);
    expect(res.stopped).toMatch(/could not be read/);
    expect(messages(frames).map((m) => Number(m.nid))).toEqual([refs[0]]);
  });
});
