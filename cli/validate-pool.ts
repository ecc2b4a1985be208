/**
 * `validate --full` on several cores: worker threads for ValidateOptions.parts. The threads are
 * started before the validation begins, so their start-up (module load, wasm compile, opening
 * the file) overlaps the main thread's B-tree walks; each checks one part and is then closed.
 * A thread that fails or exits rejects its part, which the validator then checks itself.
 */
import { Worker } from 'node:worker_threads';
import type { FusedPartInput, FusedPartResult, ValidateOptions } from '../worker/pst/validate.ts';

type Reply = { progress: [number, number] } | { result: FusedPartResult } | { error: string };

/** `count` parts: part 0 is the caller's, parts 1..count-1 go to threads reading `path`. */
export function createValidatePool(path: string, count: number): { parts: NonNullable<ValidateOptions['parts']>; close(): Promise<void> } {
  const url = new URL('./validate-thread.js', import.meta.url);
  const workers = Array.from({ length: Math.max(0, count - 1) }, () => new Worker(url, { workerData: { path } }));
  for (const w of workers) w.on('error', () => undefined);
  return {
    parts: {
      count,
      run(input: FusedPartInput, onProgress: (blocks: number, nodes: number) => void): Promise<FusedPartResult> {
        const w = workers[input.part - 1];
        if (!w) return Promise.reject(new Error(`no thread for part ${input.part}`));
        return new Promise<FusedPartResult>((resolve, reject) => {
          const onExit = (code: number) => reject(new Error(`validate thread exited (${code})`));
          w.on('message', (m: Reply) => {
            if ('progress' in m) onProgress(m.progress[0], m.progress[1]);
            else {
              w.off('exit', onExit);
              if ('result' in m) resolve(m.result);
              else reject(new Error(m.error));
            }
          });
          w.once('error', reject);
          w.once('exit', onExit);
          w.postMessage(input);
        });
      },
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
