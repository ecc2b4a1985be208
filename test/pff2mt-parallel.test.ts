/**
 * pff2mt with messages encoded by a pool of workers (worker/convert/pff2mt-batch.ts,
 * cli/pff2mt-pool.ts): the stream must be byte-identical to a single-threaded run whatever the
 * number of workers — named-property definitions before the first frame that uses them, large
 * messages converted in their place by the stream's thread, damaged messages skipped the same
 * way — and the CLI's real worker threads must give the same bytes as --jobs 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { generateDescription, mutate, writePst, writePstToBytes, type PstDescription } from '../cli/pstgen/index.ts';
import { bytesSource } from '../worker/io/byte-source.ts';
import { MemorySink } from '../worker/io/sink.ts';
import { openPst } from '../worker/pst/index.ts';
import { pstToMt, type Pff2mtOptions } from '../worker/convert/pff2mt.ts';
import { BatchEncoder, RotationPool, serveBatches, type BatchRequest, type MessagePool } from '../worker/convert/pff2mt-batch.ts';
import { createGxmtEncoder, createGxmtWriter, decodeGxmtBytes } from '../worker/gxmt/index.ts';
import type { Finding } from '../worker/findings.ts';
import * as T from '../worker/mapi/types.ts';

/** The pool in-process: `size` encoders over the same bytes (RotationPool's local members). */
async function memoryPool(bytes: Uint8Array, size: number, o: Partial<Pff2mtOptions> = {}) {
  const encoders = await Promise.all(Array.from({ length: size }, () => BatchEncoder.open(bytesSource(bytes), { version: o.version ?? 5, codepage: o.codepage })));
  const pool = new RotationPool(encoders);
  const seen: number[] = [];
  const encode = pool.encode.bind(pool);
  pool.encode = (req: BatchRequest) => (seen.push(...req.nids), encode(req));
  return { pool: pool as MessagePool, seen };
}

/**
 * Remote members as a host wires them (post a request, route the reply), served by encoders
 * here; `dieAfter` makes member 0 disappear after that many requests.
 */
async function remotePool(bytes: Uint8Array, size: number, dieAfter = Infinity) {
  const encoders = Array.from({ length: size }, () => BatchEncoder.open(bytesSource(bytes), { version: 5 }));
  let posted = 0;
  const pool: RotationPool = new RotationPool(
    encoders.map((ready, i) => {
      const serve = serveBatches(ready, (reply) => setTimeout(() => pool.reply(i, reply), (reply.id * 7) % 5));
      return {
        post(id: number, req: BatchRequest) {
          if (i === 0 && ++posted > dieAfter) {
            setTimeout(() => pool.lost(0, new Error('worker thread exited (1)')), 0);
            return;
          }
          serve(id, req);
        },
        close() {},
      };
    }),
  );
  return pool;
}

async function convert(bytes: Uint8Array, o: Partial<Pff2mtOptions> = {}) {
  const findings: Finding[] = [];
  const pst = await openPst(bytesSource(bytes), { onFinding: (f) => findings.push(f) });
  const sink = new MemorySink();
  const res = await pstToMt(pst, sink, { fileName: 'p.pst', importTime: new Date(0), onFinding: (f) => findings.push(f), ...o });
  return { out: sink.bytes(), res, findings };
}

const GUID_A = '00020329-0000-0000-c000-000000000046';
const GUID_B = '00062008-0000-0000-c000-000000000046';

/** Named properties first used late and in different folders, a large message, embedded ones. */
function description(): PstDescription {
  const msgs = (folder: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      messageClass: 'IPM.Note',
      subject: `${folder} ${i}`,
      bodyText: `Body ${folder} ${i} `.repeat(1 + (i % 7)),
      recipients: [{ type: 'to' as const, name: `R ${i}`, email: `r${i}@example.com` }],
      named: [
        { guid: GUID_A, name: `Kw-${folder}-${i % 5}`, type: 'string' as const, value: `v${i}` },
        ...(i % 3 === 0 ? [{ guid: GUID_B, lid: 0x8500 + (i % 11), type: 'long' as const, value: i }] : []),
      ],
      ...(i === 9
        ? { attachments: [{ filename: 'big.bin', content: { size: 3 << 20, seed: 5, kind: 'random' as const } }] }
        : i % 4 === 1
          ? {
              attachments: [
                { filename: `a${i}.txt`, content: { text: `attachment ${i}` } },
                {
                  filename: `fwd${i}.msg`,
                  embedded: {
                    messageClass: 'IPM.Note',
                    subject: `inner ${i}`,
                    named: [{ guid: GUID_A, name: `Inner-${i % 3}`, type: 'string' as const, value: 'x' }],
                  },
                },
              ],
            }
          : {}),
    }));
  return {
    variant: 'unicode',
    crypt: 'permute',
    store: { displayName: 'Parallel' },
    folders: [
      { name: 'Inbox', special: 'inbox', messages: msgs('in', 130), folders: [{ name: 'Sub', messages: msgs('sub', 40) }] },
      { name: 'Archive', messages: msgs('ar', 75) },
    ],
  };
}

