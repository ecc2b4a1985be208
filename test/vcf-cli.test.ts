/**
 * `mailferry vcf2mt` as a user runs it (the built CLI): several files into one stream that the
 * strict reader accepts, findings on stderr, --strict's all-or-nothing stop, usage errors.
 */
import { beforeAll, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeGxmtBytes, type MessageFrame } from '../worker/gxmt/index.ts';
import { corpusDir, describeCorpus, repoRoot } from './corpus.ts';

const cliMain = join(repoRoot, 'dist', 'node', 'cli', 'main.js');
const bin = join(repoRoot, 'cli', 'bin', 'mailferry.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, 'vcf2mt', ...args], { maxBuffer: 64 << 20 });
  return { status: r.status, stdout: new Uint8Array(r.stdout), stderr: r.stderr.toString() };
}
const messages = (b: Uint8Array) => decodeGxmtBytes(b).frames.filter((f): f is MessageFrame => f.kind === 'message');

beforeAll(() => {
  if (!existsSync(cliMain)) {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'cli/tsconfig.json'], { cwd: repoRoot, stdio: 'ignore' });
  }
}, 120_000);

test('usage errors exit 2', () => {
  expect(cli([]).status).toBe(2);
  expect(cli(['--bogus', 'x.vcf']).status).toBe(2);
  expect(cli(['--codepage=abc', 'x.vcf']).status).toBe(2);
});

describeCorpus('vcf2mt on corpus files', () => {
  const a = join(corpusDir, 'vcf/ez-vcard/gmail-list.vcf'); // 3 cards
  const b = join(corpusDir, 'vcf/ez-vcard/outlook-2007.vcf'); // 2.1: gromox rejects it
  const c = join(corpusDir, 'vcf/libical/leaktest.vcf'); // 3 cards

  test('several files make one stream with running nids', () => {
    const r = cli(['--loglevel=5', a, b, c]);
    expect(r.status).toBe(0);
    const m = messages(r.stdout);
    expect(m.map((x) => x.nid)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(r.stderr).toContain('7 messages written');
  });

  test('--strict stops at the first file gromox would reject, keeps what came before, exits 1', () => {
    const r = cli(['--strict', a, b, c]);
    expect(r.status).toBe(1);
    expect(messages(r.stdout)).toHaveLength(3);
    expect(r.stderr).toContain('VCF-STRICT-ABORT');
  });

  test('-t -p prints the tree with properties to stderr', () => {
    const r = cli(['-t', '-p', a]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/message 1 \(gmail-list\.vcf#1\): IPM\.Contact/);
    expect(r.stderr).toContain('"value":"asmithk@gmail.com"');
  });

  test('an unreadable file is reported, the others still convert', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vcf-cli-'));
    try {
      const empty = join(dir, 'junk.vcf');
      writeFileSync(empty, 'not a vcard\n');
      const r = cli([join(dir, 'missing.vcf'), empty, a]);
      expect(r.status).toBe(1);
      expect(messages(r.stdout)).toHaveLength(3);
      expect(r.stderr).toContain('missing.vcf');
      expect(r.stderr).toContain('VCF-JUNK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
