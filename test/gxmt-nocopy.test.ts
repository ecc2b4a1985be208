/**
 * The large-value path of pff2mt's output (issue 5, peak RSS): the GXMT writer hands a large
 * PT_BINARY value (an attachment) to the sink as the caller's own bytes, not a copy, inside an
 * unchanged stream; the CLI's file sink passes chunks of 1 MiB and more to Node without a copy
 * and settles their write only once Node has written them, while small chunks are still copied.
 * With lend() it lets the caller go on while a large chunk is written and tells it when the chunk
 * is released; the writer's `lend` option uses that and reports the releases per message.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink, type ByteSink } from '../worker/io/sink.ts';
import * as T from '../worker/mapi/types.ts';
import type { MessageContent } from '../worker/mapi/types.ts';
import { createGxmtWriter, decodeGxmtBytes, type MessageFrame } from '../worker/gxmt/index.ts';
import { Writable } from 'node:stream';
import { fileSink, streamSink } from '../cli/io.ts';

const fill = (n: number, seed: number) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

function message(data: Uint8Array): MessageContent {
  return {
    props: [{ tag: T.propTag(0x0037, T.PT_UNICODE), value: 'big' }],
    recipients: [],
    attachments: [
      {
        props: [
          { tag: T.propTag(0x3704, T.PT_UNICODE), value: 'a.bin' },
          { tag: T.propTag(0x3701, T.PT_BINARY), value: data },
          { tag: T.propTag(0x3705, T.PT_LONG), value: 1 },
        ],
      },
    ],
  };
}

async function stream(sink: ByteSink, data: Uint8Array): Promise<void> {
  const w = await createGxmtWriter(sink, { splice: false, folderMap: [{ nid: 0x122n, create: true, target: 9n, name: 'x' }] });
  await w.writeMessage(0x200024n, 0x122n, message(data));
  await w.close();
}

describe('large attachment values are not copied', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-sink-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the writer passes the value to the sink by reference, and the stream decodes to it', async () => {
    const data = fill(3 << 20, 7);
    const seen: Uint8Array[] = [];
    const mem = new MemorySink();
    await stream({ write: (c) => (seen.push(c), mem.write(c)), close: () => {} }, data);
    expect(seen.filter((c) => c.buffer === data.buffer)).toHaveLength(1);
    const frames = decodeGxmtBytes(mem.bytes()).frames;
    const m = frames.find((f) => f.kind === 'message') as MessageFrame;
    const v = m.content.attachments[0]!.props.find((p) => p.tag === T.propTag(0x3701, T.PT_BINARY))!.value as Uint8Array;
    expect(Buffer.compare(Buffer.from(v), Buffer.from(data))).toBe(0);
  });

  test('fileSink: a large chunk goes to Node uncopied and its write settles after Node wrote it', async () => {
    const path = join(dir, 'out1');
    const sink = fileSink(path);
    const small = fill(1000, 1);
    const big = fill(2 << 20, 2);
    const want = Buffer.concat([Buffer.from(small), Buffer.from(big), Buffer.from(small)]);
    await sink.write(small);
    small.fill(0xee); // allowed once write() settled: the sink copied it
    const p = sink.write(big);
    expect(p).toBeInstanceOf(Promise);
    // Before the write settles the caller may not touch `big`; this probe does, to show Node
    // got the caller's memory (a copy would not see the change) ...
    big[0] = 0xab;
    await p;
    // ... and after it settled, changes no longer reach the file.
    big[1] = 0xcd;
    await sink.write(fill(1000, 1));
    await sink.close();
    want[1000] = 0xab;
    expect(Buffer.compare(readFileSync(path), want)).toBe(0);
  });

  test('fileSink: frames of every size, gathered into large writes, reach the file in order and unchanged', async () => {
    const path = join(dir, 'out2');
    const sink = fileSink(path);
    // Sizes around the staging buffer (256 KiB) and the no-copy threshold (1 MiB).
    const sizes = [1, 17, 4000, 262143, 1, 262144, 300000, 5, 1048575, 1048576, 3, 200000, 70000, 2 << 20, 0, 9];
    for (let i = 0; i < 300; i++) sizes.push((i * 7919) % 12000);
    const parts: Buffer[] = [];
    let seed = 0;
    for (const n of sizes) {
      const chunk = fill(n, seed++);
      parts.push(Buffer.from(chunk));
      await sink.write(chunk);
      chunk.fill(0x5a); // the caller reuses its buffer once write() settled
    }
    await sink.close();
    expect(Buffer.compare(readFileSync(path), Buffer.concat(parts))).toBe(0);
  });

  test('streamSink over a stream that writes synchronously: at most the limit is waiting for write callbacks, however long the producer never yields', async () => {
    // Like stdout on /dev/null: every write is done at once and 'drain' is never needed, but
    // Node calls back on process.nextTick, which runs only once the promise jobs have run out.
    let got = 0;
    let out = 0;
    let maxOut = 0;
    const w = new Writable({
      write(chunk: Buffer, _enc, cb) {
        got += chunk.length;
        cb();
      },
    });
    const write = w.write.bind(w) as (c: Uint8Array, cb: (e?: Error | null) => void) => boolean;
    (w as unknown as { write: typeof write }).write = (c, cb) => {
      out += c.length;
      maxOut = Math.max(maxOut, out);
      return write(c, (e) => {
        out -= c.length;
        cb(e);
      });
    };
    const limit = 1 << 20;
    const sink = streamSink(w, true, limit);
    const frame = fill(3000, 1);
    const big = fill(300_000, 2); // larger than the staging buffer: a copy of its own
    const total = 64 << 20;
    let sent = 0;
    for (let i = 0; sent < total; i++) {
      const c = i % 100 === 99 ? big : frame;
      await sink.write(c); // resolved promises only: never a macrotask turn
      sent += c.length;
    }
    await sink.close();
    expect(got).toBe(sent);
    expect(maxOut).toBeGreaterThan(0);
    // The limit, plus the staged or copied write that crossed it.
    expect(maxOut).toBeLessThanOrEqual(limit + 300_000);
  });

  test('fileSink.lend: the caller goes on at once, waits only while more than 16 MiB of earlier lent chunks are out, and the file keeps the order', async () => {
    const path = join(dir, 'out3');
    const sink = fileSink(path);
    const a = fill(17 << 20, 3);
    const b = fill(2 << 20, 4);
    const small = fill(5000, 5);
    const want = Buffer.concat([Buffer.from(small), Buffer.from(a), Buffer.from(small), Buffer.from(b), Buffer.from(small)]);
    await sink.write(small);
    const la = sink.lend!(a);
    expect(la.accepted).toBeUndefined(); // nothing else out: go on
    let aReleased = false;
    void la.released.then(() => (aReleased = true));
    await sink.write(small);
    const lb = sink.lend!(b);
    // 17 MiB of `a` still out beyond `b`: back-pressure until `a` is released.
    expect(lb.accepted).toBeInstanceOf(Promise);
    await lb.accepted;
    expect(aReleased).toBe(true);
    await lb.released;
    a.fill(0); // released: the file no longer depends on these buffers
    b.fill(0);
    await sink.write(small);
    await sink.close();
    expect(Buffer.compare(readFileSync(path), want)).toBe(0);
  });

  test('the writer lends values of 1 MiB and more only with the lend option, and released() settles when the sink releases them', async () => {
    const data = fill(3 << 20, 9);
    const mem = new MemorySink();
    let release!: () => void;
    const lent: Uint8Array[] = [];
    const sink: ByteSink = {
      write: (c) => mem.write(c),
      lend(c) {
        lent.push(c);
        mem.write(c);
        return { accepted: undefined, released: new Promise<void>((r) => (release = r)) };
      },
      close: () => {},
    };
    const plain = await createGxmtWriter(sink, { splice: false, folderMap: [{ nid: 0x122n, create: true, target: 9n, name: 'x' }] });
    await plain.writeMessage(0x200024n, 0x122n, message(data));
    expect(lent).toHaveLength(0);
    expect(plain.released()).toBeUndefined();
    const w = await createGxmtWriter(sink, { splice: false, folderMap: [{ nid: 0x122n, create: true, target: 9n, name: 'x' }] }, { lend: true });
    await w.writeMessage(0x200024n, 0x122n, message(data));
    expect(lent).toHaveLength(1);
    expect(lent[0]!.buffer).toBe(data.buffer);
    const r = w.released()!;
    let done = false;
    void r.then(() => (done = true));
    await new Promise((t) => setTimeout(t, 10));
    expect(done).toBe(false);
    release();
    await r;
    expect(w.released()).toBeUndefined(); // reported once
  });
});
