/**
 * GXMT writer and strict reader: the reference's worked byte example (gxmt-format.md §1.11),
 * every property type through writer and reader, the size limits of §2.11, reader errors with
 * codes and offsets, and every stream real gromox 3.10 wrote (corpus/gxmt-reference/).
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { MemorySink } from '../worker/io/sink.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import * as T from '../worker/mapi/types.ts';
import type { MessageContent, Prop } from '../worker/mapi/types.ts';
import type { Finding } from '../worker/findings.ts';
import {
  createGxmtWriter,
  decodeGxmtBytes,
  readGxmt,
  frameJson,
  GxmtError,
  MAILBOX_FID_UNANCHORED,
  type GxmtFrame,
  type MessageFrame,
} from '../worker/gxmt/index.ts';
import { corpusFiles, corpusRel, describeCorpus } from './corpus.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((x) => parseInt(x, 16)));

// §1.11, typed in from the reference, byte for byte.
const EX_HEADER = hex(`
47 58 4d 54 30 30 30 35 00 00 41 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 22 01 00 00 00 00
00 00 01 ff ff ff ff ff ff ff ff 49 6d 70 6f 72 74 20 6f 66 20 74 65 73 74 2e 70 73 74 20 40 32
30 32 36 2d 30 31 2d 30 31 54 30 30 3a 30 30 3a 30 30 00 08 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00`);
const EX_FOLDER = hex(`
39 00 00 00 00 00 00 00 03 00 00 00 22 01 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00
01 00 1f 00 01 30 55 6e 6e 61 6d 65 64 20 66 6f 6c 64 65 72 20 32 39 30 00 00 00 00 00 00 00 00
00`);
const EX_NP_ID = hex(`
2d 00 00 00 00 00 00 00 fa 00 00 00 03 00 01 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 08 20 06 00 00 00 00 00 c0 00 00 00 00 00 00 46 52 85 00 00`);
const EX_NP_STRING = hex(`
33 00 00 00 00 00 00 00 fa 00 00 00 00 00 02 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
01 86 03 02 00 00 00 00 00 c0 00 00 00 00 00 00 46 09 78 2d 6d 61 69 6c 65 72 00`);
const EX_MESSAGE = hex(`
4a 00 00 00 00 00 00 00 05 00 00 00 24 00 20 00 00 00 00 00 03 00 00 00 22 01 00 00 00 00 00 00
03 00 1f 00 1a 00 49 50 4d 2e 4e 6f 74 65 00 1f 00 37 00 48 69 00 03 00 01 80 1e d2 01 00 01 01
00 00 00 01 00 1f 00 01 30 42 6f 62 00 01 00 00 00 00`);

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const COMMON_8552: T.PropertyName = { guid: T.PSETID.Common, lid: 0x8552 };
const XMAILER: T.PropertyName = { guid: T.PSETID.PS_INTERNET_HEADERS, name: 'x-mailer' };

describe('worked byte example (§1.11)', () => {
  test('the reader decodes the hand-made stream and finds what §1.11 says is in it', () => {
    const { header, frames } = decodeGxmtBytes(concat(EX_HEADER, EX_FOLDER, EX_NP_ID, EX_NP_STRING, EX_MESSAGE));
    expect(header!.folderMap).toEqual([{ nid: 0x122n, create: true, target: MAILBOX_FID_UNANCHORED, name: 'Import of test.pst @2026-01-01T00:00:00' }]);
    expect(frames.map((f) => [f.kind, f.nid, f.offset])).toEqual([
      ['folder', 0x122n, 99],
      ['namedprop', 0x80010003n, 99 + 65],
      ['namedprop', 0x80020000n, 99 + 65 + 53],
      ['message', 0x200024n, 99 + 65 + 53 + 59],
    ]);
    const m = frames[3] as MessageFrame;
    expect(m.content.props).toEqual([
      { tag: 0x001a001f, value: 'IPM.Note' },
      { tag: 0x0037001f, value: 'Hi' },
      { tag: 0x80010003, value: 0x1d21e, name: COMMON_8552 },
    ]);
    expect(m.content.recipients).toEqual([[{ tag: 0x3001001f, value: 'Bob' }]]);
    expect(m.content.attachments).toEqual([]);
  });

  test('the writer produces the same bytes', async () => {
    const sink = new MemorySink();
    const w = await createGxmtWriter(sink, {
      splice: false,
      folderMap: [{ nid: 0x122n, create: true, target: MAILBOX_FID_UNANCHORED, name: 'Import of test.pst @2026-01-01T00:00:00' }],
    });
    expect(await w.writeFolder(0x122n, 0n, [{ tag: 0x3001001f, value: 'Unnamed folder 290' }])).toBe(true);
    expect(await w.defineNamedProp(COMMON_8552, 0x8001)).toBe(0x8001);
    expect(await w.defineNamedProp(XMAILER, 0x8002)).toBe(0x8002);
    const msg: MessageContent = {
      props: [
        { tag: 0x001a001f, value: 'IPM.Note' },
        { tag: 0x0037001e, value: 'Hi' }, // PT_STRING8 in, PT_UNICODE out
        { tag: 0x85520003, value: 0x1d21e, name: COMMON_8552 },
      ],
      recipients: [[{ tag: 0x3001001f, value: 'Bob' }]],
      attachments: [],
    };
    expect(await w.writeMessage(0x200024n, 0x122n, msg)).toBe(true);
    await w.close();
    // Our definitions are keyed (propid<<16)|PT_UNSPECIFIED (§1.8 recommendation); the example keys
    // the MNID_ID one with its type (0x80010003). That single byte is the only difference.
    const npId = EX_NP_ID.slice();
    npId[12] = 0x00;
    expect(sink.bytes()).toEqual(concat(EX_HEADER, EX_FOLDER, npId, EX_NP_STRING, EX_MESSAGE));
  });
});

/** One property of every type the model can carry and GXMT can serialise. */
function everyType(): Prop[] {
  const bin = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
  return [
    { tag: 0x66000002, value: 0xfffe },
    { tag: 0x66010003, value: 0xdeadbeef },
    { tag: 0x66020004, value: 1.5 },
    { tag: 0x66030005, value: -2.25e300 },
    { tag: 0x66040006, value: -1234567890123n },
    { tag: 0x66050007, value: 45000.5 },
    { tag: 0x6606000b, value: true },
    { tag: 0x66070014, value: -9223372036854775807n },
    { tag: 0x6608001f, value: 'Grüße 😀 日本' },
    { tag: 0x66090040, value: 133000000000000000n },
    { tag: 0x660a0048, value: T.guidToBytes(T.PSETID.Appointment) },
    { tag: 0x660b00fb, value: bin(24) },
    { tag: 0x660c0102, value: bin(10000) },
    { tag: 0x660d1002, value: [1, 2, 65535] },
    { tag: 0x660e1003, value: [0, 4294967295] },
    { tag: 0x660f1004, value: [0.5, -8] },
    { tag: 0x66101005, value: [Math.PI] },
    { tag: 0x66111006, value: [1n, -1n] },
    { tag: 0x66121007, value: [1.25] },
    { tag: 0x66131014, value: [9007199254740993n] },
    { tag: 0x6614101f, value: ['a', '', 'ü'] },
    { tag: 0x66151040, value: [116444736000000000n] },
    { tag: 0x66161048, value: [T.guidToBytes(T.PSETID.Task), T.guidToBytes(T.PSETID.Note)] },
    { tag: 0x66171102, value: [bin(0), bin(5)] },
    // EXT-encoded RESTRICTION: AND(EXIST 0x0037001F, PROPERTY(relop 4, 0x0E070003, 0x0E070003=1))
    { tag: 0x661800fd, value: hex('00 02000000 08 1f003700 04 04 03000700e 03000700e 01000000'.replace(/0700e/g, '070e')) },
    // RULE_ACTIONS: one MARK_AS_READ block and one BOUNCE block
    { tag: 0x661900fe, value: hex('0200 0900 0b 00000000 00000000 0d00 06 00000000 00000000 0d000000') },
    { tag: 0x661a0000 | 0x1e, value: 'ansi text decoded by the reader' },
    { tag: 0x661b101e, value: ['mv', 'ansi'] },
    { tag: 0x8003001f, value: 'named by string', name: XMAILER },
    { tag: 0x80041003, value: [7], name: COMMON_8552 },
  ];
}

