/**
 * Entry of a nested worker that encodes pff2mt batches for the conversion worker
 * (encoder-pool.ts): it opens the PST from the Blob it is given (the same file, no copy) and
 * answers batch requests in the order they arrive. Plain messages, no comlink: the protocol is
 * two message kinds and the batches carry transferable buffers.
 */
import { blobSource } from './io/byte-source.ts';
import { BatchEncoder, serveBatches, type BatchEncoderOptions, type BatchRequest } from './convert/pff2mt-batch.ts';

type Init = { init: { file: Blob; name: string; options: BatchEncoderOptions } };
type Job = { id: number; req: BatchRequest };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Init | Job>) => void) | null;
  postMessage(m: unknown, transfer?: Transferable[]): void;
};
let serve: ((id: number, req: BatchRequest) => void) | undefined;
scope.onmessage = (e) => {
  const m = e.data;
  if ('init' in m) {
    serve = serveBatches(BatchEncoder.open(blobSource(m.init.file, m.init.name), m.init.options), (reply, transfer) => scope.postMessage(reply, transfer));
    return;
  }
  if (serve) serve(m.id, m.req);
  else scope.postMessage({ id: m.id, error: 'encoder worker not initialised' });
};
