/**
 * TNEF reader ([MS-OXTNEF]): a stream built by hand byte for byte (legacy attributes, a MAPI
 * property list with a named property, an attachment), damage handling (checksum, truncation, wrong
 * signature), and the corpus files with expectations read off the files themselves.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../worker/findings.ts';
import * as T from '../worker/mapi/types.ts';
import type { Prop } from '../worker/mapi/types.ts';
import * as P from '../worker/mapi/tags.ts';
import { readTnef, TNEF_SIGNATURE, att } from '../worker/tnef/reader.ts';
import { tnefItems } from '../worker/convert/tnef.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { corpusDir, describeCorpus } from './corpus.ts';

const get = (props: Prop[], tag: number) => props.find((p) => p.tag === tag && !p.name)?.value;

class W {
  parts: number[] = [];
  u8(v: number) { this.parts.push(v & 0xff); return this; }
  u16(v: number) { return this.u8(v).u8(v >> 8); }
  u32(v: number) { return this.u16(v & 0xffff).u16(v >>> 16); }
  bytes(b: ArrayLike<number>) { for (let i = 0; i < b.length; i++) this.parts.push(b[i]!); return this; }
  pad4(n: number) { while (n++ % 4) this.u8(0); return this; }
  get out() { return Uint8Array.from(this.parts); }
}
const ascii = (s: string) => Uint8Array.from(s + '\0', (c) => c.charCodeAt(0));
const utf16z = (s: string) => { const w = new W(); for (const c of s + '\0') w.u16(c.charCodeAt(0)); return w.out; };

function attr(w: W, level: number, id: number, data: Uint8Array, badSum = false) {
  let sum = 0;
  for (const x of data) sum = (sum + x) & 0xffff;
  w.u8(level).u32(id).u32(data.length).bytes(data).u16(badSum ? sum ^ 1 : sum);
}

function sample(opts: { badSum?: boolean } = {}): Uint8Array {
  const w = new W().u32(TNEF_SIGNATURE).u16(0x1234);
  attr(w, 1, att.TnefVersion, new W().u32(0x00010000).out);
  attr(w, 1, att.OemCodepage, new W().u32(1252).u32(0).out);
  attr(w, 1, att.MessageClass, ascii('IPM.Microsoft Mail.Note'));
  attr(w, 1, att.Subject, Uint8Array.from([0x43, 0x61, 0x66, 0xe9, 0]), opts.badSum); // "Café" in 1252
  // attDateSent: 2024-03-05 06:07:08
  attr(w, 1, att.DateSent, new W().u16(2024).u16(3).u16(5).u16(6).u16(7).u16(8).u16(2).out);
  // attMsgProps: PR_BODY (PT_UNICODE) and a named PT_LONG {PS_PUBLIC_STRINGS, "Count"}
  const mp = new W().u32(2);
  const body = utf16z('Body text');
  mp.u16(T.PT_UNICODE).u16(0x1000).u32(1).u32(body.length).bytes(body).pad4(body.length);
  const name = utf16z('Count');
  mp.u16(T.PT_LONG).u16(0x8001).bytes(T.guidToBytes(T.PSETID.PS_PUBLIC_STRINGS)).u32(1).u32(name.length).bytes(name).pad4(name.length).u32(42);
  attr(w, 1, att.MsgProps, mp.out);
  // one attachment: rend data, title, data, then attAttachment with PR_ATTACH_MIME_TAG (PT_STRING8)
  attr(w, 2, att.AttachRendData, new W().u16(1).u32(0xffffffff).u16(0).u16(0).u32(0).out);
  attr(w, 2, att.AttachTitle, ascii('a.txt'));
  attr(w, 2, att.AttachData, Uint8Array.from([0x61, 0x62, 0x63]));
  const ap = new W().u32(1);
  const mime = ascii('text/plain');
  ap.u16(T.PT_STRING8).u16(0x370e).u32(1).u32(mime.length).bytes(mime).pad4(mime.length);
  attr(w, 2, att.Attachment, ap.out);
  return w.out;
}

describe('TNEF reader', () => {
  test('a hand-built stream: legacy attributes, MAPI props, a named prop, an attachment', () => {
    const f: Finding[] = [];
    const m = readTnef(sample(), { findings: (x) => f.push(x) })!;
    expect(f).toEqual([]);
    expect(get(m.props, P.PR_MESSAGE_CLASS)).toBe('IPM.Note'); // legacy class translated
    expect(get(m.props, P.PR_SUBJECT)).toBe('Café'); // PT_STRING8 → PT_UNICODE via code page 1252
    expect(get(m.props, P.PR_BODY)).toBe('Body text');
    expect(get(m.props, P.PR_CLIENT_SUBMIT_TIME)).toBe((BigInt(Date.UTC(2024, 2, 5, 6, 7, 8)) + 11644473600000n) * 10000n);
    expect(get(m.props, P.PR_INTERNET_CPID)).toBe(1252); // OEM code page when absent
    const n = m.props.find((p) => p.name);
    expect(n).toMatchObject({ value: 42, name: { guid: T.PSETID.PS_PUBLIC_STRINGS, name: 'Count' } });
    expect(T.propType(n!.tag)).toBe(T.PT_LONG);
    expect(m.attachments).toHaveLength(1);
    const a = m.attachments[0]!.props;
    expect(get(a, P.PR_ATTACH_LONG_FILENAME)).toBe('a.txt');
    expect(Array.from(get(a, P.PR_ATTACH_DATA_BIN) as Uint8Array)).toEqual([0x61, 0x62, 0x63]);
    expect(get(a, P.PR_ATTACH_MIME_TAG)).toBe('text/plain');
    expect(get(a, P.PR_ATTACH_METHOD)).toBe(1);
    expect(get(a, P.PR_RENDERING_POSITION)).toBe(0xffffffff);
  });

  test('a checksum mismatch is reported and the value used', () => {
    const f: Finding[] = [];
    const m = readTnef(sample({ badSum: true }), { findings: (x) => f.push(x) })!;
    expect(f.map((x) => x.code)).toEqual(['TNEF-CHECKSUM']);
    expect(get(m.props, P.PR_SUBJECT)).toBe('Café');
  });

  test('a truncated stream keeps what was read, with a finding; a wrong signature is not TNEF', () => {
    const full = sample();
    const f: Finding[] = [];
    const cut = full.subarray(0, full.length - 20);
    const m = readTnef(cut, { findings: (x) => f.push(x) })!;
    expect(f.map((x) => x.code)).toEqual(['TNEF-TRUNCATED']);
    expect(get(m.props, P.PR_SUBJECT)).toBe('Café');
    expect(readTnef(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]))).toBeUndefined();
  });

  test('a length field larger than the stream does not allocate or throw', () => {
    const w = new W().u32(TNEF_SIGNATURE).u16(0).u8(1).u32(att.Body).u32(0x7fffffff).bytes([1, 2, 3]);
    const f: Finding[] = [];
    expect(readTnef(w.out, { findings: (x) => f.push(x) })).toBeDefined();
    expect(f[0]!.code).toBe('TNEF-TRUNCATED');
  });
});

describeCorpus('TNEF corpus', () => {
  const file = (n: string) => new Uint8Array(readFileSync(join(corpusDir, 'eml', 'tnef', n)));
  test('two-files.tnef: subject and two file attachments (AUTHORS 244 bytes, README 893 bytes)', () => {
    const m = readTnef(file('mimekit_tnef_two-files.tnef'))!;
    expect(get(m.props, P.PR_MESSAGE_CLASS)).toBe('IPM.Note');
    expect(get(m.props, P.PR_SUBJECT)).toBe('two files');
    expect(m.attachments.map((a) => get(a.props, P.PR_ATTACH_LONG_FILENAME))).toEqual(['AUTHORS', 'README']);
    expect(m.attachments.map((a) => (get(a.props, P.PR_ATTACH_DATA_BIN) as Uint8Array).length)).toEqual([244, 893]);
  });
  test('rtf.tnef: PR_RTF_COMPRESSED kept as stored (LZFu header: cbSize = length - 4, magic "LZFu")', () => {
    const m = readTnef(file('mimekit_tnef_rtf.tnef'))!;
    const rtf = get(m.props, P.PR_RTF_COMPRESSED) as Uint8Array;
    const dv = new DataView(rtf.buffer, rtf.byteOffset, rtf.byteLength);
    expect(dv.getUint32(0, true)).toBe(rtf.length - 4);
    expect(String.fromCharCode(...rtf.subarray(8, 12))).toBe('LZFu');
  });
  test('unicode-mapi-attr.tnef: Unicode MAPI strings, HTML body, string-named props keep their case', () => {
    const m = readTnef(file('mimekit_tnef_unicode-mapi-attr.tnef'))!;
    expect(get(m.props, P.PR_SUBJECT)).toBe('example');
    expect(get(m.props, P.PR_SENDER_NAME)).toBe('Administrator');
    expect(new TextDecoder().decode(get(m.props, P.PR_HTML) as Uint8Array)).toMatch(/^<html>/);
    const wc = m.props.find((p) => p.name?.name === 'LatestMessageWordCount');
    expect(wc?.value).toBe(2);
    expect(m.attachments.map((a) => get(a.props, P.PR_ATTACH_LONG_FILENAME))).toEqual(['example.dat']);
  });
  test('winmail.tnef: OLE attachments keep their compound-file data', () => {
    const m = readTnef(file('mimekit_tnef_winmail.tnef'))!;
    const ole = m.attachments.filter((a) => get(a.props, P.PR_ATTACH_METHOD) === 6);
    expect(ole.length).toBeGreaterThan(0);
    for (const a of ole) expect(Array.from((a.props.find((p) => p.tag === P.PR_ATTACH_DATA_OBJ)!.value as Uint8Array).subarray(0, 4))).toEqual([0xd0, 0xcf, 0x11, 0xe0]);
  });
  test('tnefItems: one item per file, a non-TNEF file skipped with TNEF-SIGNATURE', async () => {
    const items = [];
    for await (const it of tnefItems(bytesSource(file('mimekit_tnef_rtf.tnef'), 'rtf.tnef'))) items.push(it);
    expect(items).toHaveLength(1);
    expect(items[0]!.rfc5322).toBeUndefined();
    const f: Finding[] = [];
    for await (const it of tnefItems(bytesSource(new TextEncoder().encode('not tnef'), 'x'), {}, (x) => f.push(x))) items.push(it);
    expect(items).toHaveLength(1);
    expect(f.map((x) => x.code)).toEqual(['TNEF-SIGNATURE']);
  });
});