async function writeOne(m: MessageContent, opts: Parameters<typeof createGxmtWriter>[2] = {}, version: 3 | 4 | 5 = 5) {
  const sink = new MemorySink();
  const findings: Finding[] = [];
  const w = await createGxmtWriter(sink, { version, splice: false, folderMap: [] }, { onFinding: (f) => findings.push(f), ...opts });
  const ok = await w.writeMessage(1n, MAILBOX_FID_UNANCHORED, m);
  await w.close();
  return { bytes: sink.bytes(), findings, ok };
}

describe('every property type round-trips', () => {
  for (const version of [3, 4, 5] as const) {
    test(`GXMT000${version}`, async () => {
      const props = everyType();
      const embedded: MessageContent = { props: props.slice(0, 5), recipients: [props.slice(8, 9)], attachments: [] };
      const m: MessageContent = {
        props,
        recipients: [props, []],
        attachments: [
          { props: [{ tag: 0x37010102, value: Uint8Array.of(1, 2, 3) }] },
          { props: [{ tag: 0x37050003, value: 5 }, { tag: 0x3701000d, value: Uint8Array.of(9) }], embedded },
        ],
      };
      const { bytes, findings } = await writeOne(m, {}, version);
      expect(findings).toEqual([]);
      const { header, frames } = decodeGxmtBytes(bytes);
      expect(header!.version).toBe(version);
      const msgs = frames.filter((f) => f.kind === 'message') as MessageFrame[];
      const nps = frames.filter((f) => f.kind === 'namedprop');
      expect(msgs).toHaveLength(1);
      expect(nps.map((f) => f.nid)).toEqual([0x80000000n, 0x80010000n]);
      const expected = (list: Prop[]) =>
        list.map((p) => {
          let type = T.propType(p.tag);
          if (type === T.PT_STRING8) type = T.PT_UNICODE;
          if (type === T.PT_MV_STRING8) type = T.PT_MV_UNICODE;
          let id = T.propId(p.tag);
          if (p.name) id = p.name === XMAILER ? 0x8000 : 0x8001;
          let value = p.value;
          if (type === T.PT_MV_I8 || type === T.PT_MV_CURRENCY) value = (value as bigint[]).map((x) => BigInt.asIntN(64, x));
          return p.name ? { tag: T.propTag(id, type), value, name: p.name } : { tag: T.propTag(id, type), value };
        });
      const c = msgs[0]!.content;
      expect(c.props).toEqual(expected(props));
      expect(c.recipients).toEqual([expected(props), []]);
      expect(c.attachments[0]!.props).toEqual([{ tag: 0x37010102, value: Uint8Array.of(1, 2, 3) }]);
      // PR_ATTACH_DATA_OBJ of an embedded-message attachment is the embedded message itself
      expect(c.attachments[1]!.props).toEqual([{ tag: 0x37050003, value: 5 }]);
      expect(c.attachments[1]!.embedded!.props).toEqual(expected(embedded.props));
      expect(c.attachments[1]!.embedded!.recipients).toEqual([expected(props.slice(8, 9))]);
      // streaming reader over a chunked pipe gives the same frames
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
      }
      const r = await readGxmt(chunks());
      const streamed: GxmtFrame[] = [];
      for await (const f of r.frames()) streamed.push(f);
      expect(streamed).toEqual(frames);
      const r2 = await readGxmt(bytesSource(bytes));
      const viaSource: GxmtFrame[] = [];
      for await (const f of r2.frames()) viaSource.push(f);
      expect(viaSource).toEqual(frames);
    });
  }

  test('string8: keep writes PT_STRING8 with UTF-8 bytes', async () => {
    const { bytes } = await writeOne({ props: [{ tag: 0x0037001e, value: 'Grüße' }, { tag: 0x6000101e, value: ['ä'] }], recipients: [], attachments: [] }, { string8: 'keep' });
    const m = decodeGxmtBytes(bytes).frames[0] as MessageFrame;
    expect(m.content.props).toEqual([{ tag: 0x0037001e, value: 'Grüße' }, { tag: 0x6000101e, value: ['ä'] }]);
    expect(Buffer.from(bytes).includes(Buffer.from('Grüße\0', 'utf8'))).toBe(true);
  });

  test('JSON form: hex binaries, decimal 64-bit values, hex ids', async () => {
    const { bytes } = await writeOne({
      props: [{ tag: 0x00390040, value: 5n }, { tag: 0x0ff90102, value: Uint8Array.of(0xab, 1) }, { tag: 0x0e07000b, value: false }],
      recipients: [],
      attachments: [],
    });
    expect(frameJson(decodeGxmtBytes(bytes).frames[0]!)).toEqual({
      kind: 'message',
      nid: '0x1',
      parentType: 3,
      parent: '0xffffffffffffffff',
      props: [
        { tag: '0x00390040', value: '5' },
        { tag: '0x0ff90102', value: 'ab01' },
        { tag: '0x0e07000b', value: false },
      ],
      recipients: [],
      attachments: [],
    });
  });
});

