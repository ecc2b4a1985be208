/**
 * Our GXMT stream against libpff's pffexport, per corpus PST/OST: every message, recipient,
 * attachment and embedded message pffexport exports must be in the stream (decoded with the
 * strict reader), in the folder of the same path, with the same subject, plain-text body,
 * attachment bytes (SHA-256) and recipient addresses. The stream may hold more (pff2mt emits
 * every message of every normal folder, including classes pffexport skips); those are counted
 * against our own reader's view of the folders.
 */
import { basename, join } from 'node:path';
import { expect, test } from 'vitest';
import { openFileSource } from '../cli/io.ts';
import { MemorySink } from '../worker/io/sink.ts';
import { pstSourceToMt } from '../worker/convert/pff2mt.ts';
import { decodeGxmtBytes, type DecodedMessage, type FolderFrame, type MessageFrame } from '../worker/gxmt/index.ts';
import { openPst } from '../worker/pst/index.ts';
import type { Prop } from '../worker/mapi/types.ts';
import { corpusFiles, describeCorpus } from './corpus.ts';
import { embeddedItems, fileAttachments, hasPffexport, PFFEXPORT_CODEPAGE, pffexportWorkDir, readPffexport, runPffexport, type PffItem } from './pffexport.ts';
import { sha256 } from './pst-helpers.ts';

const work = pffexportWorkDir('mailferry-pff2mt-pe-');

const val = (props: Prop[], tag: number) => props.find((p) => p.tag === tag && !p.name)?.value;
const norm = (s: string) => s.replace(/\r\n?/g, '\n').replace(/\s+$/g, '').replace(/^\s+/, '');
const lc = (s: string) => s.toLowerCase();

/** Why `m` (from our stream) is not pffexport's `item`, or undefined when it is. */
function mismatch(m: DecodedMessage, item: PffItem): string | undefined {
  const subject = String(val(m.props, 0x0037001f) ?? '');
  if (norm(subject) !== norm(item.subject)) return `subject ${JSON.stringify(subject)} != ${JSON.stringify(item.subject)}`;
  if (item.body !== undefined) {
    const body = val(m.props, 0x1000001f);
    if (typeof body !== 'string' || norm(body) !== norm(item.body)) return `body differs (${JSON.stringify(String(body).slice(0, 40))})`;
  }
  const ours = m.recipients.map((r) => String(val(r, 0x3003001f) ?? ''));
  for (const a of item.recipients) if (!ours.some((o) => lc(o) === lc(a))) return `recipient ${a} missing (have ${ours.join(', ')})`;
  const hashes = m.attachments.flatMap((a) => {
    const d = a.props.find((p) => (p.tag === 0x37010102 || p.tag === 0x3701000d) && !p.name)?.value;
    return d instanceof Uint8Array ? [sha256(d)] : [];
  });
  for (const f of fileAttachments(item)) if (!hashes.includes(f.sha256!)) return `attachment ${f.entry} (${f.sha256!.slice(0, 12)}) missing`;
  const emb = m.attachments.filter((a) => a.embedded);
  const theirs = embeddedItems(item);
  if (emb.length !== theirs.length) return `${emb.length} embedded messages, pffexport ${theirs.length}`;
  for (let i = 0; i < emb.length; i++) {
    const w = mismatch(emb[i]!.embedded!, theirs[i]!);
    if (w) return `embedded #${i + 1}: ${w}`;
  }
  return undefined;
}

const covered = { items: 0, bodies: 0, recipients: 0, files: 0, embedded: 0 };
function count(item: PffItem): void {
  covered.items++;
  if (item.body !== undefined) covered.bodies++;
  covered.recipients += item.recipients.length;
  covered.files += fileAttachments(item).length;
  const embedded = embeddedItems(item);
  covered.embedded += embedded.length;
  embedded.forEach(count);
}

describeCorpus('pff2mt stream vs pffexport', () => {
  const files = corpusFiles('pst', /\.(pst|ost)$/i).filter((f) => !/NOTPST|CORRUPT/.test(f));
  for (const file of files) {
    const name = basename(file);
    test.runIf(hasPffexport)(name, async () => {
      const target = join(work, name);
      const cp = PFFEXPORT_CODEPAGE[name];
      const theirs = readPffexport(runPffexport(file, target, cp));

      const src = await openFileSource(file);
      const sink = new MemorySink();
      const res = await pstSourceToMt(src, sink, { codepage: cp });
      // our reader's own count of messages in normal folders: all must be in the stream
      const pst = await openPst(src, { codepage: cp });
      let inFolders = 0;
      const walk = async (nid: number): Promise<void> => {
        const f = await pst.folder(nid);
        if (f.isSearchFolder) return;
        for await (const _ of f.messages()) inFolders++;
        for (const s of await f.subfolders()) await walk(s.nid);
      };
      await walk(0x122);
      await src.close();

      const { frames } = decodeGxmtBytes(sink.bytes());
      const msgs = frames.filter((f): f is MessageFrame => f.kind === 'message');
      expect(msgs).toHaveLength(inFolders);
      expect(res.messages).toBe(inFolders);

      // folder paths by display name, as pffexport names its directories (root omitted)
      const fpath = new Map<bigint, string[]>();
      for (const f of frames.filter((x): x is FolderFrame => x.kind === 'folder')) {
        const parent = fpath.get(f.parent);
        fpath.set(f.nid, f.nid === 0x122n ? [] : [...(parent ?? []), String(val(f.props, 0x3001001f) ?? '')]);
      }
      const used = new Set<MessageFrame>();
      const problems: string[] = [];
      for (const item of theirs) {
        const here = msgs.filter((m) => !used.has(m) && fpath.get(m.parent)?.join('/') === item.path.join('/'));
        let why = here.length ? 'no message with that subject' : 'no messages in that folder';
        const hit = here.find((m) => {
          const w = mismatch(m.content, item);
          if (w && !w.startsWith('subject')) why = w;
          return !w;
        });
        if (hit) used.add(hit);
        else problems.push(`${item.path.join('/')} :: ${item.subject}: ${why}`);
        count(item);
      }
      expect(problems).toEqual([]);
    }, 120_000);
  }
  test.runIf(hasPffexport)('the comparison covered subjects, bodies, recipients, attachment bytes and embedded messages', () => {
    expect(covered.items).toBeGreaterThan(150);
    expect(covered.bodies).toBeGreaterThan(50);
    expect(covered.recipients).toBeGreaterThan(50);
    expect(covered.files).toBeGreaterThan(5);
    expect(covered.embedded).toBeGreaterThan(2);
    console.log('pffexport comparison covered', covered);
  });
});
