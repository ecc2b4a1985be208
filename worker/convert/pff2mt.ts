/**
 * PST/OST → GXMT, the work of gromox-pff2mt (shared/reference/gxmt-format.md §4), on the
 * project's own PST reader (worker/pst) and GXMT writer (worker/gxmt). Runs in the page's worker
 * and in the CLI alike, so no Node APIs here; the clock is an option.
 *
 * Shape: one pass over the folder tree, depth first, parent before child; a folder frame, then
 * the folder's messages one by one (read, fixed up, written, dropped), then its subfolders. Only
 * the current message is held in memory. Frames are keyed by PST NID like pff2mt's, so streams are
 * comparable with gromox's by NID.
 *
 * Deliberate differences from pff2mt 3.10 (each is listed in PFF2MT_DIFFERENCES and named in the
 * differential test): no abort on odd property types (writer findings instead), one proptype-0
 * named-property definition per id, 8-bit strings (also multi-valued) decoded with the object's
 * code page, subject-prefix marker counted in characters, unique sibling folder names without
 * splice, hidden or nameless folders dropped together with their subtree (pff2mt orphans the
 * children), damaged items reported and skipped, default root target IPM_SUBTREE.
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { ByteSink } from '../io/sink.ts';
import type { Finding, FindingSink } from '../findings.ts';
import * as T from '../mapi/types.ts';
import type { MessageContent, Prop, PropertyName } from '../mapi/types.ts';
import { openPst, type Folder, type PstFile } from '../pst/index.ts';
import { frameOf, type BatchResult, type MessagePool } from './pff2mt-batch.ts';
import {
  createGxmtWriter,
  MAILBOX_FID_UNANCHORED,
  MAPI_FOLDER,
  MAPI_STORE,
  PRIVATE_FID,
  type FolderMapEntry,
  type GxmtVersion,
  type GxmtWriter,
} from '../gxmt/index.ts';

export const NID_ROOT_FOLDER = 0x122;
const NID_RECEIVE_FOLDER_TABLE = 0x62b;

export interface Pff2mtOptions {
  /** -s: map the store's special folders onto the mailbox's instead of creating "Import of …". */
  splice?: boolean;
  /** Include folders with PR_ATTR_HIDDEN (default: !splice, as pff2mt's code does). */
  withHidden?: boolean;
  /** Include FAI (folder-associated) messages (default false). */
  withAssoc?: boolean;
  /** --only-obj: convert only these NIDs (folders with their subtree), unanchored. */
  onlyObj?: number[];
  /**
   * Where the non-splice root folder goes: `ipm-subtree` (GCV 9; works with gromox-import 3.3 and
   * later, default) or `unanchored` (the -B folder, Drafts by default; what pff2mt 3.10 writes,
   * needs gromox-import 3.10+, required for public stores).
   */
  rootTarget?: 'ipm-subtree' | 'unanchored';
  version?: GxmtVersion;
  /** Full name of the created root folder; default `Import of <file>` plus ` @<importTime>`. */
  importName?: string;
  /** File name used in the default import name. */
  fileName?: string;
  /** Time put into the default import name (UTC, %FT%T); omitted when not given. */
  importTime?: Date;
  /** Code page for 8-bit strings of objects without their own (default: the file's, else 1252). */
  codepage?: number;
  /** Use `codepage` for every 8-bit string. */
  forceCodepage?: boolean;
  /** Slab-cache budget of the PST reader when pstSourceToMt opens the file (default: SlabCache's). */
  cacheBytes?: number;
  /** Go on after an item that cannot be read (default true). */
  continueOnError?: boolean;
  onFinding?: FindingSink;
  /** Progress: a folder is being processed, or a message was written. */
  onProgress?: (e: Pff2mtProgress) => void;
  /** -t: receives a tree description of each object (model-level, before serialisation). */
  onTree?: (o: TreeObject) => void;
  /** Cancels between items. */
  signal?: AbortSignal;
  /**
   * Workers that read and encode messages in parallel (pff2mt-batch.ts); the stream is the same
   * as without. Not used with onTree, which needs the messages here.
   */
  pool?: MessagePool;
}

