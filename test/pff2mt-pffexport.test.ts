/**
 * Our GXMT stream against libpff's pffexport, per corpus PST/OST: every message, recipient,
 * attachment and embedded message pffexport exports must be in the stream (decoded with the
 * strict reader), in the folder of the same path, with the same subject, plain-text body,
 * attachment bytes (SHA-256) and recipient addresses. The stream may hold more (pff2mt emits
 * every message of every normal folder, including classes pffexport skips); those are counted
 * against our own reader's view of the folders.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openFileSource } from '../cli/io.ts';
import { MemorySink } from '../worker/io/sink.ts';
import { pstSourceToMt } from '../worker/convert/pff2mt.ts';
import { decodeGxmtBytes, type DecodedMessage, type FolderFrame, type MessageFrame } from '../worker/gxmt/index.ts';
import { openPst } from '../worker/pst/index.ts';
import type { Prop } from '../worker/mapi/types.ts';
import { corpusFiles, describeCorpus } from './corpus.ts';
import { sha256 } from './pst-helpers.ts';

const hasPffexport = existsSync('/usr/bin/pffexport');
const work = mkdtempSync(join(tmpdir(), 'mailferry-pff2mt-pe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Code page of the sample's 8-bit strings, for pffexport -c and our converter. */
const CODEPAGE: Record<string, number> = { 'pst-extractor__contacts97-2002.pst': 932 };

interface PeItem {
  path: string[];
  subject: string;
  body?: string;
  recipients: string[];
  files: { name: string; sha256: string }[];
  embedded: PeItem[];
}

const ITEM_DIR = /^([A-Za-z]+)(\d{5})$/;

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\t+(.*)$`, 'm').exec(text)?.[1];
}

function readItem(dir: string, path: string[], type: string): PeItem {
  const files = readdirSync(dir);
  const head = files.find((f) => f === 'OutlookHeaders.txt') ?? files.find((f) => f === `${type}.txt`);
  const subject = head ? field(readFileSync(join(dir, head), 'utf8'), 'Subject') ?? '' : '';
  const body = files.includes('Message.txt') ? readFileSync(join(dir, 'Message.txt'), 'utf8') : undefined;
  const recipients: string[] = [];
  if (files.includes('Recipients.txt')) {
    for (const block of readFileSync(join(dir, 'Recipients.txt'), 'utf8').split(/\n\s*\n/)) {
      const a = field(block, 'Email address');
      if (a) recipients.push(a);
    }
  }
  const out: PeItem = { path, subject, recipients, files: [], embedded: [] };
  if (body !== undefined) out.body = body;
  const adir = join(dir, 'Attachments');
  if (existsSync(adir)) {
    for (const e of readdirSync(adir).sort()) {
      const p = join(adir, e);
      if (statSync(p).isDirectory()) {
        const inner = readdirSync(p).find((x) => ITEM_DIR.test(x));
        if (inner) out.embedded.push(readItem(join(p, inner), path, ITEM_DIR.exec(inner)![1]!));
      } else {
        out.files.push({ name: e, sha256: sha256(readFileSync(p)) });
      }
    }
  }
  return out;
}

function readExport(root: string): PeItem[] {
  const out: PeItem[] = [];
  const rec = (dir: string, path: string[]) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (!statSync(p).isDirectory()) continue;
      const m = ITEM_DIR.exec(e);
      if (m && readdirSync(p).some((f) => f.endsWith('.txt'))) out.push(readItem(p, path, m[1]!));
      else rec(p, [...path, e]);
    }
  };
  rec(root, []);
  return out;
}

const val = (props: Prop[], tag: number) => props.find((p) => p.tag === tag && !p.name)?.value;
const norm = (s: string) => s.replace(/\r\n?/g, '\n').replace(/\s+$/g, '').replace(/^\s+/, '');
const lc = (s: string) => s.toLowerCase();

/** Why `m` (from our stream) is not pffexport's `item`, or undefined when it is. */
function mismatch(m: DecodedMessage, item: PeItem): string | undefined {
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
  for (const f of item.files) if (!hashes.includes(f.sha256)) return `attachment ${f.name} (${f.sha256.slice(0, 12)}) missing`;
  const emb = m.attachments.filter((a) => a.embedded);
  if (emb.length !== item.embedded.length) return `${emb.length} embedded messages, pffexport ${item.embedded.length}`;
  for (let i = 0; i < emb.length; i++) {
    const w = mismatch(emb[i]!.embedded!, item.embedded[i]!);
    if (w) return `embedded #${i + 1}: ${w}`;
  }
  return undefined;
}

const covered = { items: 0, bodies: 0, recipients: 0, files: 0, embedded: 0 };
function count(item: PeItem): void {
  covered.items++;
  if (item.body !== undefined) covered.bodies++;
  covered.recipients += item.recipients.length;
  covered.files += item.files.length;
  covered.embedded += item.embedded.length;
  item.embedded.forEach(count);
}

describeCorpus('pff2mt stream vs pffexport', () => {
  const files = corpusFiles('pst', /\.(pst|ost)$/i).filter((f) => !/NOTPST|CORRUPT/.test(f));
  for (const file of files) {
    const name = basename(file);
    test.runIf(hasPffexport)(name, async () => {
      const target = join(work, name);
      const cp = CODEPAGE[name];
      execFileSync('pffexport', ['-m', 'all', '-f', 'all', '-q', ...(cp ? ['-c', `windows-${cp}`] : []), '-t', target, file], { stdio: 'ignore' });
      const theirs = readExport(`${target}.export`);

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
