/**
 * The eml2mt / mbox2mt / tnef2mt commands in-process (stdout captured): several input files make one
 * stream with running nids and shared named-property ids, findings go to stderr, --strict stops at
 * the first failure, usage errors exit 2.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeGxmtBytes, type MessageFrame } from '../worker/gxmt/index.ts';
import * as P from '../worker/mapi/tags.ts';
import { runMailCommand } from '../cli/commands/eml2mt.ts';
import { corpusDir, describeCorpus } from './corpus.ts';

let out: Buffer[] = [];
let err = '';
const orig = { out: process.stdout.write, err: process.stderr.write, tty: process.stdout.isTTY };
let dir = '';

beforeEach(() => {
  out = [];
  err = '';
  process.stdout.isTTY = false as unknown as true;
  // Calls back as a real stream does: the sink waits for the callbacks before it closes.
  process.stdout.write = ((c: Uint8Array | string, a?: unknown, b?: unknown) => {
    out.push(Buffer.from(c));
    const cb = typeof a === 'function' ? a : b;
    if (typeof cb === 'function') process.nextTick(cb as () => void);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((c: Uint8Array | string) => ((err += String(c)), true)) as typeof process.stderr.write;
  dir = mkdtempSync(join(tmpdir(), 'mf-eml-'));
});
afterEach(() => {
  process.stdout.write = orig.out;
  process.stderr.write = orig.err;
  process.stdout.isTTY = orig.tty;
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const messages = () => decodeGxmtBytes(new Uint8Array(Buffer.concat(out))).frames.filter((f): f is MessageFrame => f.kind === 'message');

test('two EML files make one stream: nids 1, 2; RFC 5322 fields hold the files; named props shared', async () => {
  const a = 'From: a@example.com\r\nSubject: one\r\nX-Mailer: M\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nfirst\r\n';
  const b = 'From: b@example.com\r\nSubject: two\r\nX-Mailer: N\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nsecond\r\n';
  const code = await runMailCommand('eml', [file('a.eml', a), file('b.eml', b)]);
  expect(code).toBe(0);
  const decoded = decodeGxmtBytes(new Uint8Array(Buffer.concat(out)));
  const msgs = decoded.frames.filter((f): f is MessageFrame => f.kind === 'message');
  expect(msgs.map((m) => m.nid)).toEqual([1n, 2n]);
  expect(msgs.map((m) => m.parent)).toEqual([0xffffffffffffffffn, 0xffffffffffffffffn]);
  expect(msgs.map((m) => new TextDecoder().decode(m.rfc5322))).toEqual([a, b]);
  expect(msgs.map((m) => m.content.props.find((p) => p.tag === P.PR_SUBJECT)?.value)).toEqual(['one', 'two']);
  // one 250 frame for X-Mailer, defined once, before the first message
  const np = decoded.frames.filter((f) => f.kind === 'namedprop');
  expect(np).toHaveLength(1);
  expect(decoded.frames[0]!.kind).toBe('namedprop');
  expect(err).toMatch(/eml2mt: 2 messages written, 0 skipped/);
});

test('a bad item is skipped with a finding and the rest is written; --strict stops at it', async () => {
  const ole = Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0);
  const good = file('good.eml', 'Subject: ok\r\n\r\nbody\r\n');
  const bad = file('bad.eml', ole);
  expect(await runMailCommand('eml', [bad, good])).toBe(0);
  expect(messages()).toHaveLength(1);
  expect(err).toMatch(/error MIME-OLE-MSG \(bad\.eml\)/);
  out = [];
  err = '';
  expect(await runMailCommand('eml', ['--strict', bad, good])).toBe(1);
  expect(messages()).toHaveLength(0);
});

test('mbox2mt: entries in order across files, --split=gromox parity; usage errors exit 2', async () => {
  const mbox = 'From a@b Mon Jan  1 00:00:00 2024\nSubject: 1\n\nx\nFrom the start\n\nFrom a@b Mon Jan  1 00:00:00 2024\nSubject: 2\n\ny\n';
  const p = file('m.mbox', mbox);
  expect(await runMailCommand('mbox', [p, p])).toBe(0);
  expect(messages().map((m) => m.content.props.find((q) => q.tag === P.PR_SUBJECT)?.value)).toEqual(['1', '2', '1', '2']);
  out = [];
  expect(await runMailCommand('mbox', ['--split=gromox', p])).toBe(0);
  expect(messages()).toHaveLength(3);
  expect(await runMailCommand('mbox', ['--split=maybe', p])).toBe(2);
  expect(await runMailCommand('eml', ['--codepage=x', p])).toBe(2);
  expect(await runMailCommand('eml', [])).toBe(2);
});

test('--decap=1 promotes the embedded message of the first attachment', async () => {
  const msg = 'Subject: outer\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nsee inner\r\n--q\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nhello\r\n--q--\r\n';
  expect(await runMailCommand('eml', ['--decap=1', file('d.eml', msg)])).toBe(0);
  const m = messages();
  expect(m).toHaveLength(1);
  expect(m[0]!.content.props.find((p) => p.tag === P.PR_SUBJECT)?.value).toBe('inner');
});

describeCorpus('tnef2mt', () => {
  test('a TNEF file becomes one message with an empty RFC 5322 field', async () => {
    expect(await runMailCommand('tnef', [join(corpusDir, 'eml/tnef/mimekit_tnef_two-files.tnef')])).toBe(0);
    const m = messages();
    expect(m).toHaveLength(1);
    expect(m[0]!.rfc5322.length).toBe(0);
    expect(m[0]!.content.attachments).toHaveLength(2);
  });
});
