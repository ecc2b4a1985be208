/**
 * The `mailferry print` and `mailferry pff2mt` commands, run in-process with stdout/stderr
 * captured: output forms, exit codes, pff2mt's stderr lines, refusal to write to a terminal.
 */
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command as print } from '../cli/commands/print.ts';
import { command as pff2mt } from '../cli/commands/pff2mt.ts';
import { decodeGxmtBytes } from '../worker/gxmt/index.ts';
import { writePstToBytes } from '../cli/pstgen/index.ts';
import { corpusDir, describeCorpus } from './corpus.ts';

const work = mkdtempSync(join(tmpdir(), 'mailferry-gxmt-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function capture(fn: () => Promise<number>) {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(((c: string | Uint8Array) => {
    out += typeof c === 'string' ? c : Buffer.from(c).toString('latin1');
    return true;
  }) as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(((c: string | Uint8Array) => {
    err += String(c);
    return true;
  }) as typeof process.stderr.write);
  const code = await fn();
  vi.restoreAllMocks();
  return { code, out, err };
}

const pstPath = join(work, 'golden.pst');
writeFileSync(
  pstPath,
  writePstToBytes({
    variant: 'unicode',
    crypt: 'none',
    store: { displayName: 'CLI' },
    folders: [
      { name: 'Inbox', special: 'inbox', messages: [{ messageClass: 'IPM.Note', subject: 'one' }, { messageClass: 'IPM.Note', subject: 'two' }] },
      { name: 'Secret', hidden: true, messages: [{ messageClass: 'IPM.Note', subject: 'three' }] },
    ],
  }).bytes,
);
utimesSync(pstPath, new Date('2025-02-03T04:05:06Z'), new Date('2025-02-03T04:05:06Z'));

describe('mailferry pff2mt', () => {
  test('writes a valid stream with pff2mt\'s stderr lines; name from the file time', async () => {
    const mt = join(work, 'a.mt');
    const r = await capture(() => pff2mt.run(['-o', mt, pstPath]));
    expect(r.code).toBe(0);
    expect(r.err).toContain(`pff: Reading ${pstPath}...`);
    expect(r.err).toContain('pff: Processing "Inbox"...');
    expect(r.err).toContain('pff: Processing "Secret"...');
    expect(r.err).toMatch(/pff: emitted 3 message\(s\)\n$/);
    const { header, frames } = decodeGxmtBytes(readFileSync(mt));
    expect(header!.folderMap[0]).toEqual({ nid: 0x122n, create: true, target: 9n, name: 'Import of golden.pst @2025-02-03T04:05:06' });
    expect(frames.filter((f) => f.kind === 'message')).toHaveLength(3);
  });

  test('-s skips hidden folders with a pff2mt-style line; -t prints the tree instead of progress', async () => {
    const mt = join(work, 'b.mt');
    const r = await capture(() => pff2mt.run(['-s', '-t', '-p', '--mt-version', '4', '--import-name', 'X', '-o', mt, pstPath]));
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('Processing');
    expect(r.err).toMatch(/\\_ \[id=122h type=folder parent=0h\]/);
    expect(r.err).toMatch(/props\(\d+\): \{0x3001001f="Inbox"/);
    expect(r.err).toMatch(/pff: emitted 2 message\(s\)/);
    const { header } = decodeGxmtBytes(readFileSync(mt));
    expect(header).toMatchObject({ version: 4, splice: true });
  });

  test('refuses a terminal, rejects bad usage', async () => {
    const tty = process.stdout.isTTY;
    (process.stdout as { isTTY?: boolean }).isTTY = true;
    try {
      const r = await capture(() => pff2mt.run([pstPath]));
      expect(r.code).toBe(1);
      expect(r.err).toContain('Refusing to output the binary Mailbox Transfer Data Stream to a terminal');
      expect(r.out).toBe('');
    } finally {
      (process.stdout as { isTTY?: boolean }).isTTY = tty;
    }
    expect((await capture(() => pff2mt.run(['--root-target', 'drafts', pstPath]))).code).toBe(2);
    expect((await capture(() => pff2mt.run(['--only-obj', 'x', pstPath]))).code).toBe(2);
    expect((await capture(() => pff2mt.run([]))).code).toBe(2);
    const d = await capture(() => pff2mt.run(['--differences']));
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/EEXIST/);
    const missing = await capture(() => pff2mt.run(['-o', join(work, 'c.mt'), join(work, 'nope.pst')]));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('pff: Could not open');
  });
});

describe('mailferry print', () => {
  test('--json: a header line, then one object per frame', async () => {
    const mt = join(work, 'p.mt');
    await capture(() => pff2mt.run(['-o', mt, pstPath]));
    const r = await capture(() => print.run(['--json', mt]));
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ kind: 'header', version: 5, splice: false });
    expect(lines.slice(1).map((l) => l.kind)).toEqual(decodeGxmtBytes(readFileSync(mt)).frames.map((f) => f.kind));
    expect(lines.find((l) => l.kind === 'message')).toMatchObject({ parentType: 3, recipients: [], attachments: [] });
  });

  test('tree with -p, and a broken stream exits 1 naming code and offset', async () => {
    const mt = join(work, 'p.mt');
    const r = await capture(() => print.run(['-p', mt]));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^exm: Folder 122h \(parent=0h\)$/m);
    expect(r.out).toMatch(/^exm: Message [0-9a-f]+h \(parent=[0-9a-f]+h\) \[RFC5322: 0 bytes\]$/m);
    expect(r.out).toMatch(/^ {4}0x3001001f = "Inbox"$/m);
    const bytes = readFileSync(mt);
    writeFileSync(join(work, 'cut.mt'), bytes.subarray(0, bytes.length - 3));
    const bad = await capture(() => print.run([join(work, 'cut.mt')]));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/invalid stream: GXMT-SHORT-FRAME at offset \d+ \(PG-1006\)/);
    expect((await capture(() => print.run(['--bogus']))).code).toBe(2);
  });
});

describeCorpus('mailferry print on gromox\'s own streams', () => {
  test('a gromox ical2mt stream with an undefined named property: strict fails, --lenient warns', async () => {
    const f = join(corpusDir, 'gxmt-reference/ics/ical4j/valid_rfc5545-sec4.5.ics.mt');
    const strict = await capture(() => print.run([f]));
    expect(strict.code).toBe(1);
    expect(strict.err).toContain('GXMT-NAMEDPROP-UNDEFINED');
    const lenient = await capture(() => print.run(['--lenient', f]));
    expect(lenient.code).toBe(0);
    expect(lenient.err).toContain('warning GXMT-NAMEDPROP-UNDEFINED');
  });
});
