/**
 * The page's MessagePool (convert/pff2mt-batch.ts): nested Web Workers, each reading the same
 * File through its own reader and encoding the batches it is given; the conversion worker keeps
 * the stream. The same rotation as the CLI's thread pool (RotationPool), so the page's stream
 * stays byte-identical to `mailferry pff2mt`. Terminating the conversion worker (cancel) ends
 * these with it; close() ends them after a run.
 */
import { RotationPool, type BatchEncoderOptions, type BatchReply, type MessagePool } from './convert/pff2mt-batch.ts';

export function createWebWorkerPool(file: Blob, name: string, size: number, options: BatchEncoderOptions): MessagePool {
  const workers = Array.from({ length: size }, (_, i) => new Worker(new URL('./encoder-worker.ts', import.meta.url), { type: 'module', name: `mailferry-encoder-${i}` }));
  const pool = new RotationPool(workers.map((w) => ({ post: (id, req) => w.postMessage({ id, req }), close: () => w.terminate() })));
  workers.forEach((w, i) => {
    w.onmessage = (e: MessageEvent<BatchReply>) => pool.reply(i, e.data);
    w.onerror = (e: ErrorEvent) => pool.lost(i, new Error(e.message || 'encoder worker failed'));
    w.postMessage({ init: { file, name, options } });
  });
  return pool;
}
