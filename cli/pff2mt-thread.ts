/**
 * Body of a pff2mt worker thread (cli/pff2mt-pool.ts): opens the PST named in workerData and
 * answers batch requests one after another, in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openFileSource } from './io.ts';
import { BatchEncoder, transferables, type BatchEncoderOptions, type BatchRequest } from '../worker/convert/pff2mt-batch.ts';

const { path, options } = workerData as { path: string; options: BatchEncoderOptions };
const port = parentPort!;
const ready = openFileSource(path).then((src) => BatchEncoder.open(src, options));
let chain: Promise<unknown> = Promise.resolve();
port.on('message', (m: { id: number; req: BatchRequest }) => {
  chain = chain.then(async () => {
    try {
      const enc = await ready;
      const result = await enc.encode(m.req);
      port.postMessage({ id: m.id, result }, transferables(result));
    } catch (e) {
      port.postMessage({ id: m.id, error: (e as Error).message ?? String(e) });
    }
  });
});
