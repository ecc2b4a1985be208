/**
 * mbox splitter: envelope rules, mboxrd unquoting, gromox parity mode, read windows smaller than a
 * line, and the corpus mboxes (message counts by hand from the files).
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource, type ByteSource } from '../worker/io/byte-source.ts';
import type { Finding } from '../worker/findings.ts';
import { readMbox, type MboxOptions } from '../worker/mbox/reader.ts';
import { mboxItems } from '../worker/convert/mbox.ts';
import * as P from '../worker/mapi/tags.ts';
import { corpusDir, describeCorpus } from './corpus.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function split(s: string | Uint8Array, opts: MboxOptions = {}) {
  const bytes = typeof s === 'string' ? enc.encode(s) : s;
  const out: { envelope: string; text: string; offset: number }[] = [];
  for await (const m of readMbox(bytesSource(bytes), opts)) out.push({ envelope: m.envelope, text: dec.decode(m.bytes), offset: m.offset });
  return out;
}

const MBOX =
  'From alice@example.com Mon Jan  1 00:00:00 2024\n' +
  'Subject: one\n\n' +
  'Hello\n>From the start\n>>From deeper\nFrom here on, prose\n\n' +
  'From bob@example.com Tue Jan  2 00:00:00 2024\n' +
  'Subject: two\n\nSecond\n';

describe('mbox splitter', () => {
  test('splits at envelopes, drops them and the separating blank line, unquotes >From', async () => {
    const m = await split(MBOX);
    expect(m.map((x) => x.envelope)).toEqual(['From alice@example.com Mon Jan  1 00:00:00 2024', 'From bob@example.com Tue Jan  2 00:00:00 2024']);
    expect(m[0]!.text).toBe('Subject: one\n\nHello\nFrom the start\n>From deeper\nFrom here on, prose\n');
    expect(m[1]!.text).toBe('Subject: two\n\nSecond\n');
    expect(m[1]!.offset).toBe(MBOX.indexOf('From bob'));
  });

  test('every window size gives the same messages (lines straddling reads)', async () => {
    const ref = await split(MBOX);
    for (const window of [1, 2, 3, 5, 7, 16, 64]) expect(await split(MBOX, { window })).toEqual(ref);
  });

  test('gromox mode: any From line in a body splits, nothing is unquoted', async () => {
    const m = await split(MBOX, { mode: 'gromox' });
    expect(m).toHaveLength(3);
    expect(m[0]!.text).toContain('>From the start');
    expect(m[1]!.envelope).toBe('From here on, prose');
  });

  test('envelope lines without a blank line before them still split when they look like envelopes', async () => {
    const m = await split('From - Mon Jan  1 00:00:00 2024\nSubject: a\n\nx\nFrom - Tue Jan  2 00:00:00 2024\nSubject: b\n\ny\n');
    expect(m.map((x) => x.text)).toEqual(['Subject: a\n\nx\n', 'Subject: b\n\ny\n']);
  });

  test('leading blank lines, CRLF files, a missing first envelope, the Alpine pseudo message', async () => {
    const f: Finding[] = [];
    const m = await split('\r\n\r\nSubject: no envelope\r\n\r\nbody\r\n\r\nFrom x@y Mon Jan  1 00:00:00 2024\r\nX-IMAP: 1 2\r\nSubject: state\r\n\r\nx\r\n', { findings: (x) => f.push(x) });
    expect(m.map((x) => x.text)).toEqual(['Subject: no envelope\r\n\r\nbody\r\n']);
    expect(f.map((x) => x.code).sort()).toEqual(['MBOX-NO-ENVELOPE', 'MBOX-PSEUDO-MESSAGE']);
  });

  test('mboxcl2: a Content-Length that lands on the next envelope is trusted; the body is taken verbatim', async () => {
    const body = 'a\n\nFrom evil@example.com Mon Jan  1 00:00:00 2024\n>From quoted\n';
    const mbox = `From a@b Mon Jan  1 00:00:00 2024\nSubject: cl\nContent-Length: ${body.length}\n\n${body}\nFrom c@d Mon Jan  1 00:00:00 2024\nSubject: next\n\nz\n`;
    const m = await split(mbox);
    expect(m.map((x) => x.envelope)).toEqual(['From a@b Mon Jan  1 00:00:00 2024', 'From c@d Mon Jan  1 00:00:00 2024']);
    expect(m[0]!.text).toBe(`Subject: cl\nContent-Length: ${body.length}\n\n${body}`);
    // a wrong Content-Length is ignored: the usual rules split at the inner envelope and unquote
    const bad = await split(mbox.replace(`Content-Length: ${body.length}`, 'Content-Length: 3'));
    expect(bad).toHaveLength(3);
    expect(bad[1]!.text).toBe('From quoted\n');
  });

  test('reads the source in windows, never the whole file at once', async () => {
    const one = 'From a@b Mon Jan  1 00:00:00 2024\nSubject: s\n\n' + 'line of text\n'.repeat(100) + '\n';
    const bytes = enc.encode(one.repeat(500)); // ~700 KB
    let biggest = 0;
    const src: ByteSource = { size: bytes.length, read: (o, l) => ((biggest = Math.max(biggest, l)), Promise.resolve(bytes.subarray(o, Math.min(bytes.length, o + l)))) };
    let n = 0;
    for await (const _ of readMbox(src, { window: 64 * 1024 })) n++;
    expect(n).toBe(500);
    expect(biggest).toBeLessThanOrEqual(64 * 1024);
  });
});

describeCorpus('corpus mboxes', () => {
  const file = (n: string) => new Uint8Array(readFileSync(join(corpusDir, 'eml', 'mbox', n)));
  test('thunderbird mbox_mboxrd: 2 messages, ">From (should be escaped)" unquoted', async () => {
    const m = await split(file('thunderbird_mbox_mboxrd.mbox'));
    expect(m).toHaveLength(2);
    expect(m[0]!.text).toContain('\nFrom (should be escaped).\n');
  });
  test('thunderbird mbox_unquoted: 2 messages (the bare "From " inside a body does not split); gromox mode finds 3', async () => {
    expect(await split(file('thunderbird_mbox_unquoted.mbox'))).toHaveLength(2);
    expect(await split(file('thunderbird_mbox_unquoted.mbox'), { mode: 'gromox' })).toHaveLength(3);
  });
  test('mimekit simple.mbox: 3 messages; content-length.mbox: 29 (one per "From -" envelope)', async () => {
    expect(await split(file('mimekit_mbox_simple.mbox'))).toHaveLength(3);
    const cl = file('mimekit_mbox_content-length.mbox');
    const envelopes = dec.decode(cl).split('\n').filter((l) => l.startsWith('From - ')).length;
    expect(envelopes).toBe(29);
    expect(await split(cl)).toHaveLength(29);
  });
  test('mboxItems maps each entry and carries its text as the RFC 5322 field', async () => {
    const items = [];
    for await (const it of mboxItems(bytesSource(file('thunderbird_mbox_mboxrd.mbox'), 'rd.mbox'), { now: () => 0 })) items.push(it);
    expect(items.map((i) => i.item)).toEqual(['rd.mbox#1', 'rd.mbox#2']);
    const subj = items.map((i) => i.content.props.find((p) => p.tag === P.PR_SUBJECT)?.value);
    expect(subj).toEqual(['Sample message 1', 'Sample message 2']);
    expect(dec.decode(items[1]!.rfc5322!)).toBe('From: Author <author@example.com>\nTo: Recipient <recipient@example.com>\nSubject: Sample message 2\n\nThis is the second body.\n');
  });
});
