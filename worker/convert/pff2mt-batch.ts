/**
 * pff2mt's messages encoded in parallel: a worker (a Node worker thread in the CLI; a Web
 * Worker can host it the same way) opens the PST itself and turns batches of message NIDs into
 * finished GXMT frames; the thread that owns the stream writes them in table order with
 * GxmtWriter.writeEncoded. Reading and encoding, nearly all of a message's cost, spread over the
 * cores while the stream stays byte-identical to a single-threaded run:
 * - named-property ids are a function of the name (the PST's name-to-ID map, `namedIdOf`), and
 *   each frame says which names its worker met first there, so the stream's writer places every
 *   definition before the first frame that uses it, exactly where a single writer would;
 * - findings travel with their message and are reported when it is written;
 * - batches go to workers in a fixed rotation (see MessagePool), so what each worker reads, and
 *   reports, does not depend on timing.
 * Memory: a batch is bounded by message count and by the contents table's PR_MESSAGE_SIZE; the
 * writer keeps a bounded window of batches in flight (pff2mt.ts).
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { Finding } from '../findings.ts';
import type { PropertyName } from '../mapi/types.ts';
import { openPst, type PstFile } from '../pst/index.ts';
import { createGxmtEncoder, MAPI_FOLDER, type GxmtVersion, type GxmtWriter } from '../gxmt/index.ts';
import { fixMessage } from './pff2mt.ts';

/** Files below this size are converted on one thread: workers' start-up costs more than they save. */
export const POOL_MIN_BYTES = 16 << 20;

/** What a worker is asked to encode: messages of one folder, in table order. */
export interface BatchRequest {
  nids: number[];
  parent: bigint;
  parentType?: number;
}

export interface BatchItem {
  nid: number;
  /** The frame (size field first) at `frame` bytes of BatchResult.bytes; -1 when skipped. */
  at: number;
  frame: number;
  /** Set when the message could not be read (the reason). */
  error?: string;
  /** Named properties the worker met first in this message, in order of first use. */
  names: { id: number; name: PropertyName }[];
  /** Reader and encoder findings of this message, in order. */
  findings: Finding[];
}

export interface BatchResult {
  items: BatchItem[];
  /** Every frame of the batch, back to back: one buffer crosses the threads per batch. */
  bytes: Uint8Array;
}

/** The frame of `item` in `r`, or null when the message was skipped. */
export function frameOf(r: BatchResult, item: BatchItem): Uint8Array | null {
  return item.at < 0 ? null : r.bytes.subarray(item.at, item.at + item.frame);
}

/** Options a worker needs to read and encode exactly as the stream's own thread would. */
export interface BatchEncoderOptions {
  version: GxmtVersion;
  codepage?: number;
  forceCodepage?: boolean;
  /** Slab-cache budget of the worker's reader. */
  cacheBytes?: number;
}

/** A set of workers encoding batches (created by the host: worker threads, Web Workers). */
export interface MessagePool {
  /** Number of workers. */
  readonly size: number;
  /**
   * Encode a batch; batches are handed to workers in a fixed rotation (the n-th call goes to
   * worker n mod size) and each worker takes its batches in order.
   */
  encode(req: BatchRequest): Promise<BatchResult>;
  close(): Promise<void>;
}

/** A worker that encodes batches: the host posts requests and wires its replies to `reply`. */
export interface RemoteEncoder {
  post(id: number, req: BatchRequest): void;
  close(): void | Promise<void>;
}

/** What a worker sends back for request `id`. */
export interface BatchReply {
  id: number;
  result?: BatchResult;
  error?: string;
}

/**
 * The MessagePool over any mix of workers and encoders on this thread, in a fixed rotation
 * (`order`: member indexes, default each member once): the n-th batch goes to member
 * order[n mod order.length], and each member takes its batches in order. Hosts (Node threads,
 * Web Workers) only create the members and route their replies here.
 */
export class RotationPool implements MessagePool {
  private readonly pending: Map<number, { resolve(r: BatchResult): void; reject(e: Error): void }>[];
  private readonly dead: (Error | undefined)[];
  private readonly chains: Promise<unknown>[];
  private seq = 0;
  private turn = 0;

  constructor(
    private readonly members: (RemoteEncoder | BatchEncoder)[],
    private readonly order: number[] = members.map((_, i) => i),
  ) {
    this.pending = members.map(() => new Map());
    this.dead = members.map(() => undefined);
    this.chains = members.map(() => Promise.resolve());
  }