describe('pff2mt through a pool of encoders', () => {
  const { bytes } = writePstToBytes(description());

  test('1, 2 and 3 encoders give the single-threaded stream byte for byte', async () => {
    const single = await convert(bytes);
    expect(single.res.messages).toBe(245);
    const defs = decodeGxmtBytes(single.out).frames.filter((f) => f.kind === 'namedprop');
    expect(defs.length).toBeGreaterThan(20);
    for (const size of [1, 2, 3]) {
      const { pool, seen } = await memoryPool(bytes, size);
      const par = await convert(bytes, { pool });
      // the pool did the work: every message but the three large ones (converted in place)
      expect(seen.length).toBe(242);
      expect(new Set(seen).size).toBe(242);
      expect(par.res).toEqual(single.res);
      expect(Buffer.compare(Buffer.from(par.out), Buffer.from(single.out)), `${size} encoder(s)`).toBe(0);
    }
  }, 120_000);

  test('remote members replying out of time order, and a member lost mid-run: same stream', async () => {
    const single = await convert(bytes);
    const par = await convert(bytes, { pool: await remotePool(bytes, 3) });
    expect(Buffer.compare(Buffer.from(par.out), Buffer.from(single.out))).toBe(0);
    // Member 0 answers two batches, then disappears: its batches are converted by the stream's
    // thread, with a finding, and the stream is still the same.
    const lost = await convert(bytes, { pool: await remotePool(bytes, 2, 2) });
    expect(lost.findings.filter((f) => f.code === 'PFF-WORKER').length).toBeGreaterThan(0);
    expect(lost.res.messages).toBe(single.res.messages);
    expect(Buffer.compare(Buffer.from(lost.out), Buffer.from(single.out))).toBe(0);
  }, 120_000);

  test('GXMT 3 and 4 and a forced code page too', async () => {
    for (const o of [{ version: 3 as const }, { version: 4 as const }, { codepage: 1251, forceCodepage: true }]) {
      const single = await convert(bytes, o);
      const { pool } = await memoryPool(bytes, 2, o);
      const par = await convert(bytes, { ...o, pool });
      expect(Buffer.compare(Buffer.from(par.out), Buffer.from(single.out)), JSON.stringify(o)).toBe(0);
    }
  }, 120_000);

  test('a damaged message is skipped the same way, with its finding', async () => {
    const gen = writePstToBytes(generateDescription({ variant: 'unicode', crypt: 'permute', messages: 120, seed: 3 }));
    const pst = await openPst(bytesSource(gen.bytes));
    const root = await pst.rootFolder();
    const inbox = (await (await root.subfolders())[0]!.subfolders()).find((f) => f.name === 'Inbox')!;
    const refs = [];
    for await (const r of inbox.messages()) refs.push(r);
    const victim = refs[Math.floor(refs.length / 2)]!.nid;
    const dmg = await mutate(gen.bytes, { kind: 'zero', target: 'node', nid: victim, length: 64 });
    const single = await convert(dmg.bytes!);
    const { pool } = await memoryPool(dmg.bytes!, 2);
    const par = await convert(dmg.bytes!, { pool });
    expect(single.res.skippedMessages).toBeGreaterThan(0);
    expect(par.res).toEqual(single.res);
    expect(Buffer.compare(Buffer.from(par.out), Buffer.from(single.out))).toBe(0);
    const skipped = (fs: Finding[]) => fs.filter((f) => f.code === 'PFF-ITEM-UNREADABLE').map((f) => f.nid);
    expect(skipped(par.findings)).toEqual(skipped(single.findings));
    expect(skipped(par.findings)).toContain(victim);
  }, 120_000);
});

