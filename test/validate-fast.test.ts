/**
 * validate --full has one fast path (one sequential pass; LTP checks from the block runs in hand,
 * blocks elsewhere read into a per-node side cache and the node checked again) and two ways out
 * of it: nodes whose outside blocks exceed the side budget go through the reader's layers, and a
 * damaged or over-large B-tree sends every node there. All must report exactly the same things.
 * Tiny runs (runBytes 512: one block each) put most of a node's blocks outside the runs in hand
 * (on these fixtures 67-83 side reads per file); with sideBytes 0 such nodes go to the layers
 * (6-11 per file); keptEntries 7 disables the fast path.
 */
import { describe, expect, test } from 'vitest';
import { generateDescription, mutate, writePstToBytes, type MutationKind, type MutationOptions } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import type { Finding } from '../worker/findings.ts';
import { validate, type ValidateOptions, type ValidationReport } from '../worker/pst/validate.ts';

const key = (f: Finding) => `${f.code}|${f.severity}|${f.nid ?? ''}|${f.offset ?? ''}|${f.field ?? ''}`;
const sortedCounts = (c: ValidationReport['counts']) => ({ ...c, byCode: Object.fromEntries(Object.entries(c.byCode).sort()) });

async function same(bytes: Uint8Array, what: string): Promise<ValidationReport> {
  const variants: ValidateOptions[] = [{}, { runBytes: 512 }, { runBytes: 512, sideBytes: 0 }, { keptEntries: 7 }];
  const reports: ValidationReport[] = [];
  for (const o of variants) reports.push(await validate(bytesSource(bytes), { full: true, ...o }));
  const a = reports[0]!;
  for (let i = 1; i < reports.length; i++) {
    const b = reports[i]!;
    const w = `${what} ${JSON.stringify(variants[i])}`;
    expect(b.verdict, w).toBe(a.verdict);
    expect(sortedCounts(b.counts), w).toEqual(sortedCounts(a.counts));
    expect(b.findings.map(key).sort(), w).toEqual(a.findings.map(key).sort());
  }
  return a;
}

function fixture(variant: 'ansi' | 'unicode' | 'ost4k', crypt: 'none' | 'permute' | 'cyclic', seed: number) {
  return writePstToBytes(generateDescription({ variant, crypt, messages: 30, attachmentMiB: 0.2, seed, attachmentKind: 'text' })).bytes;
}

describe('validate --full: fast path, side cache, reader layers agree', () => {
  for (const [variant, crypt, seed] of [['unicode', 'permute', 41], ['ansi', 'cyclic', 42], ['ost4k', 'none', 43], ['ost4k', 'permute', 44]] as const) {
    test(`${variant}/${crypt}: sound and damaged files`, async () => {
      const sound = fixture(variant, crypt, seed);
      expect((await same(sound, `${variant} sound`)).verdict).toBe('ok');
      const combos: { kind: MutationKind; target?: MutationOptions['target'] }[] = [
        { kind: 'flip', target: 'node' }, { kind: 'zero', target: 'node' }, { kind: 'corrupt-hnmap', target: 'node' },
        { kind: 'flip', target: 'nbt' }, { kind: 'zero', target: 'bbt' }, { kind: 'break-btree', target: 'nbt' }, { kind: 'truncate' },
      ];
      for (const c of combos) {
        for (let k = 1; k <= 3; k++) {
          const res = await mutate(sound, { ...c, seed: k });
          const r = await same(res.bytes!, `${variant} ${res.description}`);
          expect(r.verdict, res.description).not.toBe('ok');
        }
      }
      // Scattered bit flips anywhere past the header.
      for (let k = 0; k < 4; k++) {
        const m = sound.slice();
        for (let i = 0; i < 6; i++) m[4096 + ((i * 7919 + k * 104729) * seed) % (m.length - 8192)]! ^= 1 << ((i + k) % 8);
        await same(m, `${variant} flips ${k}`);
      }
    }, 120_000);
  }
});
