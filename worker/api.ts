/**
 * The one comlink surface the page talks to (squoosh style): every call takes a File/Blob
 * (structured-cloned by reference, never read whole), runs the shared readers and converters
 * off the main thread and answers with plain data. Cancelling is done by the page terminating
 * the worker, so nothing here needs abort plumbing. Output goes to a sink opened *inside* the
 * worker — a File System Access handle the user picked, or an OPFS file — so converted bytes
 * never cross threads or pile up in memory.
 */
import { blobSource, type ByteSource } from './io/byte-source.ts';
import { createWebWorkerPool } from './encoder-pool.ts';
import { POOL_MIN_BYTES, type BatchEncoderOptions } from './convert/pff2mt-batch.ts';
import type { Finding, Severity } from './findings.ts';
import { opfsSink, writableSink, type CountingSink, type FileHandleLike } from './io/opfs-sink.ts';
import type { InspectReport } from './pst/inspect.ts';
import { examineSource, inspectSource, validateSource, convertSources, type ConvertOptions, type ConvertProgress, type Examination, type ValidationReport, type ConvertResult } from './jobs.ts';

export type { ConvertOptions, ConvertProgress, Examination, ValidationReport, ConvertResult, Finding, Severity, InspectReport };
export type { FolderNode, Verdict, SkippedItem, FileKind } from './jobs.ts';

/** Where a conversion writes its stream. */
export type OutputTarget =
  | { kind: 'handle'; handle: FileHandleLike }
  | { kind: 'opfs'; name: string };

export interface ConvertInput {
  file: Blob;
  name: string;
}

/** Progress reports are throttled to this interval (ms) so the page is not flooded. */
const PROGRESS_MS = 150;

function source(file: Blob, name: string): ByteSource {
  return blobSource(file, name);
}

async function openTarget(target: OutputTarget): Promise<CountingSink> {
  return target.kind === 'handle' ? writableSink(target.handle) : opfsSink(target.name);
}

export const api = {
  /** Type, variant, encryption, size, quick verdict; PST/OST folder tree; item counts. */
  examine(file: Blob, name: string): Promise<Examination> {
    return examineSource(source(file, name));
  },

  /** PST/OST: the same report as `mailferry inspect --json` (folder tree, counts, sizes). */
  inspect(file: Blob, name: string): Promise<InspectReport> {
    return inspectSource(source(file, name));
  },

  /** Full validation with every finding (bounded list) and a verdict. */
  validate(file: Blob, name: string, onProgress?: (done: number, total: number) => void): Promise<ValidationReport> {
    let last = 0;
    return validateSource(source(file, name), onProgress ? (done, total) => {
      const now = Date.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      void Promise.resolve(onProgress(done, total)).catch(() => {});
    } : undefined);
  },

  /**
   * Convert `inputs` (all of one family: one PST/OST, or loose EML/mbox/TNEF/ICS/VCF files) into
   * one GXMT stream written to `target`. `onProgress` is a comlink proxy.
   */
  async convert(
    inputs: ConvertInput[],
    options: ConvertOptions,
    target: OutputTarget,
    onProgress?: (p: ConvertProgress) => void,
  ): Promise<ConvertResult> {
    const sink = await openTarget(target);
    let last = 0;
    const report = (p: ConvertProgress) => {
      const now = Date.now();
      if (!onProgress || (now - last < PROGRESS_MS && !p.final)) return;
      last = now;
      // Fire and forget: a slow page must not slow the conversion.
      void Promise.resolve(onProgress(p)).catch(() => {});
    };
    try {
      const one = inputs.length === 1 ? inputs[0]! : undefined;
      // As pff2mt --jobs: one thread unless asked (?jobs=N), and never for files under 16 MiB.
      const jobs = options.jobs ?? 1;
      const makePool = one && jobs > 1 && one.file.size >= POOL_MIN_BYTES && typeof Worker === 'function' ? (o: BatchEncoderOptions) => createWebWorkerPool(one.file, one.name, jobs, o) : undefined;
      const result = await convertSources(
        inputs.map((i) => source(i.file, i.name)),
        options,
        sink,
        report,
        makePool,
      );
      await sink.close();
      return { ...result, bytesWritten: sink.bytesWritten };
    } catch (e) {
      try {
        await sink.close();
      } catch {
        /* the original error matters more */
      }
      throw e;
    }
  },

  /** Build identity for the about line and job history. */
  version(): string {
    return 'mailferry 0.1.0';
  },
};

export type WorkerApi = typeof api;
