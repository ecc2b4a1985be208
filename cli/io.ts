/**
 * Node ends of the byte-source and sink interfaces: files read by position, output to stdout or a
 * file with back-pressure. The converters never see Node APIs.
 *
 * Reads use synchronous pread behind the async interface: the CLI has nothing else to do while it
 * waits for its input, and a thread-pool round trip per slab cost about a third of a full PST walk.
 * Only large `readInto` runs (block runs of attachments) go to the thread pool, where they overlap
 * the decoding of the run before.
 */
import { openSync, read, readSync, fstatSync, closeSync, createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import type { ByteSource } from '../worker/io/byte-source.ts';
import type { ByteSink } from '../worker/io/sink.ts';
import { FindingLog, type FindingSink } from '../worker/findings.ts';
import { noteBytes } from './memory.ts';

export interface FileSource extends ByteSource {
  close(): Promise<void>;
  /** Always present on files: the reader reuses its buffers for every block run. */
  readInto(offset: number, dest: Uint8Array): Promise<number>;
}

/** Reads at least this long go through the thread pool (readInto only). */
const ASYNC_READ = 256 * 1024;

/** Open `path` for positional reads. */
export async function openFileSource(path: string): Promise<FileSource> {
  const fd = openSync(path, 'r');
  const { size } = fstatSync(fd);
  let open = true;
  const fill = (buf: Uint8Array, offset: number): number => {
    if (!open) throw new Error(`${basename(path)}: read after close`);
    const start = Math.min(Math.max(0, offset), size);
    const n = Math.max(0, Math.min(buf.length, size - start));
    let got = 0;
    while (got < n) {
      const bytesRead = readSync(fd, buf, got, n - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    noteBytes(got);
    return got;
  };
  return {
    size,
    name: basename(path),
    async read(offset, length) {
      const start = Math.min(Math.max(0, offset), size);
      const buf = new Uint8Array(Math.max(0, Math.min(length, size - start)));
      const got = fill(buf, start);
      return got === buf.length ? buf : buf.subarray(0, got);
    },
    async readInto(offset, dest) {
      if (dest.length < ASYNC_READ) return fill(dest, offset);
      // Large runs: pread on the libuv pool, so the kernel copy (and the page faults of a fresh
      // destination) overlap the caller's decoding of the previous run.
      if (!open) throw new Error(`${basename(path)}: read after close`);
      const start = Math.min(Math.max(0, offset), size);
      const n = Math.max(0, Math.min(dest.length, size - start));
      let got = 0;
      while (got < n) {
        const bytesRead = await new Promise<number>((resolve, reject) =>
          read(fd, dest, got, n - got, start + got, (err, r) => (err ? reject(err) : resolve(r))),
        );
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      noteBytes(got);
      return got;
    },
    async close() {
      if (open) {
        open = false;
        closeSync(fd);
      }
    },
  };
}

/** Chunks at least this long are handed to Node without a copy (see streamSink). */
const NO_COPY = 1 << 20;
/** Small chunks are gathered into writes of this size. */
const STAGE = 256 * 1024;
/** Lent chunks (ByteSink.lend) in flight beyond the newest one: at most this many bytes. */
const LEND_BUDGET = 16 << 20;

/**
 * A sink over a Node stream that lets up to `limit` bytes be in Node's hands before it waits, so
 * the producer is not held up frame by frame at Node's 16 KiB high-water mark, while output can
 * never pile up beyond `limit`. "In Node's hands" runs until a write's callback, not until Node
 * reports the bytes written: a stream that writes synchronously (stdout on /dev/null or a fast
 * pipe) reports every write done at once and never asks for 'drain', but calls back on
 * process.nextTick, which Node runs only once the promise jobs have run out; a converter whose
 * reads all complete synchronously never lets them run out, and each pending callback kept its
 * 256 KiB buffer alive: 1.2 GiB for a 4 GiB PST converted to /dev/null. Waiting on the callbacks
 * lets them run and bounds that too.
 *
 * Small chunks (frames) are copied into a staging buffer of `STAGE` bytes that goes to Node in one
 * write when full: one write(2) or thread-pool request per 256 KiB instead of one per frame (a
 * file or pipe stdout is written synchronously on Linux, a per-frame syscall cost a tenth of a
 * pff2mt run). A chunk of `NO_COPY` bytes or more (an attachment value the GXMT writer passes by
 * reference) is handed to Node as a view of the caller's memory, after the staged bytes, and the
 * write settles only when Node's write callback reports it written: the ByteSink contract lets
 * the caller reuse a chunk once the promise settles, not before, so no copy of a 32 MiB
 * attachment is ever made here.
 *
 * lend() writes such a chunk the same way but lets the caller go on at once: Node's file streams
 * write on the libuv thread pool, so the kernel's copy of one attachment into the page cache (as
 * much CPU time as decoding it, in pff2mt) overlaps reading the next message. Besides the newest
 * lent chunk, at most LEND_BUDGET bytes of earlier ones may still be in flight.
 */
export function streamSink(stream: Writable, closeStream: boolean, limit = 4 << 20): ByteSink {
  let failed: Error | undefined;
  stream.on('error', (e: Error) => {
    failed = e;
    settle();
  });
  /** Bytes handed to Node whose write callback has not run, and producers waiting for room. */
  let pending = 0;
  let roomWaiters: { max: number; go: () => void }[] = [];
  function settle(): void {
    if (!roomWaiters.length) return;
    const still: typeof roomWaiters = [];
    for (const w of roomWaiters) {
      if (failed || pending <= w.max) w.go();
      else still.push(w);
    }
    roomWaiters = still;
  }
  const written = (n: number) => (e?: Error | null) => {
    pending -= n;
    if (e) failed ??= e;
    settle();
  };
  /** Resolves once at most `max` bytes are in Node's hands (rejects if the stream failed). */
  const room = (max = limit): Promise<void> | undefined => {
    if (failed) return Promise.reject(failed);
    if (pending <= max) return undefined;
    return new Promise<void>((resolve, reject) => roomWaiters.push({ max, go: () => (failed ? reject(failed) : resolve()) }));
  };
  /** stream.write, counted in `pending` until its callback. */
  const hand = (b: Uint8Array, then?: (e?: Error | null) => void): void => {
    pending += b.length;
    const cb = written(b.length);
    stream.write(b, then ? (e?: Error | null) => (cb(e), then(e)) : cb);
  };
  let stage = Buffer.allocUnsafe(STAGE);
  let fill = 0;
  /** Bytes lent and not yet released, and callers waiting for that to drop. */
  let lentBytes = 0;
  let lentWaiters: { newest: number; resolve: () => void }[] = [];
  const lentReleased = (n: number) => {
    lentBytes -= n;
    const still: typeof lentWaiters = [];
    for (const w of lentWaiters) {
      if (lentBytes - w.newest <= LEND_BUDGET) w.resolve();
      else still.push(w);
    }
    lentWaiters = still;
  };
  /** Stage buffers Node has finished writing, for reuse (a run makes no garbage of them). */
  const spareStages: (typeof stage)[] = [];
  /** Hand the staged bytes to Node, which keeps the buffer until its write callback. */
  const flush = (): void => {
    if (fill === 0) return;
    const full = stage;
    const n = fill;
    stage = spareStages.pop() ?? Buffer.allocUnsafe(STAGE);
    fill = 0;
    hand(full.subarray(0, n), (e?: Error | null) => {
      if (!e && spareStages.length < 4) spareStages.push(full);
    });
  };
  return {
    write(chunk) {
      if (failed) throw failed;
      if (chunk.length >= NO_COPY) {
        flush();
        const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        return new Promise<void>((resolve, reject) => {
          stream.write(view, (e?: Error | null) => (e ? reject(e) : resolve()));
        });
      }
      if (fill + chunk.length <= STAGE) {
        stage.set(chunk, fill);
        fill += chunk.length;
        if (fill < STAGE) return;
        flush();
        return room();
      }
      flush();
      // Larger than what is left of the stage: a copy of its own (the caller reuses `chunk`).
      if (chunk.length > STAGE) {
        hand(Buffer.from(chunk));
        return room();
      }
      stage.set(chunk, 0);
      fill = chunk.length;
      return room();
    },
    lend(chunk) {
      if (failed) throw failed;
      flush();
      const n = chunk.length;
      lentBytes += n;
      const released = new Promise<void>((resolve) => {
        stream.write(Buffer.from(chunk.buffer, chunk.byteOffset, n), (e?: Error | null) => {
          if (e) failed ??= e;
          // Released first: the caller hands the buffer back to the reader before a writer
          // waiting on this release goes on to read the next message into a buffer.
          resolve();
          lentReleased(n);
        });
      });
      if (lentBytes - n <= LEND_BUDGET) return { accepted: undefined, released };
      return { accepted: new Promise<void>((resolve) => lentWaiters.push({ newest: n, resolve })), released };
    },
    close() {
      if (failed) throw failed;
      flush();
      if (!closeStream) return room(0);
      return new Promise<void>((resolve, reject) => {
        stream.end((e?: Error | null) => (e ? reject(e) : resolve()));
      });
    },
  };
}

/** A sink writing to `path`. */
export function fileSink(path: string): ByteSink {
  return streamSink(createWriteStream(path), true);
}

/**
 * A sink writing to stdout; refuses a terminal, as the gromox tools do, unless `force`. When
 * stdout is a regular file (`> out.mt`), Node's process.stdout would write synchronously on the
 * main thread; a file stream on fd 1 writes on the thread pool instead, as `-o` does.
 */
export function stdoutSink(force = false): ByteSink {
  if (process.stdout.isTTY && !force) {
    throw new Error('refusing to write a binary stream to a terminal; redirect stdout to a file or pipe');
  }
  let regular = false;
  try {
    regular = fstatSync(1).isFile();
  } catch {
    // no usable fd 1: process.stdout reports the error
  }
  if (regular) return streamSink(createWriteStream('', { fd: 1, autoClose: false }), true);
  return streamSink(process.stdout, false);
}

/** Parse `--name=value` / `--name value` / flags; returns options and positional args. */
export function parseArgs(
  args: string[],
  spec: { flags?: string[]; values?: string[]; multi?: string[] },
): { opts: Record<string, string | boolean | string[]>; rest: string[]; unknown: string[] } {
  const flags = new Set(spec.flags ?? []);
  const values = new Set([...(spec.values ?? []), ...(spec.multi ?? [])]);
  const multi = new Set(spec.multi ?? []);
  const opts: Record<string, string | boolean | string[]> = {};
  const rest: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq) : a;
    if (flags.has(key)) {
      opts[key] = true;
    } else if (values.has(key)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) {
        unknown.push(`${key} needs a value`);
        continue;
      }
      if (multi.has(key)) ((opts[key] ??= []) as string[]).push(v);
      else opts[key] = v;
    } else {
      unknown.push(a);
    }
  }
  return { opts, rest, unknown };
}

/**
 * The findings printer the import commands share: every finding is kept in a FindingLog, and
 * printed on stderr when `loglevel` reaches its severity (gromox's levels: 2 errors, 4 warnings,
 * 5 and above also notes).
 */
export function findingReporter(loglevel: number): { log: FindingLog; report: FindingSink } {
  const log = new FindingLog();
  const report: FindingSink = (f) => {
    log.add(f);
    const level = f.severity === 'error' ? 2 : f.severity === 'warning' ? 4 : 5;
    if (loglevel >= level) {
      const where = [f.item, f.offset !== undefined ? `@${f.offset}` : ''].filter(Boolean).join(' ');
      process.stderr.write(`${f.severity} ${f.code}${where ? ` (${where})` : ''}: ${f.message}\n`);
    }
  };
  return { log, report };
}
