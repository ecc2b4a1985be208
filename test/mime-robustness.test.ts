/**
 * Damage is data: mutated corpus mails (truncated, bytes flipped, delimiter lines duplicated or cut),
 * pathological nesting and huge header blocks all convert to a stream the strict reader accepts,
 * without throwing, hanging or recursing without bound.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { bytesSource } from '../worker/io/byte-source.ts';
import { MemorySink } from '../worker/io/sink.ts';
import type { Finding } from '../worker/findings.ts';
import { decodeGxmtBytes } from '../worker/gxmt/index.ts';
import { writeUnanchoredItems } from '../worker/convert/items-to-mt.ts';
import { emlItems } from '../worker/convert/eml.ts';
import { mboxItems } from '../worker/convert/mbox.ts';
import { readTnef } from '../worker/tnef/reader.ts';
import * as P from '../worker/mapi/tags.ts';
import { corpusFiles, describeCorpus } from './corpus.ts';
import { rng } from './rng.ts';


async function convert(bytes: Uint8Array, kind: 'eml' | 'mbox' = 'eml') {
  const findings: Finding[] = [];
  const on = (f: Finding) => findings.push(f);
  const src = bytesSource(bytes, 'x');
  const sink = new MemorySink();
  const items = kind === 'mbox' ? mboxItems(src, { now: () => 0 }, on) : emlItems(src, { now: () => 0 }, on);
  const res = await writeUnanchoredItems(sink, items, { onFinding: on });
  const frames = decodeGxmtBytes(sink.bytes()).frames; // strict
  return { findings, frames, res };
}

describeCorpus('mutated corpus mails', () => {
  const files = corpusFiles('eml', /\.eml$/).filter((f) => !f.includes('mail_outlook'));
  test('truncations, flipped bytes and damaged delimiters never throw and always decode strictly', async () => {
    const r = rng(42);
    let runs = 0;
    for (const f of files) {
      const orig = new Uint8Array(readFileSync(f));
      for (let k = 0; k < 4; k++) {
        let b = orig.slice();
        const mode = k % 4;
        if (mode === 0) b = b.subarray(0, Math.floor(r() * b.length));
        else if (mode === 1) for (let j = 0; j < 1 + b.length / 200; j++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        else if (mode === 2) {
          // cut every line that starts with "--" in half
          const s = new TextDecoder('latin1').decode(b).replace(/^--(.*)$/gm, (_m, x: string) => '--' + x.slice(0, x.length >> 1));
          b = Uint8Array.from(s, (c) => c.charCodeAt(0));
        } else {
          const s = new TextDecoder('latin1').decode(b).replace(/^(--.*)$/gm, '$1\n$1');
          b = Uint8Array.from(s, (c) => c.charCodeAt(0));
        }
        if (b.length === 0) continue;
        const out = await convert(b);
        expect(out.res.written + out.findings.filter((x) => x.severity === 'error').length).toBeGreaterThan(0);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(150);
  }, 120_000);

  test('TNEF files cut at every 97th byte never throw', () => {
    for (const f of corpusFiles('eml/tnef')) {
      const b = new Uint8Array(readFileSync(f));
      for (let n = 0; n < b.length; n += 97) expect(() => readTnef(b.subarray(0, n))).not.toThrow();
    }
  });
});

describe('pathological structure', () => {
  const enc = new TextEncoder();
  test('10 000 nested multiparts: the parser stops at its depth limit with a finding', async () => {
    let s = 'Subject: deep\r\n';
    for (let i = 0; i < 10000; i++) s += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    s += 'Content-Type: text/plain\r\n\r\nbottom\r\n';
    const out = await convert(enc.encode(s));
    expect(out.res.written).toBe(1);
    expect(out.findings.map((f) => f.code)).toContain('MIME-TOO-DEEP');
  }, 60_000);

  test('200 nested message/rfc822: embedding stops at the limit, the rest stays a file attachment', async () => {
    let s = 'Subject: outer\r\nContent-Type: message/rfc822\r\n\r\n';
    for (let i = 0; i < 200; i++) s += `Subject: level ${i}\r\nContent-Type: message/rfc822\r\n\r\n`;
    s += 'Subject: core\r\n\r\ncore\r\n';
    const out = await convert(enc.encode(s));
    expect(out.res.written).toBe(1);
    expect(out.findings.map((f) => f.code)).toContain('MIME-EMBED-TOO-DEEP');
  }, 60_000);

  test('a 3 MiB header block without a blank line is capped; the message still converts', async () => {
    const s = 'Subject: long\r\n' + 'X-Pad: ' + 'y'.repeat(200) + '\r\n'.repeat(1) + ('X-Pad: ' + 'y'.repeat(200) + '\r\n').repeat(15000);
    const out = await convert(enc.encode(s));
    expect(out.res.written).toBe(1);
    expect(out.findings.map((f) => f.code)).toContain('MIME-HEADER-TOO-LONG');
    const m = out.frames.find((f) => f.kind === 'message');
    expect(m && m.kind === 'message' && m.content.props.find((p) => p.tag === P.PR_SUBJECT)?.value).toBe('long');
  }, 60_000);

  test('an mbox of garbage bytes converts item by item without throwing', async () => {
    const r = rng(7);
    const b = new Uint8Array(200_000);
    for (let i = 0; i < b.length; i++) b[i] = r() < 0.02 ? 0x0a : Math.floor(r() * 256);
    const out = await convert(b, 'mbox');
    expect(out.res.written).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
