/**
 * Body of a pff2mt worker thread (cli/pff2mt-pool.ts): opens the PST named in workerData and
 * answers batch requests one after another, in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openFileSource } from './io.ts';
import { BatchEncoder, serveBatches, type BatchEncoderOptions, type BatchRequest } from '../worker/convert/pff2mt-batch.ts';

const { path, options } = workerData as { path: string; options: BatchEncoderOptions };
const port = parentPort!;
const serve = serveBatches(
  openFileSource(path).then((src) => BatchEncoder.open(src, options)),
  (reply, transfer) => port.postMessage(reply, transfer),
);
port.on('message', (m: { id: number; req: BatchRequest }) => serve(m.id, m.req));
