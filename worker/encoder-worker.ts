/**
 * Entry of a nested worker that encodes pff2mt batches for the conversion worker
 * (encoder-pool.ts): it opens the PST from the Blob it is given (the same file, no copy) and
 * answers batch requests in the order they arrive. Plain messages, no comlink: the protocol is
 * two message kinds and the batches carry transferable buffers.
 */
import { blobSource } from './io/byte-source.ts';
import { BatchEncoder, transferables, type BatchEncoderOptions, type BatchRequest } from './convert/pff2mt-batch.ts';

type Init = { init: { file: Blob; name: string; options: BatchEncoderOptions } };
type Job = { id: number; req: BatchRequest };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Init | Job>) => void) | null;
  postMessage(m: unknown, transfer?: Transferable[]): void;
};
let ready: Promise<BatchEncoder> | undefined;
let chain: Promise<unknown> = Promise.resolve();
scope.onmessage = (e) => {
  const m = e.data;
  if ('init' in m) {
    ready = BatchEncoder.open(blobSource(m.init.file, m.init.name), m.init.options);
    ready.catch(() => undefined);
    return;
  }
  chain = chain.then(async () => {
    try {
      if (!ready) throw new Error('encoder worker not initialised');
      const result = await (await ready).encode(m.req);
      scope.postMessage({ id: m.id, result }, transferables(result));
    } catch (err) {
      scope.postMessage({ id: m.id, error: (err as Error).message ?? String(err) });
    }
  });
};