export type Pff2mtProgress =
  | { kind: 'folder'; nid: number; name: string; skipped?: 'hidden' }
  | { kind: 'message'; nid: number; written: boolean; bytes: number };

export type TreeObject =
  | { kind: 'folder'; nid: number; parent: bigint; props: Prop[] }
  | { kind: 'message'; nid: number; parent: bigint; content: MessageContent };

export interface Pff2mtResult {
  folders: number;
  messages: number;
  skippedFolders: number;
  skippedMessages: number;
  namedProps: number;
  bytes: number;
  /** Messages seen in emitted folders (written or not). */
  seenMessages: number;
  /** Set when the run stopped early (continueOnError false, or cancelled). */
  stopped?: string;
}

/** Plain-language list of the deliberate differences from gromox-pff2mt 3.10 (README text). */
export const PFF2MT_DIFFERENCES = [
  'unusual properties (PT_NULL, PT_ERROR, unexpected PT_OBJECT, PT_SRESTRICTION/PT_ACTIONS that do not parse, unknown types) are skipped with a finding; pff2mt aborts the whole conversion',
  'one named-property definition (objtype 250, proptype 0) per property id before first use; pff2mt repeats it for every occurrence and keys it with the PST type, so ANSI named strings do not resolve',
  'PT_STRING8 and PT_MV_STRING8 are decoded with the object\'s code page (PR_MESSAGE_CODEPAGE/PR_INTERNET_CPID, else the file\'s or --codepage) and written as PT_UNICODE/PT_MV_UNICODE; pff2mt decodes single values as cp1252 and copies MV_STRING8 bytes raw',
  'the subject-prefix marker (MS-PST 2.5.3.1.1.1) is counted in characters, never cutting a multi-byte character; PR_SUBJECT keeps the full subject and PR_SUBJECT_PREFIX/PR_NORMALIZED_SUBJECT are set',
  'PR_RTF_IN_SYNC dropped when the same object has no PR_RTF_COMPRESSED (as gromox 3.10)',
  'sibling folders with equal names (case-insensitive) get " (2)", " (3)" … without -s, so gromox-import cannot fail with EEXIST',
  'hidden folders skipped (-s default) and folders without PR_DISPLAY_NAME are handled with their subtree: hidden ones are left out whole (pff2mt 3.10 still emits their children, which gromox-import cannot place); nameless ones are kept as "Unnamed folder <NID>" (pff2mt drops them)',
  'damaged folders and messages are reported as findings and skipped; the run goes on',
  'OLE attachment objects (PR_ATTACH_DATA_OBJ of non-embedded attachments) are kept; pff2mt drops them',
  'named properties with NAMEID GUID index 2 get PS_PUBLIC_STRINGS (MS-PST 2.4.7.1); libpff, and so pff2mt, reports a null GUID',
  'recipient rows carry only the cells the row has, without PidTagLtpRowId/RowVer; pff2mt also writes the table\'s other columns as empty values',
  'the root folder goes under IPM_SUBTREE by default (--root-target ipm-subtree; works with gromox-import 3.3+), pff2mt 3.10 uses the -B folder (--root-target unanchored)',
  'the root folder name is "Import of <file>" plus the file\'s modification time (UTC), not the time of the run, so two runs give identical streams',
];

/** Open a PST/OST from a ByteSource and convert it; the source is not closed. */
export async function pstSourceToMt(source: ByteSource, sink: ByteSink, options: Pff2mtOptions = {}): Promise<Pff2mtResult> {
  const pst = await openPst(source, {
    onFinding: options.onFinding,
    codepage: options.codepage,
    forceCodepage: options.forceCodepage,
    cacheBytes: options.cacheBytes,
  });
  return pstToMt(pst, sink, { fileName: source.name, ...options });
}

