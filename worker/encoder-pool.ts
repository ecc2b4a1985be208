/**
 * The page's MessagePool (convert/pff2mt-batch.ts): nested Web Workers, each reading the same
 * File through its own reader and encoding the batches it is given; the conversion worker keeps
 * the stream. The same fixed rotation as the CLI's thread pool, so the page's stream stays
 * byte-identical to `mailferry pff2mt`. Terminating the conversion worker (cancel) ends these
 * with it; close() ends them after a run.
 */
import type { BatchEncoderOptions, BatchRequest, BatchResult, MessagePool } from './convert/pff2mt-batch.ts';

/** Below this size the workers' start-up costs more than they save (as in the CLI). */
export const POOL_MIN_BYTES = 16 << 20;

/**
 * Workers for a conversion: one per core, at most 4 (the page and this worker mostly wait while
 * they read and encode).
 */
export function webJobs(): number {
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(4, cores));
}

interface Pending {
  resolve(r: BatchResult): void;
  reject(e: Error): void;
}

export function createWebWorkerPool(file: Blob, name: string, size: number, options: BatchEncoderOptions): MessagePool {
  const workers: { w: Worker; pending: Map<number, Pending>; dead?: Error }[] = [];
  let seq = 0;
  let turn = 0;
  for (let i = 0; i < size; i++) {
    const w = new Worker(new URL('./encoder-worker.ts', import.meta.url), { type: 'module', name: `mailferry-encoder-${i}` });
    const t = { w, pending: new Map<number, Pending>() } as (typeof workers)[number];
    w.onmessage = (e: MessageEvent<{ id: number; result?: BatchResult; error?: string }>) => {
      const p = t.pending.get(e.data.id);
      if (!p) return;
      t.pending.delete(e.data.id);
      if (e.data.result) p.resolve(e.data.result);
      else p.reject(new Error(e.data.error ?? 'encoder worker error'));
    };
    w.onerror = (e: ErrorEvent) => {
      t.dead = new Error(e.message || 'encoder worker failed');
      for (const p of t.pending.values()) p.reject(t.dead);
      t.pending.clear();
    };
    w.postMessage({ init: { file, name, options } });
    workers.push(t);
  }
  return {
    size,
    encode(req: BatchRequest): Promise<BatchResult> {
      const t = workers[turn++ % size]!;
      if (t.dead) return Promise.reject(t.dead);
      const id = ++seq;
      return new Promise<BatchResult>((resolve, reject) => {
        t.pending.set(id, { resolve, reject });
        t.w.postMessage({ id, req });
      });
    },
    async close() {
      for (const t of workers) t.w.terminate();
    },
  };
}
