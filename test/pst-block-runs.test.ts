/**
 * Attachment streams read as runs of adjacent blocks (Blocks.readMany, one codec call per run):
 * for each cipher the value is the bytes written; a byte flipped inside one block of the run is
 * reported as PST-BLOCK-CRC at that block's offset (BBTENTRY.bref.ib) for the attachment's
 * message, and every other byte of the value still reads as written.
 */
import { describe, expect, test } from 'vitest';
import { attachmentBytes, writePstToBytes, type PstCrypt } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { openPst, type Folder } from '../worker/pst/index.ts';
import type { PstFileImpl } from '../worker/pst/messaging/pst-file.ts';
import type { Finding } from '../worker/findings.ts';
import { attachmentInbox, firstAttachmentData as data } from './pst-helpers.ts';

const content = { size: 300_000, seed: 31, kind: 'random' as const };
const want = attachmentBytes(content);

function file(crypt: PstCrypt) {
  return writePstToBytes({ ...attachmentInbox('Runs', [content]), crypt }).bytes;
}

async function readFirst(bytes: Uint8Array) {
  const findings: Finding[] = [];
  const pst = (await openPst(bytesSource(bytes), { onFinding: (f) => findings.push(f) })) as PstFileImpl;
  const top = (await (await pst.rootFolder()).subfolders())[0]!;
  const box = (await top.subfolders()).find((f: Folder) => f.name === 'Inbox')!;
  let nid = 0;
  for await (const r of box.messages()) nid = r.nid;
  return { pst, nid, value: data(await pst.readMessage(nid)), findings };
}

describe('attachment block runs', () => {
  for (const crypt of ['none', 'permute', 'cyclic'] as const) {
    test(`${crypt}: the value is the bytes written, with no findings`, async () => {
      const { value, findings } = await readFirst(file(crypt));
      expect(findings).toEqual([]);
      expect(value.length).toBe(want.length);
      expect(Buffer.compare(value, want)).toBe(0);
    });
  }

  test('a flipped byte in the middle of the run: PST-BLOCK-CRC at its block, the rest intact', async () => {
    const bytes = file('none');
    // Unencoded, so the attachment's bytes lie in the file as written: find a stretch from the
    // middle of the value, then the BBT entry of the block holding it.
    const at = 5 * 8176 + 1000;
    const pos = Buffer.from(bytes).indexOf(Buffer.from(want.subarray(at, at + 64)));
    expect(pos).toBeGreaterThan(0);
    const { pst } = await readFirst(bytes);
    let block: { ib: number; cb: number } | undefined;
    let dataBlocks = 0;
    for await (const page of pst.bt.walk('bbt')) {
      for (const e of page.bbt ?? []) {
        if (e.cb === 8176) dataBlocks++;
        if (e.ib <= pos && pos < e.ib + e.cb) block = e;
      }
    }
    expect(dataBlocks, 'the value spans many full blocks').toBeGreaterThanOrEqual(36);
    expect(block, 'a block holds the flipped byte').toBeDefined();
    expect(block!.ib).toBeGreaterThan(0);
    const damaged = bytes.slice();
    damaged[pos + 7]! ^= 0x5a;
    const after = await readFirst(damaged);
    const crc = after.findings.filter((f) => f.code === 'PST-BLOCK-CRC');
    expect(crc).toHaveLength(1);
    expect(crc[0]!.offset).toBe(block!.ib);
    expect(crc[0]!.nid! & 0x1f, "NID_TYPE_ATTACHMENT: the attachment object read").toBe(0x05);
    expect(crc[0]!.field).toBe('BLOCKTRAILER.dwCRC');
    expect(after.value.length).toBe(want.length);
    const diff = [...after.value.keys()].filter((i) => after.value[i] !== want[i]);
    expect(diff).toEqual([at + 7]);
  });
});