const hex = (n: number | bigint) => '0x' + n.toString(16);
const nidType = (nid: number) => nid & 0x1f;

function fmtTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}

/** GCV targets of the splice map from the store's entry ids (§4.2). */
const SPLICE_STORE_EIDS: [number, bigint][] = [
  [0x35e0, PRIVATE_FID.IPMSUBTREE],
  [0x35e2, PRIVATE_FID.OUTBOX],
  [0x35e3, PRIVATE_FID.DELETED_ITEMS],
  [0x35e4, PRIVATE_FID.SENT_ITEMS],
  [0x35e7, PRIVATE_FID.FINDER],
];

/** Convert an opened PST/OST. */
export async function pstToMt(pst: PstFile, sink: ByteSink, options: Pff2mtOptions = {}): Promise<Pff2mtResult> {
  const run = new Run(pst, options);
  return run.go(sink);
}

class Run {
  private w!: GxmtWriter;
  private readonly splice: boolean;
  private readonly withHidden: boolean;
  private readonly res: Pff2mtResult = { folders: 0, messages: 0, skippedFolders: 0, skippedMessages: 0, namedProps: 0, bytes: 0, seenMessages: 0 };
  private stop?: string;

  constructor(
    private readonly pst: PstFile,
    private readonly o: Pff2mtOptions,
  ) {
    this.splice = o.splice === true;
    this.withHidden = o.withHidden ?? !this.splice;
  }

  private finding(code: string, severity: Finding['severity'], message: string, nid?: number): void {
    const f: Finding = { code, severity, message };
    if (nid !== undefined) f.nid = nid;
    this.o.onFinding?.(f);
  }

  private importName(): string {
    if (this.o.importName !== undefined) return this.o.importName;
    const base = (this.o.fileName ?? 'PST').split(/[\\/]/).pop();
    return `Import of ${base}` + (this.o.importTime ? ` @${fmtTime(this.o.importTime)}` : '');
  }

  private async folderMap(): Promise<FolderMapEntry[]> {
    if (this.o.onlyObj?.length) return [];
    if (!this.splice) {
      const target = this.o.rootTarget === 'unanchored' ? MAILBOX_FID_UNANCHORED : PRIVATE_FID.IPMSUBTREE;
      return [{ nid: BigInt(NID_ROOT_FOLDER), create: true, target, name: this.importName() }];
    }
    const fm = new Map<number, bigint>([[NID_ROOT_FOLDER, PRIVATE_FID.ROOT]]);
    const store = await this.pst.store();
    for (const [id, gcv] of SPLICE_STORE_EIDS) {
      const v = store.find((p) => T.propId(p.tag) === id && !p.name)?.value;
      if (v instanceof Uint8Array && v.length >= 24) {
        const nid = new DataView(v.buffer, v.byteOffset + 20, 4).getUint32(0, true);
        if (nid && !fm.has(nid)) fm.set(nid, gcv);
      }
    }
    const inbox = await this.receiveFolderInbox();
    if (inbox !== undefined && !fm.has(inbox)) fm.set(inbox, PRIVATE_FID.INBOX);
    return [...fm].map(([nid, target]) => ({ nid: BigInt(nid), create: false, target, name: '' }));
  }

