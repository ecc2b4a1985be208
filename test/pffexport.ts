/**
 * libpff's `pffexport` as a reference for the differential tests (test/pst-differential.test.ts,
 * test/pff2mt-pffexport.test.ts): run it the one way both need (all items, all formats, quiet,
 * the sample's code page) into a temporary directory, and read its export tree back.
 *
 * pffexport writes one directory per folder (named by display name, the root omitted) and one
 * directory per item named by its type and a five-digit index (Message00001, Appointment00002,
 * ...), holding OutlookHeaders.txt or <Type>.txt (the headers, "Name:<TABs>value" lines),
 * Message.txt (plain-text body), Recipients.txt (blank-line separated blocks) and an Attachments/
 * directory: a file per attachment (named "<n>_<name>") and a directory per embedded message
 * holding its item directory. One item type carries everything both tests compare; what each
 * test compares stays in the test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { sha256 } from './pst-helpers.ts';

export const hasPffexport = existsSync('/usr/bin/pffexport');

/** Code page of a corpus sample's 8-bit strings (by file name), for pffexport -c and our reader. */
export const PFFEXPORT_CODEPAGE: Record<string, number> = { 'pst-extractor__contacts97-2002.pst': 932 };

/** A fresh temporary directory for pffexport's output, removed after the test file's tests. */
export function pffexportWorkDir(prefix: string): string {
  const work = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return work;
}

/**
 * Runs `pffexport -m all -f all -q [-c windows-<cp>] -t <target> <file>` and returns the export
 * root (`<target>.export`). Throws when pffexport fails (it refuses non-PST and badly damaged files).
 */
export function runPffexport(file: string, target: string, codepage?: number): string {
  execFileSync('pffexport', ['-m', 'all', '-f', 'all', '-q', ...(codepage ? ['-c', `windows-${codepage}`] : []), '-t', target, file], { stdio: 'ignore' });
  return `${target}.export`;
}

/** One item pffexport exported (top level or embedded). */
export interface PffItem {
  /** Folder path by display name below the root; an embedded item carries its parent's path. */
  path: string[];
  /** pffexport's item type, from the directory name: Message, Appointment, Contact, ... */
  type: string;
  /** Subject line of the headers file ('' when absent). */
  subject: string;
  /** Message.txt, when pffexport wrote a plain-text body. */
  body?: string;
  /** "Email address" of each Recipients.txt block that has one, in file order. */
  recipients: string[];
  /** Entries of Attachments/, sorted by entry name. */
  attachments: PffAttachment[];
}

export interface PffAttachment {
  /** The entry's name in Attachments/ as pffexport wrote it. */
  entry: string;
  /** The entry's name without pffexport's "<n>_" prefix. */
  name: string;
  /** Byte count and SHA-256 (hex) of a file attachment; absent for a directory. */
  size?: number;
  sha256?: string;
  /** The item inside a directory attachment (an embedded message), when it holds one. */
  embedded?: PffItem;
}

const ITEM_DIR = /^([A-Za-z]+)(\d{5})$/;

/** Value of a "Name:<TABs>value" line of a pffexport text file. */
function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\t+(.*)$`, 'm').exec(text)?.[1];
}

function readItem(dir: string, path: string[], type: string): PffItem {
  const files = readdirSync(dir);
  const head = files.find((f) => f === 'OutlookHeaders.txt') ?? files.find((f) => f === `${type}.txt`);
  const subject = head ? field(readFileSync(join(dir, head), 'utf8'), 'Subject') ?? '' : '';
  const recipients: string[] = [];
  if (files.includes('Recipients.txt')) {
    for (const block of readFileSync(join(dir, 'Recipients.txt'), 'utf8').split(/\n\s*\n/)) {
      const a = field(block, 'Email address');
      if (a) recipients.push(a);
    }
  }
  const item: PffItem = { path, type, subject, recipients, attachments: [] };
  if (files.includes('Message.txt')) item.body = readFileSync(join(dir, 'Message.txt'), 'utf8');
  const adir = join(dir, 'Attachments');
  if (existsSync(adir)) {
    for (const e of readdirSync(adir).sort()) {
      const p = join(adir, e);
      if (statSync(p).isDirectory()) {
        const inner = readdirSync(p).find((x) => ITEM_DIR.test(x));
        const a: PffAttachment = { entry: e, name: e };
        if (inner) a.embedded = readItem(join(p, inner), path, ITEM_DIR.exec(inner)![1]!);
        item.attachments.push(a);
      } else {
        const data = readFileSync(p);
        item.attachments.push({ entry: e, name: e.replace(/^\d+_/, ''), size: data.length, sha256: sha256(data) });
      }
    }
  }
  return item;
}

/** Every top-level item under an export root, folders walked in sorted order. */
export function readPffexport(root: string): PffItem[] {
  const out: PffItem[] = [];
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

/** The file attachments of an item (those with bytes), in entry order. */
export const fileAttachments = (item: PffItem): PffAttachment[] => item.attachments.filter((a) => a.sha256 !== undefined);

/** The embedded items of an item, in entry order. */
export const embeddedItems = (item: PffItem): PffItem[] => item.attachments.flatMap((a) => (a.embedded ? [a.embedded] : []));