describe('writer skips what gromox cannot take, with findings', () => {
  test('unusual property types', async () => {
    const { bytes, findings, ok } = await writeOne({
      props: [
        { tag: 0x00010001, value: null },
        { tag: 0x0002000a, value: 0x8004010f },
        { tag: 0x0003000d, value: Uint8Array.of(1) },
        { tag: 0x00040f1e, value: 'x' },
        { tag: 0x000500fd, value: Uint8Array.of(0x42) },
        { tag: 0x000600fe, value: Uint8Array.of(0, 0) },
        { tag: 0x00070048, value: Uint8Array.of(1, 2) },
        { tag: 0x80080003, value: 1 },
        { tag: 0x80090003, value: 1, name: { guid: T.PSETID.PS_PUBLIC_STRINGS, name: 'x'.repeat(255) } },
        { tag: 0x3003001f, value: 'a\0b' },
        { tag: 0x3004001f, value: 'tail\0\0' },
        { tag: 0x0e070003, value: 'not a number' },
        { tag: 0x0037001f, value: 'kept' },
        { tag: 0x0037001e, value: 'replaces' },
      ],
      recipients: [],
      attachments: [],
    });
    expect(ok).toBe(true);
    expect(findings.map((f) => f.code)).toEqual([
      'GXMT-PROP-TYPE-UNSUPPORTED',
      'GXMT-PROP-ERROR-VALUE',
      'GXMT-PROP-OBJECT',
      'GXMT-PROP-TYPE-UNSUPPORTED',
      'GXMT-PROP-RESTRICTION',
      'GXMT-PROP-ACTIONS',
      'GXMT-PROP-BAD-VALUE',
      'GXMT-NAMEDPROP-NO-NAME',
      'GXMT-NAMEDPROP-NAME-TOO-LONG',
      'GXMT-STRING-NUL',
      'GXMT-PROP-BAD-VALUE',
      'GXMT-PROP-DUPLICATE',
    ]);
    expect(findings.every((f) => f.nid === 1 && f.item === 'message 0x1')).toBe(true);
    const m = decodeGxmtBytes(bytes).frames[0] as MessageFrame;
    expect(m.content.props).toEqual([
      { tag: 0x3003001f, value: 'a' },
      { tag: 0x3004001f, value: 'tail' },
      { tag: 0x0037001f, value: 'replaces' },
    ]);
  });

  test('more than 65535 properties: item skipped, stream intact', async () => {
    const props: Prop[] = Array.from({ length: 65536 }, (_, i) => ({ tag: T.propTag(i & 0x7fff, i < 0x8000 ? 3 : 2), value: i & 0x7fff }));
    const sink = new MemorySink();
    const findings: Finding[] = [];
    const w = await createGxmtWriter(sink, { splice: false, folderMap: [] }, { onFinding: (f) => findings.push(f) });
    expect(await w.writeMessage(1n, MAILBOX_FID_UNANCHORED, { props, recipients: [], attachments: [] })).toBe(false);
    expect(await w.writeMessage(2n, MAILBOX_FID_UNANCHORED, { props: props.slice(0, 65535), recipients: [], attachments: [] })).toBe(true);
    await w.close();
    expect(findings.map((f) => [f.code, f.nid])).toEqual([['GXMT-TOO-MANY-PROPS', 1]]);
    const { frames } = decodeGxmtBytes(sink.bytes());
    expect(frames.map((f) => f.nid)).toEqual([2n]);
    expect((frames[0] as MessageFrame).content.props).toHaveLength(65535);
  });

  test('named-property ids run out after 32767 names', async () => {
    const props: Prop[] = Array.from({ length: 32768 }, (_, i) => ({ tag: T.propTag(0x8000, 3), value: i, name: { guid: T.PSETID.Common, lid: i } }));
    const { bytes, findings, ok } = await writeOne({ props, recipients: [], attachments: [] });
    expect(ok).toBe(true);
    expect(findings.map((f) => f.code)).toEqual(['GXMT-NAMEDPROP-EXHAUSTED']);
    const { frames } = decodeGxmtBytes(bytes);
    expect(frames.filter((f) => f.kind === 'namedprop')).toHaveLength(0x7fff);
    expect((frames.at(-1) as MessageFrame).content.props.at(-1)).toEqual({ tag: 0xfffe0003, value: 32766, name: { guid: T.PSETID.Common, lid: 32766 } });
  });

  test('more than 65535 attachments: item skipped', async () => {
    const attachments = Array.from({ length: 65536 }, () => ({ props: [] }));
    const { findings, ok, bytes } = await writeOne({ props: [], recipients: [], attachments });
    expect(ok).toBe(false);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['GXMT-TOO-MANY-ATTACHMENTS', 'error']]);
    expect(decodeGxmtBytes(bytes).frames).toEqual([]);
  });

  test('objects whose parent folder was never written are skipped', async () => {
    const sink = new MemorySink();
    const findings: Finding[] = [];
    const w = await createGxmtWriter(sink, { splice: false, folderMap: [{ nid: 0x122n, create: true, target: 9n, name: 'Import' }] }, { onFinding: (f) => findings.push(f) });
    expect(await w.writeFolder(0x8022n, 0x999n, [])).toBe(false);
    expect(await w.writeMessage(0x200024n, 0x8022n, { props: [], recipients: [], attachments: [] })).toBe(false);
    expect(await w.writeFolder(0x122n, 0n, [])).toBe(true);
    expect(await w.writeFolder(0x8022n, 0x122n, [])).toBe(true);
    expect(await w.writeMessage(0x200024n, 0x8022n, { props: [], recipients: [], attachments: [] })).toBe(true);
    await expect(async () => w.writeFolder(0n, 0x122n, [])).rejects.toThrow(/reserved/);
    await w.close();
    expect(findings.map((f) => f.code)).toEqual(['GXMT-UNKNOWN-PARENT', 'GXMT-UNKNOWN-PARENT']);
    expect(decodeGxmtBytes(sink.bytes()).frames.map((f) => f.nid)).toEqual([0x122n, 0x8022n, 0x200024n]);
  });

  test('GXMT0004 carries the RFC 5322 text, GXMT0003 has no field for it', async () => {
    for (const version of [3, 4, 5] as const) {
      const sink = new MemorySink();
      const findings: Finding[] = [];
      const w = await createGxmtWriter(sink, { version, splice: false, folderMap: [] }, { onFinding: (f) => findings.push(f) });
      await w.writeMessage(7n, MAILBOX_FID_UNANCHORED, { props: [], recipients: [], attachments: [] }, new TextEncoder().encode('Subject: x\r\n\r\nhi'));
      await w.close();
      const b = sink.bytes();
      expect(new TextDecoder().decode(b.subarray(0, 8))).toBe(`GXMT000${version}`);
      const m = decodeGxmtBytes(b).frames[0] as MessageFrame;
      expect(m.nid).toBe(7n);
      expect(new TextDecoder().decode(m.rfc5322)).toBe(version === 3 ? '' : 'Subject: x\r\n\r\nhi');
      expect(findings.map((f) => f.code)).toEqual(version === 3 ? ['GXMT-RFC5322-DROPPED'] : []);
    }
  });
});