  /**
   * Inbox from the Receive Folder Table ([MS-PST] 2.4.8, NID 0x62B): the row for "IPM.Note",
   * else "IPM", gives PR_PST_RECEIVE_FOLDER_NID (0x6605). Needs the reader's table access.
   */
  private async receiveFolderInbox(): Promise<number | undefined> {
    const tr = (this.pst as unknown as { tableRows?: (nid: number, required: boolean) => AsyncIterable<{ cells: { id: number; type: number; bytes: Uint8Array }[] }> }).tableRows;
    if (typeof tr !== 'function') return undefined;
    let best: { cls: string; nid: number } | undefined;
    try {
      for await (const row of tr.call(this.pst, NID_RECEIVE_FOLDER_TABLE, false)) {
        let cls: string | undefined;
        let nid: number | undefined;
        for (const c of row.cells) {
          if (c.id === 0x001a && c.type === T.PT_UNICODE) cls = new TextDecoder('utf-16le').decode(c.bytes).replace(/\0+$/, '');
          else if (c.id === 0x001a && c.type === T.PT_STRING8) cls = new TextDecoder('latin1').decode(c.bytes).replace(/\0+$/, '');
          else if (c.id === 0x6605 && c.type === T.PT_LONG && c.bytes.length >= 4) nid = new DataView(c.bytes.buffer, c.bytes.byteOffset, 4).getUint32(0, true);
        }
        if (cls === undefined || !nid) continue;
        const k = cls.toLowerCase();
        if (k === 'ipm.note') best = { cls: k, nid };
        else if (k === 'ipm' && best?.cls !== 'ipm.note') best = { cls: k, nid };
      }
    } catch (e) {
      this.finding('PFF-RECEIVE-FOLDERS', 'warning', `Receive folder table unreadable: ${(e as Error).message}`);
    }
    return best?.nid;
  }

  async go(sink: ByteSink): Promise<Pff2mtResult> {
    const fm = await this.folderMap();
    this.w = await createGxmtWriter(
      sink,
      { version: this.o.version ?? 5, splice: this.splice, publicStore: false, folderMap: fm },
      { onFinding: this.o.onFinding, namedIds: 'source', namedIdOf: await this.namedIdOf(), lend: true },
    );
    try {
      if (this.o.onlyObj?.length) {
        for (const nid of this.o.onlyObj) {
          if (this.stopped()) break;
          await this.onlyObject(nid);
        }
      } else {
        let root: Folder | null = null;
        try {
          root = await this.pst.rootFolder();
        } catch (e) {
          this.finding('PFF-ROOT', 'error', `Root folder 0x122 unreadable: ${(e as Error).message}`, NID_ROOT_FOLDER);
        }
        if (root) await this.folder(root, 0n, MAPI_STORE, new Set());
      }
    } finally {
      await this.w.close();
    }
    this.res.folders = this.w.counts.folders;
    this.res.messages = this.w.counts.messages;
    this.res.namedProps = this.w.counts.namedProps;
    this.res.bytes = this.w.bytesWritten;
    if (this.stop) this.res.stopped = this.stop;
    return this.res;
  }

  /** Named-property ids from the file's name-to-ID map (the same rule the pool's workers use). */
  private async namedIdOf(): Promise<((n: PropertyName) => number | undefined) | undefined> {
    try {
      const named = await this.pst.namedProps();
      return (n) => named.id(n);
    } catch {
      return undefined;
    }
  }

  private stopped(): boolean {
    if (this.o.signal?.aborted) this.stop ??= 'cancelled';
    return this.stop !== undefined;
  }

  private fail(what: string, nid: number, e: unknown): void {
    this.finding('PFF-ITEM-UNREADABLE', 'error', `${what} ${hex(nid)} skipped: ${(e as Error).message}`, nid);
    if (this.o.continueOnError === false) this.stop = `${what} ${hex(nid)} could not be read`;
  }

  private async onlyObject(nid: number): Promise<void> {
    const t = nidType(nid);
    if (t === 0x02) {
      let f: Folder;
      try {
        f = await this.pst.folder(nid);
      } catch (e) {
        return this.fail('Folder', nid, e);
      }
      await this.folder(f, MAILBOX_FID_UNANCHORED, MAPI_FOLDER, new Set());
    } else if (t === 0x04 || t === 0x08) {
      await this.message(nid, MAILBOX_FID_UNANCHORED);
    } else {
      this.finding('PFF-ONLY-OBJ', 'warning', `--only-obj ${hex(nid)} is neither a normal folder nor a message`, nid);
    }
  }

