/**
 * Where `mailferry pff2mt` writes (issue 5): `-o FILE`, stdout redirected to a regular file (then
 * written on the thread pool through fd 1, at the file's current offset, so `>>` appends) and
 * stdout as a pipe all carry the same stream, including attachment values the sink writes from
 * the reader's buffers in the background (lend). `validate --full --jobs N` reports what one
 * thread does.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { attachmentInbox, firstAttachmentData, sha256 } from './pst-helpers.ts';
import { attachmentBytes, generateDescription, mutate, writePstToBytes } from '../cli/pstgen/index.ts';
import { decodeGxmtBytes, type MessageFrame } from '../worker/gxmt/index.ts';

const contents = [3 << 20, 5000, (2 << 20) + 17, 3 << 20].map((size, i) => ({ size, seed: 40 + i, kind: 'random' as const }));
const desc = attachmentInbox('Output', contents);

describe('mailferry pff2mt output targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = join(__dirname, '..', 'cli', 'bin', 'mailferry.js');
  const pst = join(dir, 'out.pst');
  writeFileSync(pst, writePstToBytes(desc).bytes);

  test('-o, stdout to a regular file (appending) and stdout to a pipe give the same stream', () => {
    const viaO = join(dir, 'o.mt');
    const r1 = spawnSync(process.execPath, [cli, 'pff2mt', '-o', viaO, pst], { encoding: 'utf8' });
    expect(r1.status, r1.stderr).toBe(0);
    const want = readFileSync(viaO);
    const msgs = decodeGxmtBytes(want).frames.filter((f): f is MessageFrame => f.kind === 'message');
    const data = msgs.map((m) => firstAttachmentData(m.content));
    expect(data.map((d) => sha256(d))).toEqual(contents.map((c) => sha256(attachmentBytes(c))));

    const redirected = join(dir, 'r.mt');
    writeFileSync(redirected, 'existing\n');
    const fd = openSync(redirected, 'a');
    try {
      const r2 = spawnSync(process.execPath, [cli, 'pff2mt', pst], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect(r2.status, r2.stderr).toBe(0);
    } finally {
      closeSync(fd);
    }
    const got = readFileSync(redirected);
    expect(got.subarray(0, 9).toString()).toBe('existing\n');
    expect(Buffer.compare(got.subarray(9), want)).toBe(0);

    const r3 = spawnSync(process.execPath, [cli, 'pff2mt', pst], { maxBuffer: 64 << 20 });
    expect(r3.status, String(r3.stderr)).toBe(0);
    expect(Buffer.compare(r3.stdout, want)).toBe(0);
  });
});

describe('mailferry validate --full --jobs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-vjobs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = join(__dirname, '..', 'cli', 'bin', 'mailferry.js');

  test('two and three threads give the report of one, on a sound and on a damaged file', async () => {
    // Over 8 MiB of blocks: several 4 MiB runs, so the pass is cut into parts.
    const sound = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'permute', messages: 600, attachmentMiB: 12, seed: 5, attachmentKind: 'text' })).bytes;
    const damaged = (await mutate(sound, { kind: 'flip', target: 'node', seed: 3 })).bytes!;
    for (const [name, bytes] of [['sound', sound], ['damaged', damaged]] as const) {
      const file = join(dir, `${name}.pst`);
      writeFileSync(file, bytes);
      const run = (jobs: number) => {
        const r = spawnSync(process.execPath, [cli, 'validate', file, '--full', '--json', '--quiet', '--jobs', String(jobs)], { encoding: 'utf8', maxBuffer: 64 << 20 });
        const report = JSON.parse(r.stdout) as { verdict: string; counts: Record<string, unknown>; findings: { code: string; nid?: number; offset?: number; field?: string }[] };
        return { status: r.status, verdict: report.verdict, counts: report.counts, findings: report.findings.map((f) => `${f.code}|${f.nid ?? ''}|${f.offset ?? ''}|${f.field ?? ''}`).sort() };
      };
      const one = run(1);
      expect(one.verdict).toBe(name === 'sound' ? 'ok' : 'damaged');
      expect(run(2), name).toEqual(one);
      expect(run(3), name).toEqual(one);
    }
  }, 120_000);
});
