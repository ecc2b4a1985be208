/**
 * Body of a `validate --full` worker thread (cli/validate-pool.ts): opens the file named in
 * workerData and compiles the codecs while the main thread walks the B-trees, then checks the
 * one part of the fused pass it is sent (worker/pst/validate.ts validatePart).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openFileSource } from './io.ts';
import { loadCodecs } from '../worker/codec/index.ts';
import { validatePart, type FusedPartInput } from '../worker/pst/validate.ts';

const { path } = workerData as { path: string };
const port = parentPort!;
const ready = Promise.all([openFileSource(path), loadCodecs()]);
ready.catch(() => undefined);
port.on('message', (input: FusedPartInput) => {
  void (async () => {
    try {
      const [src, codecs] = await ready;
      const result = await validatePart(src, input, { codecs, onProgress: (b, n) => port.postMessage({ progress: [b, n] }) });
      port.postMessage({ result });
    } catch (e) {
      port.postMessage({ error: (e as Error).message ?? String(e) });
    }
  })();
});