  /** Emit a folder, its messages and its subfolders. `names` holds the sibling names so far. */
  private async folder(f: Folder, parent: bigint, parentType: number, siblingNames: Set<string>): Promise<void> {
    if (this.stopped()) return;
    const isRoot = f.nid === NID_ROOT_FOLDER && parentType === MAPI_STORE;
    if (!isRoot && f.isSearchFolder) return; // pff2mt 3.10: only normal folders (NID type 2)
    if (nidType(f.nid) !== 0x02) return;
    if (f.hidden && !this.withHidden && !isRoot) {
      this.o.onProgress?.({ kind: 'folder', nid: f.nid, name: f.name, skipped: 'hidden' });
      this.finding('PFF-FOLDER-HIDDEN', 'info', `Folder "${f.name}" (${hex(f.nid)}) has PR_ATTR_HIDDEN and is left out with its subfolders and messages`, f.nid);
      this.res.skippedFolders++;
      return;
    }
    const props = this.folderProps(f, siblingNames);
    this.o.onProgress?.({ kind: 'folder', nid: f.nid, name: displayName(props) });
    this.o.onTree?.({ kind: 'folder', nid: f.nid, parent, props });
    const ok = await this.w.writeFolder(BigInt(f.nid), parent, props, { parentType });
    if (!ok) {
      this.res.skippedFolders++;
      return;
    }
    const fid = BigInt(f.nid);
    try {
      await this.messages(f.messages(), fid);
      if (this.o.withAssoc) await this.messages(f.messages({ assoc: true }), fid);
    } catch (e) {
      this.fail('Contents table of folder', f.nid, e);
    }
    let subs: Folder[] = [];
    try {
      subs = await f.subfolders();
    } catch (e) {
      this.fail('Hierarchy table of folder', f.nid, e);
    }
    const names = new Set<string>();
    for (const s of subs) {
      if (this.stopped()) return;
      await this.folder(s, fid, MAPI_FOLDER, names);
    }
  }

  /** Folder properties as pff2mt writes them, with the naming fixes. */
  private folderProps(f: Folder, siblingNames: Set<string>): Prop[] {
    const props = fixObjectProps(f.props);
    const at = props.findIndex((p) => !p.name && T.propId(p.tag) === 0x3001 && (T.propType(p.tag) === T.PT_UNICODE || T.propType(p.tag) === T.PT_STRING8));
    let name = at >= 0 ? String(props[at]!.value) : '';
    if (name === '') {
      name = `Unnamed folder ${f.nid}`;
      if (at < 0) this.finding('PFF-FOLDER-NO-NAME', 'info', `Folder ${hex(f.nid)} has no PR_DISPLAY_NAME; named "${name}"`, f.nid);
    }
    if (!this.splice) {
      let unique = name;
      for (let i = 2; siblingNames.has(unique.toLowerCase()); i++) unique = `${name} (${i})`;
      if (unique !== name) this.finding('PFF-FOLDER-RENAMED', 'info', `Folder "${name}" (${hex(f.nid)}) has a sibling of the same name; written as "${unique}"`, f.nid);
      name = unique;
    }
    siblingNames.add(name.toLowerCase());
    const dn = { tag: T.propTag(0x3001, T.PT_UNICODE), value: name };
    if (at >= 0) props[at] = dn;
    else props.unshift(dn);
    return props;
  }

  /**
   * The messages of one contents table, in table order. A message the table says is small
   * (PR_MESSAGE_SIZE <= 1 MiB) is read while the one before it is serialised and written, so
   * reading and writing overlap without holding two large messages at once; the stream is the
   * same as without it.
   */
  private async messages(refs: AsyncIterable<{ nid: number; size?: number }>, parent: bigint): Promise<void> {
    if (this.o.pool && !this.o.onTree) return this.pooledMessages(this.o.pool, refs, parent);
    let pending: { nid: number; read?: Promise<ReadResult> } | undefined;
    for await (const ref of refs) {
      if (this.stopped()) break;
      const next: { nid: number; read?: Promise<ReadResult> } = { nid: ref.nid };
      if (ref.size !== undefined && ref.size <= LOOKAHEAD_MAX) next.read = this.read(ref.nid);
      if (pending) await this.message(pending.nid, parent, pending.read && (await pending.read));
      pending = next;
      if (this.stopped()) break;
    }
    if (pending && !this.stopped()) await this.message(pending.nid, parent, pending.read && (await pending.read));
  }

