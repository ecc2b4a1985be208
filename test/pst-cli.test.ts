/**
 * `mailferry validate` and `mailferry inspect` as a user runs them: exit status by verdict, the
 * JSON shapes other code depends on, clear errors for non-PST input. Commands run in-process with
 * stdout/stderr captured.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { command as validateCmd } from '../cli/commands/validate.ts';
import { command as inspectCmd } from '../cli/commands/inspect.ts';
import { generateDescription, writePstToBytes } from '../cli/pstgen/index.ts';
import type { InspectFolder, InspectReport } from '../worker/pst/inspect.ts';
import type { ValidationReport } from '../worker/pst/validate.ts';
import { corpusDir, describeCorpus } from './corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'mailferry-pstcli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sample = (n: string) => join(corpusDir, 'pst', n);

async function run(cmd: typeof validateCmd, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((out += String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((err += String(c)), true)) as typeof process.stderr.write;
  try {
    const code = await cmd.run(args);
    return { code, out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

describe('validate on generated files', () => {
  test('healthy file: exit 0, verdict ok; trailing bytes: exit 1, warnings', async () => {
    const { bytes } = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'permute', messages: 10 }));
    const ok = join(dir, 'ok.pst');
    writeFileSync(ok, bytes);
    const r = await run(validateCmd, [ok, '--json', '--full', '--quiet']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as ValidationReport;
    expect(rep.verdict).toBe('ok');
    expect(rep.counts.blocksChecked).toBeGreaterThan(0);
    const longer = join(dir, 'longer.pst');
    writeFileSync(longer, Buffer.concat([bytes, Buffer.alloc(4096, 0x41)]));
    const w = await run(validateCmd, [longer, '--json']);
    expect(w.code).toBe(1);
    const wrep = JSON.parse(w.out) as ValidationReport;
    expect(wrep.verdict).toBe('warnings');
    expect(wrep.findings.map((f) => f.code)).toContain('PST-FILE-TRAILING');
  });

  test('validate reports progress by phase', async () => {
    const { validate } = await import('../worker/pst/validate.ts');
    const { bytesSource } = await import('../worker/io/byte-source.ts');
    const { bytes } = writePstToBytes(generateDescription({ variant: 'ansi', crypt: 'cyclic', messages: 30 }));
    const phases = new Set<string>();
    const r = await validate(bytesSource(bytes), { full: true, onProgress: (p) => phases.add(p.phase) });
    expect(r.verdict).toBe('ok');
    expect([...phases]).toEqual(expect.arrayContaining(['header', 'zero-scan', 'blocks', 'nodes']));
  });

  test('usage errors exit 2', async () => {
    expect((await run(validateCmd, [])).code).toBe(2);
    expect((await run(validateCmd, ['--bogus', 'x'])).code).toBe(2);
    expect((await run(validateCmd, [join(dir, 'missing.pst')])).code).toBe(2);
  });
});

describeCorpus('validate and inspect on corpus samples', () => {
  test('mbox renamed .pst: exit 2, not-a-pst, names it', async () => {
    const r = await run(validateCmd, [sample('aspose-net__NOTPST_SMTP_Outlook_is_mbox.pst'), '--json']);
    expect(r.code).toBe(2);
    const rep = JSON.parse(r.out) as ValidationReport;
    expect(rep.verdict).toBe('not-a-pst');
    expect(rep.findings[0]!.code).toBe('PST-NOT-PST');
    expect(rep.findings[0]!.message).toMatch(/mbox/);
    const i = await run(inspectCmd, [sample('aspose-net__NOTPST_SMTP_Outlook_is_mbox.pst')]);
    expect(i.code).toBe(2);
    expect(i.err).toMatch(/This is an mbox mailbox, not a PST\/OST file/);
  });

  test('corrupt sample: exit 2, damaged, findings in spec terms', async () => {
    const r = await run(validateCmd, [sample('aspose-net__CORRUPT_AddingBulkMessagesWithImprovedPerformance.pst'), '--json', '--quiet']);
    expect(r.code).toBe(2);
    const rep = JSON.parse(r.out) as ValidationReport;
    expect(rep.verdict).toBe('damaged');
    const fields = new Set(rep.findings.map((f) => f.field));
    expect(fields.has('HEADER.dwCRCPartial')).toBe(true);
    expect(fields.has('PAGETRAILER.bid')).toBe(true);
    expect(fields.has('PAGETRAILER.dwCRC')).toBe(true);
    expect(fields.has('ROOT.fAMapValid')).toBe(true);
    const text = await run(validateCmd, [sample('aspose-net__CORRUPT_AddingBulkMessagesWithImprovedPerformance.pst'), '--quiet']);
    expect(text.out).toMatch(/Verdict:\s+DAMAGED/);
  });

  test('healthy samples: exit 0 with --full (password notice is info only)', async () => {
    for (const n of ['pstsdk__sample1.pst', 'pstsdk__sample2.pst', 'pst2john__2003_high-encryption_quickquick.pst', 'aspose-net__SampleOstFile.ost']) {
      const r = await run(validateCmd, [sample(n), '--json', '--full', '--quiet']);
      expect(r.code, n).toBe(0);
    }
  });

  test('inspect --json on the OST: documented shape and counts', async () => {
    const r = await run(inspectCmd, [sample('aspose-net__SampleOstFile.ost'), '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as InspectReport;
    expect(rep.variant).toBe('ost');
    expect(rep.encryption).toBe('permute');
    expect(rep.store.passwordSet).toBe(true);
    expect(rep.totals.messages).toBe(92);
    // 38 attachments pffexport writes as files + 1 embedded message
    expect(rep.totals.attachments).toBe(39);
    const all: InspectFolder[] = [];
    const rec = (f: InspectFolder) => {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['nid', 'name', 'messages', 'fai', 'children']));
      all.push(f);
      f.children.forEach(rec);
    };
    rec(rep.folders);
    expect(rep.totals.folders).toBe(all.length - 1);
    const inbox = all.find((f) => f.name === 'Inbox' && f.children.length === 2)!;
    expect(inbox.messages).toBe(12);
    expect(inbox.fai).toBe(9);
    expect(inbox.size).toBeGreaterThan(0);
    expect(all.filter((f) => f.kind === 'search').length).toBe(rep.totals.searchFolders);
    expect(rep.totals.searchFolders).toBe(8);
  });

  test('inspect --codepage 932 decodes the Shift-JIS folder names of an ANSI file', async () => {
    const r = await run(inspectCmd, [sample('pst-extractor__contacts97-2002.pst'), '--json', '--codepage', '932']);
    const rep = JSON.parse(r.out) as InspectReport;
    expect(rep.variant).toBe('ansi');
    const names: string[] = [];
    const rec = (f: InspectFolder) => (names.push(f.name), f.children.forEach(rec));
    rec(rep.folders);
    expect(names).toContain('Outlook データ ファイルのトップ');
    const text = await run(inspectCmd, [sample('pst-extractor__contacts97-2002.pst'), '--codepage', '932']);
    expect(text.out).toMatch(/連絡先/);
  });
});
