/**
 * The CLI's MessagePool (worker/convert/pff2mt-batch.ts) on Node worker threads: each thread
 * opens the input file itself and encodes the batches it is given; frames come back as
 * transferred buffers, so a frame is copied once (out of the encoder) and never again.
 * Batches go to threads in a fixed rotation, which keeps the stream and the findings independent
 * of timing. Cancelling is terminating the threads (close()).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { BatchEncoder, BatchEncoderOptions, BatchRequest, BatchResult, MessagePool } from '../worker/convert/pff2mt-batch.ts';

/** Threads used when --jobs is not given: one per core beyond the main thread's share, at most 4. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

interface Pending {
  resolve(r: BatchResult): void;
  reject(e: Error): void;
}

/**
 * A pool of `size` worker threads, plus `local` (an encoder on this thread, which otherwise only
 * waits for the workers) when given. `schedule` is the fixed rotation: thread indexes, and -1 for
 * the local encoder; default: each thread once, then the local encoder.
 */
export async function createThreadPool(path: string, size: number, options: BatchEncoderOptions, local?: BatchEncoder, schedule?: number[]): Promise<MessagePool> {
  const url = new URL('./pff2mt-thread.js', import.meta.url);
  const threads: { w: Worker; pending: Map<number, Pending>; dead?: Error }[] = [];
  let seq = 0;
  let turn = 0;
  for (let i = 0; i < size; i++) {
    // A small young generation per thread: its live data is one batch and the reader's caches,
    // and V8's default (up to 48 MiB per isolate) would put peak RSS over budget with 3 isolates.
    const w = new Worker(url, { workerData: { path, options }, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    const t = { w, pending: new Map<number, Pending>() } as (typeof threads)[number];
    const failAll = (e: Error) => {
      t.dead = e;
      for (const p of t.pending.values()) p.reject(e);
      t.pending.clear();
    };
    w.on('message', (m: { id: number; result?: BatchResult; error?: string }) => {
      const p = t.pending.get(m.id);
      if (!p) return;
      t.pending.delete(m.id);
      if (m.result) p.resolve(m.result);
      else p.reject(new Error(m.error ?? 'worker error'));
    });
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`worker thread exited (${code})`)));
    threads.push(t);
  }
  const order = schedule ?? [...threads.keys(), ...(local ? [-1] : [])];
  let localChain: Promise<unknown> = Promise.resolve();
  return {
    size: size + (local ? 1 : 0),
    encode(req: BatchRequest): Promise<BatchResult> {
      const slot = order[turn++ % order.length]!;
      if (slot < 0 && local) {
        const p = localChain.then(() => local.encode(req));
        localChain = p.catch(() => undefined);
        return p;
      }
      const t = threads[slot]!;
      if (t.dead) return Promise.reject(t.dead);
      const id = ++seq;
      return new Promise<BatchResult>((resolve, reject) => {
        t.pending.set(id, { resolve, reject });
        t.w.postMessage({ id, req });
      });
    },
    async close() {
      await Promise.all(threads.map((t) => t.w.terminate()));
    },
  };
}