  /**
   * The messages of one contents table through the worker pool: batches of up to BATCH_COUNT
   * messages and BATCH_BYTES of PR_MESSAGE_SIZE are encoded by the workers, at most
   * 2 × pool.size batches ahead of the one being written; a message larger than LOOKAHEAD_MAX
   * (or of unknown size) is read and written here, in its place, so no large frame is ever
   * copied between threads or held in the window.
   */
  private async pooledMessages(pool: MessagePool, refs: AsyncIterable<{ nid: number; size?: number }>, parent: bigint): Promise<void> {
    const window: Slot[] = [];
    const maxAhead = 2 * pool.size;
    let nids: number[] = [];
    let bytes = 0;
    const send = () => {
      if (nids.length === 0) return;
      const batch = pool.encode({ nids, parent, parentType: MAPI_FOLDER });
      // A worker that is lost rejects its batches before their turn; drain() handles that.
      batch.catch(() => undefined);
      window.push({ batch, nids });
      nids = [];
      bytes = 0;
    };
    for await (const ref of refs) {
      if (this.stopped()) break;
      if (ref.size === undefined || ref.size > LOOKAHEAD_MAX) {
        send();
        window.push({ local: ref.nid });
      } else {
        nids.push(ref.nid);
        bytes += ref.size;
        if (nids.length >= BATCH_COUNT || bytes >= BATCH_BYTES) send();
      }
      while (window.length > maxAhead && !this.stopped()) await this.drain(window.shift()!, parent);
    }
    send();
    while (window.length > 0 && !this.stopped()) await this.drain(window.shift()!, parent);
  }

  private async drain(slot: Slot, parent: bigint): Promise<void> {
    if ('local' in slot) return this.message(slot.local, parent);
    let r: BatchResult;
    try {
      r = await slot.batch;
    } catch (e) {
      // The worker itself failed (not one message): these messages are read here instead.
      this.finding('PFF-WORKER', 'warning', `A worker failed (${(e as Error).message}); its ${slot.nids.length} message(s) are converted by the main thread`);
      for (const nid of slot.nids) {
        if (this.stopped()) return;
        await this.message(nid, parent);
      }
      return;
    }
    for (const it of r.items) {
      if (this.stopped()) return;
      this.res.seenMessages++;
      for (const f of it.findings) this.o.onFinding?.(f);
      if (it.error !== undefined) {
        this.res.skippedMessages++;
        this.fail('Message', it.nid, new Error(it.error));
        continue;
      }
      const before = this.w.bytesWritten;
      const ok = await this.w.writeEncoded(BigInt(it.nid), parent, { chunks: it.at < 0 ? null : [frameOf(r, it)!], names: it.names });
      if (!ok) this.res.skippedMessages++;
      this.o.onProgress?.({ kind: 'message', nid: it.nid, written: ok, bytes: this.w.bytesWritten - before });
    }
  }

  private read(nid: number): Promise<ReadResult> {
    return this.pst.readMessage(nid).then(
      (content) => ({ content }),
      (error: unknown) => ({ error }),
    );
  }

