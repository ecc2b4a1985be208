/**
 * pff2mt's read-ahead (worker/convert/pff2mt.ts, issue 5 peak RSS): the next message is read
 * while the current one is written only when the contents table says it is small (PR_MESSAGE_SIZE
 * <= 1 MiB); a large message is read only when it is its turn, so two large attachments are never
 * in memory at once.
 */
import { describe, expect, test } from 'vitest';
import { writePstToBytes } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { MemorySink } from '../worker/io/sink.ts';
import { openPst, type PstFile } from '../worker/pst/index.ts';
import { pstToMt } from '../worker/convert/pff2mt.ts';

const BIG = 2 << 20;
const messages = Array.from({ length: 7 }, (_, i) => ({
  messageClass: 'IPM.Note',
  subject: `m${i}`,
  ...(i === 2 || i === 3 || i === 5
    ? { attachments: [{ filename: `big${i}.bin`, mimeType: 'application/octet-stream', content: { size: BIG, seed: i, kind: 'random' as const } }] }
    : {}),
}));
const { bytes } = writePstToBytes({ variant: 'unicode', crypt: 'none', store: { displayName: 'R' }, folders: [{ name: 'Inbox', messages }] });

describe('pff2mt read-ahead', () => {
  test('large messages are never read ahead; at most one small message is', async () => {
    const pst = await openPst(bytesSource(bytes));
    const held = new Set<number>();
    const log: { nid: number; big: boolean; heldAtStart: number[] }[] = [];
    const spy = new Proxy(pst, {
      get(target, key, recv) {
        if (key === 'readMessage') {
          return async (nid: number) => {
            const entry = { nid, big: false, heldAtStart: [...held] };
            log.push(entry);
            held.add(nid);
            const m = await target.readMessage(nid);
            entry.big = m.attachments.length > 0;
            return m;
          };
        }
        const v = Reflect.get(target, key, recv);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as PstFile;
    const res = await pstToMt(spy, new MemorySink(), {
      fileName: 'r.pst',
      onProgress: (e) => {
        if (e.kind === 'message') held.delete(e.nid);
      },
    });
    expect(res.messages).toBe(7);
    expect(log.filter((e) => e.big)).toHaveLength(3);
    const big = new Set(log.filter((e) => e.big).map((e) => e.nid));
    // read-ahead does happen for small messages, also for the one after a big one ...
    expect(log.some((e) => !e.big && e.heldAtStart.length === 1)).toBe(true);
    expect(log.some((e) => e.big && e.heldAtStart.length === 1)).toBe(true);
    // ... but never for a big one: no big message is read while another big one is held, and at
    // most one other (small) message is held at any read
    for (const e of log) {
      expect(e.heldAtStart.length).toBeLessThanOrEqual(1);
      if (e.big) expect(e.heldAtStart.filter((n) => big.has(n))).toEqual([]);
    }
  }, 60_000);
});