describe('GxmtWriter.writeEncoded', () => {
  const name = { guid: GUID_A, name: 'Shared' };
  const msg = (id: number): T.MessageContent => ({
    props: [
      { tag: T.propTag(0x0037, T.PT_UNICODE), value: 's' },
      { tag: T.propTag(id, T.PT_UNICODE), value: 'v', name },
    ],
    recipients: [],
    attachments: [],
  });
  const header = { splice: false, folderMap: [{ nid: 0x122n, create: true, target: 9n, name: 'x' }] };

  test('equals writeMessage, names defined once before first use', async () => {
    const a = new MemorySink();
    const wa = await createGxmtWriter(a, header, { namedIds: 'source' });
    await wa.writeFolder(0x122n, 0n, [{ tag: T.propTag(0x3001, T.PT_UNICODE), value: 'x' }]);
    await wa.writeMessage(0x24n, 0x122n, msg(0x8003));
    await wa.writeMessage(0x44n, 0x122n, msg(0x8003));
    await wa.close();
    const b = new MemorySink();
    const wb = await createGxmtWriter(b, header, { namedIds: 'source' });
    await wb.writeFolder(0x122n, 0n, [{ tag: T.propTag(0x3001, T.PT_UNICODE), value: 'x' }]);
    // two encoders ("workers") each meet the name first
    for (const nid of [0x24n, 0x44n]) {
      const e = createGxmtEncoder(5, { namedIds: 'source' }).encodeMessage(nid, 0x122n, msg(0x8003));
      expect(e.names).toEqual([{ id: 0x8003, name: { guid: GUID_A, name: 'Shared' } }]);
      expect(await wb.writeEncoded(nid, 0x122n, { chunks: e.chunks!.map((c) => c.slice()), names: e.names })).toBe(true);
    }
    await wb.close();
    expect(Buffer.compare(Buffer.from(b.bytes()), Buffer.from(a.bytes()))).toBe(0);
    expect(decodeGxmtBytes(b.bytes()).frames.filter((f) => f.kind === 'namedprop')).toHaveLength(1);
  });

  test('a name the stream already gave another id: message skipped with GXMT-NAMEDPROP-CONFLICT', async () => {
    const findings: Finding[] = [];
    const s = new MemorySink();
    const w = await createGxmtWriter(s, header, { namedIds: 'source', onFinding: (f) => findings.push(f) });
    await w.writeFolder(0x122n, 0n, [{ tag: T.propTag(0x3001, T.PT_UNICODE), value: 'x' }]);
    await w.writeMessage(0x24n, 0x122n, msg(0x8003));
    const e = createGxmtEncoder(5, { namedIds: 'source' }).encodeMessage(0x44n, 0x122n, msg(0x8004));
    expect(await w.writeEncoded(0x44n, 0x122n, { chunks: e.chunks!.map((c) => c.slice()), names: e.names })).toBe(false);
    await w.close();
    expect(findings.map((f) => f.code)).toContain('GXMT-NAMEDPROP-CONFLICT');
    const frames = decodeGxmtBytes(s.bytes()).frames;
    expect(frames.filter((f) => f.kind === 'message')).toHaveLength(1);
  });

  test('namedIdOf decides the id from the name, whatever id the property carries', async () => {
    const s = new MemorySink();
    const w = await createGxmtWriter(s, header, { namedIds: 'source', namedIdOf: () => 0x8010 });
    await w.writeFolder(0x122n, 0n, [{ tag: T.propTag(0x3001, T.PT_UNICODE), value: 'x' }]);
    await w.writeMessage(0x24n, 0x122n, msg(0x8003));
    await w.close();
    const def = decodeGxmtBytes(s.bytes()).frames.find((f) => f.kind === 'namedprop')!;
    expect(def.kind === 'namedprop' && def.tag >>> 16).toBe(0x8010);
  });
});

describe('mailferry pff2mt --jobs (worker threads)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-jobs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = join(__dirname, '..', 'cli', 'bin', 'mailferry.js');

  test('--jobs 2 and 3 write the same stream as --jobs 1 on a file large enough for the pool', async () => {
    // > 16 MiB (the pool's threshold) in many small messages, so the threads do the work.
    const desc = generateDescription({ variant: 'unicode', crypt: 'permute', messages: 900, attachmentMiB: 20, seed: 9 });
    const pst = join(dir, 'jobs.pst');
    await writePst(desc, pst);
    const outs = [1, 2, 3].map((j) => {
      const out = join(dir, `j${j}.mt`);
      const r = spawnSync(process.execPath, [cli, 'pff2mt', '--jobs', String(j), '-o', out, pst], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      // the pool is used (and said so) only with more than one job
      expect(r.stderr.includes(`pff: ${j} worker threads`)).toBe(j > 1);
      return readFileSync(out);
    });
    // Without --jobs: one thread, the same stream.
    const plain = spawnSync(process.execPath, [cli, 'pff2mt', '-o', join(dir, 'plain.mt'), pst], { encoding: 'utf8' });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('worker threads');
    expect(Buffer.compare(readFileSync(join(dir, 'plain.mt')), outs[0]!)).toBe(0);
    expect(decodeGxmtBytes(outs[0]!).frames.filter((f) => f.kind === 'message')).toHaveLength(900);
    expect(Buffer.compare(outs[1]!, outs[0]!)).toBe(0);
    expect(Buffer.compare(outs[2]!, outs[0]!)).toBe(0);
  }, 180_000);
});