function expectError(bytes: Uint8Array, code: string, offset: number, pg?: string) {
  let err: unknown;
  try {
    decodeGxmtBytes(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GxmtError);
  expect({ code: (err as GxmtError).code, offset: (err as GxmtError).offset, pg: (err as GxmtError).pg }).toEqual({ code, offset, pg });
}

describe('strict reader errors carry a code and the byte offset', () => {
  const good = concat(EX_HEADER, EX_FOLDER, EX_NP_ID, EX_NP_STRING, EX_MESSAGE);
  const patch = (at: number, ...b: number[]) => {
    const x = good.slice();
    x.set(b, at);
    return x;
  };
  const msgAt = 99 + 65 + 53 + 59;

  test('empty input is a valid, empty stream (as gromox-import)', () => {
    expect(decodeGxmtBytes(new Uint8Array(0))).toEqual({ header: null, frames: [] });
  });
  test('signature and version', () => {
    expectError(patch(0, 0x58), 'GXMT-BAD-MAGIC', 0, 'PG-1127');
    expectError(patch(7, 0x36), 'GXMT-BAD-VERSION', 4, 'PG-1127');
    expectError(good.subarray(0, 5), 'GXMT-SHORT-HEADER', 5, 'PG-1127');
    expectError(good.subarray(0, 9), 'GXMT-SHORT-HEADER', 9, 'PG-1126');
  });
  test('maps', () => {
    expectError(patch(10, 7), 'GXMT-FOLDER-MAP', 10, 'PG-1100');
    expectError(good.subarray(0, 50), 'GXMT-SHORT-HEADER', 50, 'PG-1002');
    // fm claims 2 entries but holds one
    expectError(patch(18, 2), 'GXMT-TRUNCATED', 83, 'PG-1101');
    // fm claims 9 entries: cannot fit, fails at the count before reading any entry
    expectError(patch(18, 9), 'GXMT-TRUNCATED', 18, 'PG-1101');
  });
  test('frames', () => {
    expectError(good.subarray(0, 99 + 4), 'GXMT-SHORT-FRAME', 103, 'PG-1005');
    expectError(good.subarray(0, 99 + 30), 'GXMT-SHORT-FRAME', 99, 'PG-1006');
    expectError(patch(99, 3), 'GXMT-FRAME-SIZE', 99, 'PG-1121');
    expectError(patch(99 + 8, 4), 'GXMT-BAD-OBJTYPE', 99 + 8, 'PG-1117');
    // unknown property type 0x0001 (PT_NULL) in the folder's props at offset 99+34
    expectError(patch(99 + 34, 0x01, 0x00), 'GXMT-PROP-TYPE', 99 + 34, 'PG-1118');
    // string runs past the frame: replace the folder name's NUL and the acl count
    const x = good.slice();
    x.fill(0x41, 99 + 38, 99 + 65);
    expectError(x, 'GXMT-TRUNCATED', 99 + 38, 'PG-1118');
    // message frame: attachment count says 1 but nothing follows
    expectError(patch(msgAt + 0x4e, 1), 'GXMT-TRUNCATED', msgAt + 0x4e, 'PG-1119');
    // named prop: kind 2
    expectError(patch(99 + 65 + 0x20, 2), 'GXMT-PROPNAME', 99 + 65 + 0x20, 'PG-1138');
    expectError(patch(99 + 65 + 53 + 0x31, 0), 'GXMT-PROPNAME', 99 + 65 + 53 + 0x31, 'PG-1138');
  });
  test('parent before child, named property before use', () => {
    // message parent 0x123 instead of 0x122
    expectError(patch(msgAt + 0x18, 0x23), 'GXMT-PARENT-UNKNOWN', msgAt);
    // the message without the definitions before it
    expectError(concat(EX_HEADER, EX_FOLDER, EX_MESSAGE), 'GXMT-NAMEDPROP-UNDEFINED', 99 + 65 + 0x36);
    const found: Finding[] = [];
    const r = decodeGxmtBytes(concat(EX_HEADER, EX_FOLDER, EX_MESSAGE), { strictNamedProps: false, onFinding: (f) => found.push(f) });
    expect(r.frames).toHaveLength(2);
    expect(found.map((f) => [f.code, f.offset])).toEqual([['GXMT-NAMEDPROP-UNDEFINED', 99 + 65 + 0x36]]);
  });
  test('streaming reader reports the same error and offset', async () => {
    const bad = patch(99 + 34, 0x01, 0x00);
    const r = await readGxmt(bytesSource(bad));
    const it = r.frames();
    await expect(it.next()).rejects.toMatchObject({ code: 'GXMT-PROP-TYPE', offset: 99 + 34 });
  });
});

/** Streams gromox 3.10 wrote that break a rule, named here: gromox's own defects. */
const GROMOX_DEFECTS: Record<string, string> = {
  // ical2mt emits PidNameKeywords (0x8000101F) of a VJOURNAL without any 250 frame for it;
  // gromox-import warns "broken input stream does not specify namedpropinfo" and keeps the raw id.
  'gxmt-reference/ics/ical4j/valid_rfc5545-sec4.5.ics.mt': 'GXMT-NAMEDPROP-UNDEFINED',
};

describeCorpus('every stream real gromox wrote decodes strictly', () => {
  const files = corpusFiles('gxmt-reference', /\.mt$/);
  test('there are reference streams of every kind', () => {
    for (const kind of ['pst', 'eml', 'ics', 'vcf']) expect(files.some((f) => corpusRel(f).startsWith(`gxmt-reference/${kind}/`))).toBe(true);
  });
  for (const f of files) {
    const rel = corpusRel(f);
    test(rel, async () => {
      const bytes = readFileSync(f);
      const defect = GROMOX_DEFECTS[rel];
      if (defect) {
        expect(() => decodeGxmtBytes(bytes)).toThrow(defect);
        return;
      }
      const findings: Finding[] = [];
      const { header, frames } = decodeGxmtBytes(bytes, { onFinding: (x) => findings.push(x) });
      expect(header!.version).toBe(5);
      // Allowed warnings: raw 8-bit bytes in PT_STRING8/PT_MV_STRING8 (eml2mt copies undecodable
      // headers raw; pff2mt copies MV_STRING8 raw) and pff2mt keying ANSI named-prop frames with
      // PT_STRING8 while the value is PT_UNICODE (reference §4.6).
      for (const x of findings) expect(['GXMT-STRING-NOT-UTF8', 'GXMT-NAMEDPROP-TYPE-MISMATCH']).toContain(x.code);
      if (rel.includes('/pst/')) {
        expect(header!.folderMap).toHaveLength(1);
        expect(header!.folderMap[0]!.nid).toBe(0x122n);
        expect(frames[0]!.kind).toBe('folder');
      } else {
        expect(header!.folderMap).toEqual([]);
        for (const fr of frames) if (fr.kind === 'message') expect(fr.parent).toBe(MAILBOX_FID_UNANCHORED);
      }
      // The streaming reader agrees with the in-memory one.
      const r = await readGxmt(bytesSource(new Uint8Array(bytes)));
      let n = 0;
      for await (const fr of r.frames()) expect(fr.offset).toBe(frames[n++]!.offset);
      expect(n).toBe(frames.length);
    });
  }
});

describe('writeUnanchoredItems: the eml2mt layout', () => {
  test('header 0,0, empty maps, nids 1.., unanchored, named props from 0x8000 in first-use order', async () => {
    const { writeUnanchoredItems } = await import('../worker/convert/items-to-mt.ts');
    const sink = new MemorySink();
    const kw: T.PropertyName = { guid: T.PSETID.PS_PUBLIC_STRINGS, name: 'Keywords' };
    const items = [
      { content: { props: [{ tag: 0x001a001f, value: 'IPM.Note' }, { tag: 0x9000001f, value: 'x', name: XMAILER }], recipients: [], attachments: [] }, rfc5322: new TextEncoder().encode('Subject: a\r\n\r\n') },
      { content: { props: [{ tag: 0x8123101f, value: ['a'], name: kw }, { tag: 0x8555001f, value: 'y', name: XMAILER }], recipients: [], attachments: [] } },
    ];
    const res = await writeUnanchoredItems(sink, items);
    expect(res).toMatchObject({ written: 2, skipped: 0 });
    const b = sink.bytes();
    expect(b.subarray(0, 42)).toEqual(hex('47584d5430303035 00 00 0800000000000000 0000000000000000 0800000000000000 0000000000000000'));
    const { frames } = decodeGxmtBytes(b);
    expect(frames.map((f) => [f.kind, f.nid, f.parentType, f.parent])).toEqual([
      ['namedprop', 0x80000000n, 0, 0n],
      ['message', 1n, 3, MAILBOX_FID_UNANCHORED],
      ['namedprop', 0x80010000n, 0, 0n],
      ['message', 2n, 3, MAILBOX_FID_UNANCHORED],
    ]);
    expect(new TextDecoder().decode((frames[1] as MessageFrame).rfc5322)).toBe('Subject: a\r\n\r\n');
    expect((frames[3] as MessageFrame).content.props.map((p) => p.tag)).toEqual([0x8001101f, 0x8000001f]);
  });
});