  private async message(nid: number, parent: bigint, got?: ReadResult): Promise<void> {
    this.res.seenMessages++;
    const r = got ?? (await this.read(nid));
    if (!('content' in r)) {
      this.res.skippedMessages++;
      return this.fail('Message', nid, r.error);
    }
    const m = fixMessage(r.content);
    this.o.onTree?.({ kind: 'message', nid, parent, content: m });
    const before = this.w.bytesWritten;
    const ok = await this.w.writeMessage(BigInt(nid), parent, m);
    // Once written (large values may still be going out, lent to the sink) and referenced nowhere
    // else, its large buffers can be reused.
    const released = this.w.released();
    if (released) void released.then(() => this.pst.recycle?.(r.content));
    else this.pst.recycle?.(r.content);
    if (!ok) this.res.skippedMessages++;
    this.o.onProgress?.({ kind: 'message', nid, written: ok, bytes: this.w.bytesWritten - before });
  }
}

type ReadResult = { content: MessageContent } | { error: unknown };
/** A place in pooledMessages' window: a batch a worker encodes, or a message read here. */
type Slot = { batch: Promise<BatchResult>; nids: number[] } | { local: number };
const LOOKAHEAD_MAX = 1 << 20;
/** A pool batch: at most this many messages, and about this much PR_MESSAGE_SIZE. */
const BATCH_COUNT = 48;
const BATCH_BYTES = 2 << 20;

function displayName(props: Prop[]): string {
  const p = props.find((x) => !x.name && x.tag === T.propTag(0x3001, T.PT_UNICODE));
  return typeof p?.value === 'string' ? p.value : '';
}

/** pff2mt's per-object fix-ups (§4.5), done right: RTF_IN_SYNC pruning and the subject marker. */
export function fixObjectProps(props: readonly Prop[]): Prop[] {
  const hasRtf = props.some((p) => !p.name && T.propId(p.tag) === 0x1009);
  let out = hasRtf ? props.slice() : props.filter((p) => p.name || T.propId(p.tag) !== 0x0e1f);
  const si = out.findIndex((p) => !p.name && T.propId(p.tag) === 0x0037 && typeof p.value === 'string');
  if (si >= 0) {
    const s = out[si]!.value as string;
    const split = splitSubjectMarker(s);
    if (split) {
      const type = T.propType(out[si]!.tag) === T.PT_STRING8 ? T.PT_STRING8 : T.PT_UNICODE;
      out = out.slice();
      out[si] = { tag: T.propTag(0x0037, type), value: split.prefix + split.normalized };
      const setIfMissing = (id: number, value: string) => {
        if (!out.some((p) => !p.name && T.propId(p.tag) === id)) out.push({ tag: T.propTag(id, T.PT_UNICODE), value });
      };
      setIfMissing(0x003d, split.prefix);
      setIfMissing(0x0e1d, split.normalized);
    }
  }
  return out;
}

/**
 * [MS-PST] 2.5.3.1.1.1: a subject starting with U+0001 and a length character N carries a prefix
 * of N-1 characters. Counted in UTF-16 code units of the decoded string (characters of the
 * original, whatever its code page); a marker that would split a surrogate pair or run past the
 * end is not a marker.
 */
export function splitSubjectMarker(s: string): { prefix: string; normalized: string } | null {
  if (s.length < 2 || s.charCodeAt(0) !== 1) return null;
  const n = s.charCodeAt(1);
  if (n === 0) return null;
  const plen = n - 1;
  if (2 + plen > s.length) return null;
  const end = 2 + plen;
  const c = s.charCodeAt(end - 1);
  if (plen > 0 && c >= 0xd800 && c <= 0xdbff) return null;
  return { prefix: s.slice(2, end), normalized: s.slice(end) };
}

/** Apply the per-object fix-ups to a message, its recipients' and attachments' lists, recursively. */
export function fixMessage(m: MessageContent): MessageContent {
  return {
    props: fixObjectProps(m.props),
    recipients: m.recipients,
    attachments: m.attachments.map((a) => {
      const props = a.props.filter((p) => p.name || T.propId(p.tag) !== 0x0e1f || a.props.some((q) => !q.name && T.propId(q.tag) === 0x1009));
      return a.embedded ? { props, embedded: fixMessage(a.embedded) } : { props };
    }),
  };
}
