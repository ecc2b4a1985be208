/**
 * A small pool of module workers, each exposing the one comlink surface of worker/api.ts
 * (squoosh style). Cancelling a task terminates the worker running it — the only way to stop a
 * wasm loop or a long read mid-flight — and the slot gets a fresh worker on its next task.
 */
import * as Comlink from 'comlink';
import type { WorkerApi } from '../worker/api.ts';

export type Api = Comlink.Remote<WorkerApi>;

interface Slot {
  worker: Worker | undefined;
  api: Api | undefined;
  busy: boolean;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

function spawn(): { worker: Worker; api: Api } {
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'mailferry' });
  return { worker, api: Comlink.wrap<WorkerApi>(worker) };
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size = Math.max(1, Math.min(3, (navigator.hardwareConcurrency || 2) - 1))) {
    this.slots = Array.from({ length: size }, () => ({ worker: undefined, api: undefined, busy: false }));
  }

  private async acquire(signal?: AbortSignal): Promise<Slot> {
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      const free = this.slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        if (!free.worker) Object.assign(free, spawn());
        return free;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(slot: Slot): void {
    slot.busy = false;
    this.waiting.shift()?.();
  }

  private kill(slot: Slot): void {
    slot.api?.[Comlink.releaseProxy]();
    slot.worker?.terminate();
    slot.worker = undefined;
    slot.api = undefined;
  }

  /** Run `task` on a free worker; aborting `signal` terminates that worker and rejects. */
  async run<T>(task: (api: Api) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const slot = await this.acquire(signal);
    let onAbort: (() => void) | undefined;
    let onError: ((e: ErrorEvent) => void) | undefined;
    const worker = slot.worker!;
    try {
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          this.kill(slot);
          reject(new CancelledError());
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
      // A worker that dies (out of memory, uncaught error at load) must not hang the task.
      const died = new Promise<never>((_, reject) => {
        onError = (e) => {
          // A worker that failed to load or threw at top level is not reused.
          this.kill(slot);
          reject(new Error(`the worker stopped: ${e.message || 'failed to load'}`));
        };
        worker.addEventListener('error', onError);
      });
      aborted.catch(() => {});
      died.catch(() => {});
      return await Promise.race([task(slot.api!), aborted, died]);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      if (onError) worker.removeEventListener('error', onError);
      this.release(slot);
    }
  }

  /** Stop every worker (kiosk wipe, page unload). */
  terminateAll(): void {
    for (const s of this.slots) this.kill(s);
  }
}
