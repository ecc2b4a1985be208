/**
 * The CLI's MessagePool (worker/convert/pff2mt-batch.ts) on Node worker threads: each thread
 * opens the input file itself and encodes the batches it is given; frames come back as
 * transferred buffers, so a frame is copied once (out of the encoder) and never again. The
 * rotation (RotationPool) keeps the stream and the findings independent of timing. Cancelling is
 * terminating the threads (close()).
 */
import { Worker } from 'node:worker_threads';
import { RotationPool, type BatchEncoderOptions, type BatchReply, type MessagePool, type RemoteEncoder } from '../worker/convert/pff2mt-batch.ts';

/** A pool of `size` worker threads reading `path`. */
export function createThreadPool(path: string, size: number, options: BatchEncoderOptions): MessagePool {
  const url = new URL('./pff2mt-thread.js', import.meta.url);
  const members: RemoteEncoder[] = [];
  const workers: Worker[] = [];
  for (let i = 0; i < size; i++) {
    // A small young generation per thread: its live data is one batch and the reader's caches,
    // and V8's default (up to 48 MiB per isolate) would put peak RSS over budget.
    const w = new Worker(url, { workerData: { path, options }, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    workers.push(w);
    members.push({ post: (id, req) => w.postMessage({ id, req }), close: () => w.terminate().then(() => undefined) });
  }
  const pool = new RotationPool(members);
  workers.forEach((w, i) => {
    w.on('message', (m: BatchReply) => pool.reply(i, m));
    w.on('error', (e: Error) => pool.lost(i, e));
    w.on('exit', (code) => pool.lost(i, new Error(`worker thread exited (${code})`)));
  });
  return pool;
}