  get size(): number {
    return this.members.length;
  }

  encode(req: BatchRequest): Promise<BatchResult> {
    const i = this.order[this.turn++ % this.order.length]!;
    const m = this.members[i]!;
    if (m instanceof BatchEncoder) {
      const p = this.chains[i]!.then(() => m.encode(req));
      this.chains[i] = p.catch(() => undefined);
      return p;
    }
    const dead = this.dead[i];
    if (dead) return Promise.reject(dead);
    const id = ++this.seq;
    return new Promise<BatchResult>((resolve, reject) => {
      this.pending[i]!.set(id, { resolve, reject });
      m.post(id, req);
    });
  }

  /** A reply from member `i`. */
  reply(i: number, r: BatchReply): void {
    const p = this.pending[i]?.get(r.id);
    if (!p) return;
    this.pending[i]!.delete(r.id);
    if (r.result) p.resolve(r.result);
    else p.reject(new Error(r.error ?? 'encoder worker error'));
  }

  /** Member `i` is gone: its batches fail, and the stream's thread converts them itself. */
  lost(i: number, e: Error): void {
    this.dead[i] ??= e;
    for (const p of this.pending[i]!.values()) p.reject(e);
    this.pending[i]!.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => (m instanceof BatchEncoder ? undefined : m.close())));
  }
}

/**
 * Serve batch requests on a worker: `post` sends replies (with the frame buffer transferred).
 * Requests are answered one after another, in the order they arrive.
 */
export function serveBatches(ready: Promise<BatchEncoder>, post: (r: BatchReply, transfer: ArrayBuffer[]) => void): (id: number, req: BatchRequest) => void {
  let chain: Promise<unknown> = Promise.resolve();
  ready.catch(() => undefined);
  return (id, req) => {
    chain = chain.then(async () => {
      try {
        const result = await (await ready).encode(req);
        post({ id, result }, transferables(result));
      } catch (e) {
        post({ id, error: (e as Error).message ?? String(e) }, []);
      }
    });
  };
}

/** The worker side: open the PST from `source` and encode batches on request. */
export class BatchEncoder {
  private current: Finding[] | null = null;

  private constructor(
    private readonly pst: PstFile,
    private readonly w: GxmtWriter,
  ) {}

  static async open(source: ByteSource, o: BatchEncoderOptions): Promise<BatchEncoder> {
    let self: BatchEncoder | undefined;
    const onFinding = (f: Finding) => {
      // Findings of opening the file are the stream thread's to report (it opened it too).
      self?.current?.push(f);
    };
    const pst = await openPst(source, { onFinding, codepage: o.codepage, forceCodepage: o.forceCodepage, cacheBytes: o.cacheBytes ?? 12 << 20 });
    const named = await pst.namedProps();
    const w = createGxmtEncoder(o.version, { onFinding, namedIds: 'source', namedIdOf: (n) => named.id(n) });
    self = new BatchEncoder(pst, w);
    return self;
  }

  async encode(req: BatchRequest): Promise<BatchResult> {
    const items: BatchItem[] = [];
    let out = new Uint8Array(256 * 1024);
    let used = 0;
    for (const nid of req.nids) {
      const findings: Finding[] = [];
      this.current = findings;
      const item: BatchItem = { nid, at: -1, frame: 0, names: [], findings };
      try {
        const m = fixMessage(await this.pst.readMessage(nid));
        const e = this.w.encodeMessage(BigInt(nid), req.parent, m, undefined, req.parentType ?? MAPI_FOLDER);
        item.names = e.names;
        if (e.chunks) {
          let n = 0;
          for (const c of e.chunks) n += c.length;
          if (used + n > out.length) {
            const bigger = new Uint8Array(Math.max(out.length * 2, used + n));
            bigger.set(out.subarray(0, used));
            out = bigger;
          }
          item.at = used;
          item.frame = n;
          for (const c of e.chunks) {
            out.set(c, used);
            used += c.length;
          }
        }
      } catch (e) {
        item.error = (e as Error).message ?? String(e);
      } finally {
        this.current = null;
      }
      items.push(item);
    }
    return { items, bytes: out.subarray(0, used) };
  }
}

/** The buffer of a result, for a transfer list. */
export function transferables(r: BatchResult): ArrayBuffer[] {
  return [r.bytes.buffer as ArrayBuffer];
}
