/**
 * Content sniffing the page uses to type dropped files (worker/jobs.ts), on the real corpus:
 * types come from the bytes, never the file name (one ".pst" in the corpus is really mbox).
 */
import { it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { corpusFiles, describeCorpus } from './corpus.ts';
import { sniffBytes, SNIFF_BYTES } from '../worker/jobs.ts';

const head = (p: string) => readFileSync(p).subarray(0, SNIFF_BYTES);

describeCorpus('content sniffing (worker/jobs.ts)', () => {
  it('types every PST/OST by its header, and the mbox posing as a .pst as mbox', () => {
    const files = corpusFiles('pst', /\.(pst|ost)$/);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const s = sniffBytes(head(f));
      const name = basename(f);
      if (name.includes('NOTPST')) expect(s.kind, name).toBe('mbox');
      else if (name.endsWith('.ost')) expect(s.kind, name).toBe('ost');
      else expect(s.kind, name).toBe('pst');
    }
  });

  it('reads variant and encryption from HEADER', () => {
    const high = corpusFiles('pst', /high-encryption/)[0]!;
    const none = corpusFiles('pst', /no-encryption/)[0]!;
    const ost = corpusFiles('pst', /\.ost$/)[0]!;
    expect(sniffBytes(head(high)).encryption).toBe('high (cyclic)');
    expect(sniffBytes(head(none)).encryption).toBe('none');
    expect(sniffBytes(head(ost)).variant).toMatch(/Unicode/);
    // pffinfo agrees on the encryption of the 2003 pair (compressible = permute)
    const anyPermute = corpusFiles('pst', /\.pst$/).map((f) => sniffBytes(head(f)).encryption);
    expect(anyPermute).toContain('compressible (permute)');
  });

  it('types EML, mbox, TNEF, ICS and VCF samples', () => {
    const cases: Array<[string, RegExp, string]> = [
      ['eml/thunderbird', /\.eml$/, 'eml'],
      ['eml/mikel-mail', /\.eml$/, 'eml'],
      ['eml/mbox', /\.mbox$/, 'mbox'],
      ['eml/tnef', /\.tnef$/, 'tnef'],
      ['ics', /\.ics$/, 'ics'],
      ['vcf', /\.vcf$/, 'vcf'],
    ];
    for (const [dir, re, kind] of cases) {
      const files = corpusFiles(dir, re);
      expect(files.length, dir).toBeGreaterThan(0);
      const wrong = files.filter((f) => sniffBytes(head(f), basename(f)).kind !== kind).map((f) => basename(f));
      // A handful of the third-party samples are deliberately broken; most must type right.
      expect(wrong.length, `${dir}: ${wrong.join(', ')}`).toBeLessThanOrEqual(Math.floor(files.length * 0.1));
    }
  });

  it('calls random bytes and an empty file unknown', () => {
    expect(sniffBytes(new Uint8Array(0)).kind).toBe('unknown');
    expect(sniffBytes(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).kind).toBe('unknown');
    expect(sniffBytes(new TextEncoder().encode('hello world\nthis is text\n')).kind).toBe('unknown');
  });
});

import { examineSource } from '../worker/jobs.ts';
import { openFileSource } from '../cli/io.ts';
import type { FolderNode } from '../worker/jobs.ts';

const sumTree = (n: FolderNode): number => n.count + n.children.reduce((a, c) => a + sumTree(c), 0);

describeCorpus('examine (what the page shows per file)', () => {
  it('gives a PST its folder tree with counts, variant, encryption and a verdict', async () => {
    const f = corpusFiles('pst', /no-encryption_quickquick\.pst$/)[0]!;
    const src = await openFileSource(f);
    try {
      const ex = await examineSource(src);
      expect(ex.kind).toBe('pst');
      expect(ex.family).toBe('pst');
      expect(ex.encryption).toBe('none');
      expect(ex.tree).toBeDefined();
      expect(ex.tree!.children.length).toBeGreaterThan(0);
      expect(sumTree(ex.tree!)).toBeGreaterThan(0);
      expect(['ok', 'warnings']).toContain(ex.verdict);
    } finally {
      await src.close();
    }
  });

  it('calls the mbox posing as a PST an mbox and counts its messages', async () => {
    const f = corpusFiles('pst', /NOTPST/)[0]!;
    const src = await openFileSource(f);
    try {
      const ex = await examineSource(src);
      expect(ex.kind).toBe('mbox');
      expect(ex.items).toBe(1);
    } finally {
      await src.close();
    }
  });

  it('counts VCF cards and ICS events', async () => {
    const vcf = corpusFiles('vcf', /\.vcf$/)[0]!;
    const ics = corpusFiles('ics', /\.ics$/)[0]!;
    for (const [f, noun] of [[vcf, 'contact'], [ics, 'calendar item']] as const) {
      const src = await openFileSource(f);
      const text = readFileSync(f, 'latin1');
      const expected = (text.match(noun === 'contact' ? /^BEGIN:VCARD\s*$/gim : /^BEGIN:(VEVENT|VTODO|VJOURNAL)\s*$/gim) ?? []).length;
      const ex = await examineSource(src);
      await src.close();
      expect(ex.itemNoun).toBe(noun);
      expect(ex.items).toBe(expected);
      expect(expected).toBeGreaterThan(0);
    }
  });
});
