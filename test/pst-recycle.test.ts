/**
 * Large attachment buffers handed back with PstFile.recycle() (used by pff2mt once a message is
 * written): the next large stream reuses the buffer instead of faulting in fresh pages, the
 * values read are still exactly the attachments written, and pff2mt's stream is unchanged.
 */
import { describe, expect, test } from 'vitest';
import { attachmentBytes, writePstToBytes } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { MemorySink, type ByteSink, type Lent } from '../worker/io/sink.ts';
import { openPst, type Folder } from '../worker/pst/index.ts';
import { pstToMt } from '../worker/convert/pff2mt.ts';
import { decodeGxmtBytes, type MessageFrame } from '../worker/gxmt/index.ts';
import { attachmentInbox, firstAttachmentData as data, sha256 } from './pst-helpers.ts';

const contents = [
  { size: 3 << 20, seed: 11, kind: 'random' as const },
  { size: (2 << 20) + 4321, seed: 12, kind: 'random' as const },
  { size: 3 << 20, seed: 13, kind: 'random' as const },
  { size: 1 << 19, seed: 14, kind: 'random' as const },
];
const want = contents.map((c) => sha256(attachmentBytes(c)));
const { bytes } = writePstToBytes(attachmentInbox('Recycle', contents));

async function inbox(file = bytes) {
  const pst = await openPst(bytesSource(file));
  const top = (await (await pst.rootFolder()).subfolders())[0]!;
  const box = (await top.subfolders()).find((f: Folder) => f.name === 'Inbox')!;
  const nids: number[] = [];
  for await (const r of box.messages()) nids.push(r.nid);
  return { pst, nids };
}

describe('PstFile.recycle', () => {
  test('the next large value reuses the recycled buffer and reads the right bytes', async () => {
    const { pst, nids } = await inbox();
    expect(nids).toHaveLength(4);
    const m0 = await pst.readMessage(nids[0]!);
    const v0 = data(m0);
    expect(sha256(v0)).toBe(want[0]);
    const buf = v0.buffer;
    pst.recycle(m0);
    const m1 = await pst.readMessage(nids[1]!);
    const v1 = data(m1);
    expect(v1.buffer).toBe(buf); // reused (3 MiB buffer, 2 MiB value)
    expect(sha256(v1)).toBe(want[1]);
    // Not recycled: the next one gets a buffer of its own and v1 stays intact.
    const m2 = await pst.readMessage(nids[2]!);
    expect(data(m2).buffer).not.toBe(buf);
    expect(sha256(data(m2))).toBe(want[2]);
    expect(sha256(v1)).toBe(want[1]);
    // Small values are never taken from the spare.
    pst.recycle(m2);
    const m3 = await pst.readMessage(nids[3]!);
    expect(data(m3).buffer).not.toBe(data(m2).buffer);
    expect(sha256(data(m3))).toBe(want[3]);
  });

  test('a stream under half the size of the spare gets its own buffer and leaves the spare to a stream of its size', async () => {
    const sizes = [
      { size: 3 << 20, seed: 21, kind: 'random' as const },
      { size: (1 << 20) + 100_000, seed: 22, kind: 'random' as const },
      { size: (5 << 19) + 77, seed: 23, kind: 'random' as const },
    ];
    const { pst, nids } = await inbox(writePstToBytes(attachmentInbox('Spare', sizes)).bytes);
    const m0 = await pst.readMessage(nids[0]!);
    const spare = data(m0).buffer;
    pst.recycle(m0);
    const m1 = await pst.readMessage(nids[1]!);
    expect(data(m1).buffer).not.toBe(spare); // 1.1 MiB: not the 3 MiB spare
    expect(sha256(data(m1))).toBe(sha256(attachmentBytes(sizes[1]!)));
    const m2 = await pst.readMessage(nids[2]!);
    expect(data(m2).buffer).toBe(spare); // 2.5 MiB: the spare
    expect(sha256(data(m2))).toBe(sha256(attachmentBytes(sizes[2]!)));
  });

  test('pff2mt with a sink that writes lent values late: no buffer is reused before the sink releases it', async () => {
    const plain = new MemorySink();
    await pstToMt((await inbox()).pst, plain, { fileName: 'r.pst', importTime: new Date(0) });
    // A sink that, like a file sink on the thread pool, reads a lent chunk's bytes only some time
    // after lend() returned, and accepts the next chunk at once: if pff2mt recycled a buffer
    // before its release, the next message's read would overwrite bytes still to be written.
    const parts: (Uint8Array | { late: Promise<Uint8Array> })[] = [];
    let lent = 0;
    const sink: ByteSink & { lend(c: Uint8Array): Lent } = {
      write: (c) => void parts.push(c.slice()),
      lend(c) {
        lent++;
        const late = new Promise<Uint8Array>((resolve) => setTimeout(() => resolve(c.slice()), 20));
        parts.push({ late });
        return { accepted: undefined, released: late.then(() => undefined) };
      },
      close: () => {},
    };
    await pstToMt((await inbox()).pst, sink, { fileName: 'r.pst', importTime: new Date(0) });
    const chunks = await Promise.all(parts.map((p) => ('late' in p ? p.late : p)));
    expect(lent).toBe(3); // the three values of 1 MiB and more
    expect(Buffer.compare(Buffer.concat(chunks), Buffer.from(plain.bytes()))).toBe(0);
  });

  test('pff2mt (which recycles) writes every attachment byte-exact', async () => {
    const { pst } = await inbox();
    const sink = new MemorySink();
    await pstToMt(pst, sink, { fileName: 'r.pst', importTime: new Date(0) });
    const msgs = decodeGxmtBytes(sink.bytes()).frames.filter((f): f is MessageFrame => f.kind === 'message');
    expect(msgs.map((m) => sha256(data(m.content)))).toEqual(want);
  });
});
