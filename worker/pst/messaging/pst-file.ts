/**
 * Messaging layer ([MS-PST] 2.4): the store PC (NID 0x21), the name-to-ID map (0x61), folders
 * (PC + hierarchy/contents/FAI tables sharing the folder's nidIndex), messages with their
 * recipient (0x692) and attachment (0x671) tables, attachment PCs and embedded messages
 * (PtypObject → subnode) to any depth. Everything is read on demand: opening reads the header
 * and nothing else; a folder costs one NBT path and its PC; a message its own node.
 */
import type { ByteSource } from '../../io/byte-source.ts';
import { SlabCache } from '../../io/slab-cache.ts';
import type { Codecs } from '../../codec/api.ts';
import { loadCodecs } from '../../codec/index.ts';
import * as T from '../../mapi/types.ts';
import type { AttachmentContent, MessageContent, Prop } from '../../mapi/types.ts';
import { Reporter, hex } from '../codes.ts';
import {
  PstOpenError, type Folder, type MessageRef, type NamedPropMap, type OpenOptions, type PstAttachment, type PstFile, type PstMessage, type StoreInfo,
} from '../index.ts';
import { LtpNode } from '../ltp/node.ts';
import { readPc, readPcListAny, type RawList, type RawProp } from '../ltp/pc.ts';
import { Table } from '../ltp/tc.ts';
import { Blocks } from '../ndb/blocks.ts';
import { BTrees, type NbtEntry } from '../ndb/btree.ts';
import { type Header, parseHeader } from '../ndb/header.ts';
import { CODEPAGE_IDS, NamedMap, buildNamedMap, convertList, convertProps, objectCodepage, objectCodepageList, type CodepagePolicy, type ConvertContext } from './props.ts';

export const NID_MESSAGE_STORE = 0x21;
export const NID_NAME_TO_ID_MAP = 0x61;
export const NID_ROOT_FOLDER = 0x122;
export const NID_RECIPIENT_TABLE = 0x692;
export const NID_ATTACHMENT_TABLE = 0x671;
export const NID_TYPE_NORMAL_FOLDER = 0x02;
export const NID_TYPE_SEARCH_FOLDER = 0x03;
export const NID_TYPE_NORMAL_MESSAGE = 0x04;
export const NID_TYPE_ASSOC_MESSAGE = 0x08;
export const NID_TYPE_HIERARCHY_TABLE = 0x0d;
export const NID_TYPE_CONTENTS_TABLE = 0x0e;
export const NID_TYPE_ASSOC_CONTENTS_TABLE = 0x0f;
export const nidType = (nid: number): number => nid & 0x1f;
export const sibling = (nid: number, type: number): number => ((nid & ~0x1f) | type) >>> 0;

/** LTP bookkeeping columns of every TC (PidTagLtpRowId / PidTagLtpRowVer). */
const isLtpColumn = (id: number) => id === 0x67f2 || id === 0x67f3;

/** Embedded messages deeper than this are not read (PST-EMBED-DEPTH); the validators use it too. */
export const MAX_EMBED_DEPTH = 32;
/**
 * Whether PR_ATTACH_DATA_OBJ holds an embedded message: PidTagAttachMethod afEmbeddedMessage (5),
 * or no method at all ([MS-PST] 2.4.6.2).
 */
export const isEmbeddedMethod = (method: unknown): boolean => method === 5 || method === undefined;
const TAG_ATTACH_DATA_OBJ = T.propTag(0x3701, T.PT_OBJECT);

export interface OpenPstOptions extends OpenOptions {
  /** Codec kernels; the memoised loadCodecs() instance when omitted. */
  codecs?: Codecs;
}

export async function openPst(source: ByteSource, options: OpenPstOptions = {}): Promise<PstFile> {
  const cache = source instanceof SlabCache ? source : new SlabCache(source, { budgetBytes: options.cacheBytes, slabBytes: options.slabBytes, recycle: true });
  const rep = new Reporter(options.onFinding);
  const codecs = options.codecs ?? (await loadCodecs());
  const head = (await cache.read(0, 564)).slice();
  const { header, crcPartialOk, crcFullOk } = parseHeader(head, cache.size, codecs?.crc32.bind(codecs));
  checkHeader(header, cache.size, rep, crcPartialOk, crcFullOk);
  return new PstFileImpl(cache, header, rep, codecs, options);
}

/** Header-level findings shared by openPst and the validator. Throws when no tree root is in the file. */
export function checkHeader(header: Header, size: number, rep: Reporter, crcPartialOk?: boolean, crcFullOk?: boolean): void {
  if (crcPartialOk === false) rep.report('PST-HEADER-CRC', { offset: 4, field: 'HEADER.dwCRCPartial' });
  if (crcFullOk === false) rep.report('PST-HEADER-CRC', { offset: 524, field: 'HEADER.dwCRCFull' });
  if (![14, 15, 21, 23, 36, 37].includes(header.wVer)) rep.report('PST-HEADER-VERSION', { offset: 10, field: 'HEADER.wVer', message: `wVer ${header.wVer}.` });
  if (header.bSentinel !== 0x80) rep.report('PST-HEADER-SENTINEL', { offset: header.layout.ansi ? 460 : 512, field: 'HEADER.bSentinel' });
  if (header.fAMapValid === 0) rep.report('PST-AMAP-INVALID', { field: 'ROOT.fAMapValid' });
  const page = header.layout.pageSize;
  const rootsOutside = header.nbtRoot.ib + page > size && header.bbtRoot.ib + page > size;
  if (size < header.ibFileEof) {
    if (rootsOutside) {
      throw new PstOpenError('PST-TRUNCATED-HEADER', `The file is cut off after ${size} bytes; the header says it should be ${header.ibFileEof} bytes, and the folder index lies in the missing part. Copy the file again completely.`, 'truncated');
    }
    rep.report('PST-FILE-TRUNCATED', { field: 'ROOT.ibFileEof', message: `The header says ${header.ibFileEof} bytes, the file has ${size}.` });
  } else if (size > header.ibFileEof) {
    rep.report('PST-FILE-TRAILING', { field: 'ROOT.ibFileEof', message: `The header says ${header.ibFileEof} bytes, the file has ${size}.` });
  }
  if (rootsOutside) {
    throw new PstOpenError('PST-HEADER-UNUSABLE', 'The header points to B-tree roots outside the file (ROOT.BREFNBT / ROOT.BREFBBT); the file is too damaged to read.', 'pst');
  }
}

export class PstFileImpl implements PstFile {
  readonly bt: BTrees;
  readonly blocks: Blocks;
  readonly codepage: number;
  readonly policy: CodepagePolicy;
  private named: Promise<NamedMap> | undefined;
  /** namedMap()'s and defaultCodepage()'s values once settled (no await per message). */
  private namedValue: NamedMap | undefined;
  private storeCpValue: number | undefined;
  private readonly explicitCp: boolean;
  private storeCp: Promise<number> | undefined;
  private storeProps: Promise<Prop[]> | undefined;

  constructor(
    readonly cache: SlabCache,
    readonly header: Header,
    readonly rep: Reporter,
    readonly codecs: Codecs | undefined,
    options: OpenOptions,
  ) {
    const check = { crc32: codecs ? (d: Uint8Array) => codecs.crc32(d) : undefined, verifyCrc: options.verifyCrc !== false };
    this.bt = new BTrees(cache, header.layout, rep, check, header.nbtRoot, header.bbtRoot);
    this.blocks = new Blocks(cache, header.layout, this.bt, rep, codecs, header.encryption, options.verifyCrc !== false);
    this.codepage = options.codepage ?? 1252;
    this.explicitCp = options.codepage !== undefined;
    this.policy = { codepage: this.codepage, force: options.forceCodepage === true };
  }

  get variant() { return this.header.variant; }
  get wVer() { return this.header.wVer; }
  get encryption() { return this.header.encryption; }
  get size() { return this.cache.size; }

  stats() {
    const s = this.cache.stats();
    return { bytesRead: s.bytesRead, reads: s.reads, cachedBytes: s.cachedBytes, peakCachedBytes: s.peakCachedBytes };
  }

  /** Open a top-level node (NBT) as an LtpNode; null with a finding when it cannot be read. */
  async node(nid: number, what: string): Promise<LtpNode | null> {
    return this.nodeAny(nid, what);
  }

  /** node() without a promise when the NBT path and the node's block are cached. */
  nodeAny(nid: number, what: string): LtpNode | null | Promise<LtpNode | null> {
    const e = this.bt.nbt(nid);
    return e instanceof Promise ? this.entryLater(e, nid, what) : this.openEntry(nid, what, e);
  }

  private entryLater(e: Promise<NbtEntry | null>, nid: number, what: string): Promise<LtpNode | null> {
    return e.then((v) => this.openEntry(nid, what, v));
  }

  private openEntry(nid: number, what: string, e: NbtEntry | null): LtpNode | null | Promise<LtpNode | null> {
    if (!e) {
      this.rep.report('PST-NBT-MISSING', { nid, field: 'NBTENTRY.nid', message: `${what} ${hex(nid)}.` });
      return null;
    }
    return LtpNode.openAny(this.blocks, this.rep, nid, e.bidData, e.bidSub);
  }

  namedProps(): Promise<NamedPropMap> {
    return this.namedMap();
  }

  namedMap(): Promise<NamedMap> {
    this.named ??= (async () => {
      const n = await this.node(NID_NAME_TO_ID_MAP, 'Name-to-ID map');
      const raw = n ? await readPc(n, this.rep) : null;
      if (!raw) {
        this.rep.report('PST-NAMEID-MISSING', { nid: NID_NAME_TO_ID_MAP });
        return NamedMap.empty;
      }
      return buildNamedMap(raw, this.rep);
    })().then((m) => (this.namedValue = m));
    return this.named;
  }

  /**
   * Code page for objects without their own: the caller's explicit choice, else the store PC's
   * PR_MESSAGE_CODEPAGE / PR_INTERNET_CPID, else 1252.
   */
  defaultCodepage(): Promise<number> {
    this.storeCp ??= (async () => {
      if (this.explicitCp) return this.codepage;
      const n = await this.node(NID_MESSAGE_STORE, 'Message store');
      const raw = n ? await readPc(n, this.rep) : null;
      return raw ? objectCodepage(raw, this.policy) : this.codepage;
    })().then((cp) => (this.storeCpValue = cp));
    return this.storeCp;
  }

  store(): Promise<Prop[]> {
    this.storeProps ??= (async () => {
      const n = await this.node(NID_MESSAGE_STORE, 'Message store');
      const raw = n ? await readPc(n, this.rep) : null;
      if (!raw) return [];
      const named = await this.namedMap();
      const cp = objectCodepage(raw, this.policy);
      return convertProps(raw, { rep: this.rep, nid: NID_MESSAGE_STORE, codepage: cp, named });
    })();
    return this.storeProps;
  }

  async storeInfo(): Promise<StoreInfo> {
    const props = await this.store();
    const get = (id: number) => props.find((p) => p.tag >>> 16 === id && !p.name);
    const info: StoreInfo = { passwordSet: false };
    const name = get(0x3001)?.value;
    if (typeof name === 'string') info.displayName = name;
    const pw = get(0x67ff)?.value;
    if (typeof pw === 'number' && pw !== 0) {
      info.passwordSet = true;
      info.passwordCrc = pw;
      this.rep.report('PST-PASSWORD', { nid: NID_MESSAGE_STORE, field: 'PidTagPstPassword' });
    }
    const eid = (id: number) => {
      const v = get(id)?.value;
      return v instanceof Uint8Array && v.length >= 24 ? new DataView(v.buffer, v.byteOffset + 20, 4).getUint32(0, true) : undefined;
    };
    const ipm = eid(0x35e0);
    if (ipm !== undefined) info.ipmSubtreeNid = ipm;
    const finder = eid(0x35e7);
    if (finder !== undefined) info.finderNid = finder;
    const rk = get(0x0ff9)?.value;
    if (rk instanceof Uint8Array) info.recordKey = rk;
    return info;
  }

  rootFolder(): Promise<Folder> {
    return this.folder(NID_ROOT_FOLDER);
  }

  async folder(nid: number): Promise<Folder> {
    const e = await this.bt.nbt(nid);
    if (!e) throw new Error(`Folder ${hex(nid)} is not in the node B-tree.`);
    const node = await LtpNode.open(this.blocks, this.rep, nid, e.bidData, e.bidSub);
    const raw = node ? await readPc(node, this.rep) : null;
    if (!raw) {
      this.rep.report('PST-FOLDER', { nid, message: `Folder ${hex(nid)}: its property context is unreadable.` });
    }
    const named = await this.namedMap();
    const cp = objectCodepage(raw ?? [], this.policy, await this.defaultCodepage());
    const props = raw ? convertProps(raw, { rep: this.rep, nid, codepage: cp, named }) : [];
    return new FolderImpl(this, nid, e.nidParent, props, cp);
  }

  /** Rows of the table node `nid` (hierarchy/contents TC), or nothing when absent. */
  async *tableRows(nid: number, required: boolean, status?: { failed: boolean }): AsyncGenerator<{ rowId: number; cells: RawProp[] }> {
    const t = await this.table(nid, required, status);
    if (!t) return;
    let n = 0;
    for await (const row of t.rows()) {
      n++;
      yield row;
    }
    // Rows lost to a damaged row matrix: let the caller fall back.
    if (status && n < t.rowCount) status.failed = true;
  }

  /** The table node `nid` opened for tableRows (same findings); null marks `status` failed. */
  async table(nid: number, required: boolean, status?: { failed: boolean }): Promise<Table | null> {
    const e = await this.bt.nbt(nid);
    if (!e) {
      if (required) this.rep.report('PST-NBT-MISSING', { nid, field: 'NBTENTRY.nid', message: `Table ${hex(nid)}.` });
      if (status && required) status.failed = true;
      return null;
    }
    // Folder tables can be large (a contents table keeps every row's strings in its heap): paged.
    const node = await LtpNode.openPaged(this.blocks, this.rep, nid, e.bidData, e.bidSub);
    const t = node ? await Table.openAny(node, this.rep, this.header.layout.ansi) : null;
    if (!t && status) status.failed = true;
    return t;
  }

  /**
   * Messages whose NBTENTRY.nidParent is `folder` (one walk of the NBT): the fallback when a
   * folder's contents table is damaged, so the messages themselves are not lost with it.
   */
  async *childrenFromNbt(folder: number, types: number[]): AsyncGenerator<number> {
    for await (const page of this.bt.walk('nbt')) {
      for (const e of page.nbt ?? []) if (e.nidParent === folder && types.includes(nidType(e.nid))) yield e.nid;
    }
  }

  recycle(m: MessageContent): void {
    for (const a of m.attachments) {
      for (const p of a.props) if (p.value instanceof Uint8Array && p.value.length >= 1 << 20) this.blocks.recycle(p.value);
      if (a.embedded) this.recycle(a.embedded);
    }
  }

  async readMessage(nid: number): Promise<PstMessage> {
    const n = this.nodeAny(nid, 'Message');
    const node = n instanceof Promise ? await n : n;
    if (!node) throw new Error(`Message ${hex(nid)} cannot be read (see findings).`);
    const msg = await this.readMessageNode(node, 0, this.storeCpValue ?? (await this.defaultCodepage()));
    if (!msg) throw new Error(`Message ${hex(nid)} cannot be read (see findings).`);
    return { nid, props: msg.props, recipients: msg.recipients, attachments: msg.attachments };
  }

  /** A message PC with its recipient and attachment tables ([MS-PST] 2.4.5, 2.4.6). */
  async readMessageNode(node: LtpNode, depth: number, inheritedCp: number | undefined): Promise<MessageContent | null> {
    const nid = node.nid;
    const r = readPcListAny(node, this.rep);
    const raw = r instanceof Promise ? await r : r;
    if (!raw) {
      this.rep.report('PST-MESSAGE', { nid, message: `Message ${hex(nid)}: its property context is unreadable.` });
      return null;
    }
    const named = this.namedValue ?? (await this.namedMap());
    const cp = objectCodepageList(raw, this.policy, inheritedCp);
    const ctx = { rep: this.rep, nid, codepage: cp, named };
    const props = convertList(raw, ctx);
    const recipients: Prop[][] = [];
    const sm = node.subnodesAny();
    const subs = sm instanceof Promise ? await sm : sm;
    if (subs.has(NID_RECIPIENT_TABLE)) {
      const o = node.openSubnodeAny(NID_RECIPIENT_TABLE);
      const rt = o instanceof Promise ? await o : o;
      const table = rt ? Table.open(rt, this.rep, this.header.layout.ansi) : null;
      if (!table) this.rep.report('PST-RECIPIENTS', { nid, message: `Message ${hex(nid)}.` });
      else {
        // A literal, not a spread of ctx: object spread takes V8's slow clone path here.
        const rowCtx: ConvertContext = { rep: this.rep, nid, codepage: cp, named, skip: isLtpColumn };
        const w = table.eachRowList((_, cells) => {
          recipients.push(convertList(cells, rowCtx));
        });
        if (w) await w;
      }
    }
    const attachments: AttachmentContent[] = [];
    if (subs.has(NID_ATTACHMENT_TABLE)) {
      const o = node.openSubnodeAny(NID_ATTACHMENT_TABLE);
      const at = o instanceof Promise ? await o : o;
      const table = at ? Table.open(at, this.rep, this.header.layout.ansi) : null;
      if (!table) this.rep.report('PST-ATTACHMENT', { nid, message: `Message ${hex(nid)}: the attachment table is unreadable.` });
      else {
        const add = (a: AttachmentContent | null) => {
          if (a) attachments.push(a);
        };
        // Only the row ids are used; the list walk makes the same cell checks with less garbage.
        const w = table.eachRowList((rowId) => {
          const a = this.readAttachmentAny(node, rowId, depth, cp);
          if (a instanceof Promise) return a.then(add);
          add(a);
        });
        if (w) await w;
      }
    }
    return { props, recipients, attachments };
  }

  /**
   * An attachment PC ([MS-PST] 2.4.6.2), without a promise when its blocks are cached and it holds
   * no embedded message or OLE object.
   */
  private readAttachmentAny(msg: LtpNode, attNid: number, depth: number, cp: number): AttachmentContent | null | Promise<AttachmentContent | null> {
    const o = msg.openSubnodeAny(attNid);
    if (o instanceof Promise) return this.pcLater(msg, attNid, o, depth, cp);
    return this.attachmentPc(msg, attNid, o, depth, cp);
  }

  // Continuations in their own methods (no closure context per call of the hot ones).
  private pcLater(msg: LtpNode, attNid: number, o: Promise<LtpNode | null>, depth: number, cp: number): Promise<AttachmentContent | null> {
    return o.then((node) => this.attachmentPc(msg, attNid, node, depth, cp));
  }

  private propsLater(msg: LtpNode, attNid: number, node: LtpNode | null, r: Promise<RawList | null>, depth: number, cp: number): Promise<AttachmentContent | null> {
    return r.then((raw) => this.attachmentProps(msg, attNid, node, raw, depth, cp));
  }

  private namedLater(msg: LtpNode, attNid: number, node: LtpNode, raw: RawList, depth: number, cp: number): Promise<AttachmentContent> {
    return this.namedMap().then((m) => this.attachmentObject(msg, attNid, node, convertList(raw, { rep: this.rep, nid: msg.nid, codepage: cp, named: m }), depth, cp));
  }

  private attachmentPc(msg: LtpNode, attNid: number, node: LtpNode | null, depth: number, cp: number): AttachmentContent | null | Promise<AttachmentContent | null> {
    const r = node ? readPcListAny(node, this.rep) : null;
    if (r instanceof Promise) return this.propsLater(msg, attNid, node, r, depth, cp);
    return this.attachmentProps(msg, attNid, node, r, depth, cp);
  }

  private attachmentProps(msg: LtpNode, attNid: number, node: LtpNode | null, raw: RawList | null, depth: number, cp: number): AttachmentContent | null | Promise<AttachmentContent | null> {
    if (!node || !raw) {
      this.rep.report('PST-ATTACHMENT', { nid: msg.nid, message: `Attachment ${hex(attNid)} of message ${hex(msg.nid)} is unreadable.` });
      return null;
    }
    const named = this.namedValue;
    if (!named) return this.namedLater(msg, attNid, node, raw, depth, cp);
    return this.attachmentObject(msg, attNid, node, convertList(raw, { rep: this.rep, nid: msg.nid, codepage: cp, named }), depth, cp);
  }

  private attachmentObject(msg: LtpNode, attNid: number, node: LtpNode, props: Prop[], depth: number, cp: number): AttachmentContent | Promise<AttachmentContent> {
    const att: PstAttachment = { props, nid: attNid };
    let objAt = -1;
    for (let i = 0; i < props.length; i++) {
      if (props[i]!.tag === TAG_ATTACH_DATA_OBJ) {
        objAt = i;
        break;
      }
    }
    return objAt < 0 ? att : this.attachmentData(msg, attNid, node, att, objAt, depth, cp);
  }

  /** PR_ATTACH_DATA_OBJ: an embedded message (read recursively) or an OLE object's bytes. */
  private async attachmentData(msg: LtpNode, attNid: number, node: LtpNode, att: PstAttachment, objAt: number, depth: number, cp: number): Promise<AttachmentContent> {
    const props = att.props;
    const obj = props[objAt]!.value as Uint8Array;
    const method = props.find((p) => p.tag === T.propTag(0x3705, T.PT_LONG))?.value;
    const subNid = obj.length >= 4 ? new DataView(obj.buffer, obj.byteOffset, obj.byteLength).getUint32(0, true) : 0;
    if (isEmbeddedMethod(method)) {
      if (depth + 1 > MAX_EMBED_DEPTH) {
        this.rep.report('PST-EMBED-DEPTH', { nid: msg.nid });
      } else {
        const so = subNid ? node.openSubnodeAny(subNid) : null;
        const sub = so instanceof Promise ? await so : so;
        const embedded = sub ? await this.readMessageNode(sub, depth + 1, cp) : null;
        if (embedded) {
          att.embedded = embedded;
          props.splice(objAt, 1);
        } else {
          this.rep.report('PST-ATTACHMENT', { nid: msg.nid, field: 'PidTagAttachDataObject', message: `Embedded message ${hex(subNid)} of attachment ${hex(attNid)} is unreadable.` });
        }
      }
    } else {
      // OLE storage (ATTACH_OLE) and others: the object's bytes are the subnode's data stream.
      const data = subNid ? await node.hnid(subNid, 'PidTagAttachDataObject') : null;
      if (data) props[objAt] = { tag: props[objAt]!.tag, value: data.slice() };
    }
    return att;
  }
}

class FolderImpl implements Folder {
  readonly name: string;
  readonly isSearchFolder: boolean;
  readonly hidden: boolean;
  readonly containerClass?: string;
  readonly contentCount: number;
  readonly assocCount: number;

  constructor(
    private readonly file: PstFileImpl,
    readonly nid: number,
    readonly parentNid: number,
    readonly props: Prop[],
    private readonly cp: number,
  ) {
    const get = (id: number) => props.find((p) => p.tag >>> 16 === id && !p.name)?.value;
    const n = get(0x3001);
    this.name = typeof n === 'string' ? n : '';
    this.isSearchFolder = nidType(nid) === NID_TYPE_SEARCH_FOLDER;
    this.hidden = get(0x10f4) === true;
    const cc = get(0x3613);
    if (typeof cc === 'string') this.containerClass = cc;
    const c = get(0x3602);
    this.contentCount = typeof c === 'number' ? c : 0;
    const a = get(0x3617);
    this.assocCount = typeof a === 'number' ? a : 0;
  }

  async subfolders(): Promise<Folder[]> {
    if (this.isSearchFolder) return [];
    const out: Folder[] = [];
    const seen = new Set<number>();
    const status = { failed: false };
    for await (const row of this.file.tableRows(sibling(this.nid, NID_TYPE_HIERARCHY_TABLE), true, status)) {
      const t = nidType(row.rowId);
      if ((t !== NID_TYPE_NORMAL_FOLDER && t !== NID_TYPE_SEARCH_FOLDER) || row.rowId === this.nid || seen.has(row.rowId)) {
        this.file.rep.report('PST-TC-ROW', { nid: this.nid, field: 'PidTagLtpRowId', message: `Hierarchy row ${hex(row.rowId)} is not a child folder.` });
        continue;
      }
      seen.add(row.rowId);
      try {
        out.push(await this.file.folder(row.rowId));
      } catch (e) {
        this.file.rep.report('PST-FOLDER', { nid: row.rowId, message: (e as Error).message });
      }
    }
    if (status.failed) {
      // Damaged hierarchy table: child folders name this folder as NBTENTRY.nidParent.
      let found = 0;
      for await (const nid of this.file.childrenFromNbt(this.nid, [NID_TYPE_NORMAL_FOLDER, NID_TYPE_SEARCH_FOLDER])) {
        if (seen.has(nid) || nid === this.nid) continue;
        seen.add(nid);
        try {
          out.push(await this.file.folder(nid));
          found++;
        } catch (e) {
          this.file.rep.report('PST-FOLDER', { nid, message: (e as Error).message });
        }
      }
      this.file.rep.report('PST-CONTENTS-RECOVERED', { nid: sibling(this.nid, NID_TYPE_HIERARCHY_TABLE), message: `Folder ${hex(this.nid)}: ${found} subfolder(s) found through the node B-tree.` });
    }
    return out;
  }

  async *messages(opts: { assoc?: boolean; columns?: readonly number[] } = {}): AsyncIterable<MessageRef> {
    if (this.isSearchFolder) return;
    const assoc = opts.assoc === true;
    const columns = opts.columns;
    const skip = columns ? (id: number) => !columns.includes(id) : isLtpColumn;
    const named = await this.file.namedMap();
    const tnid = sibling(this.nid, assoc ? NID_TYPE_ASSOC_CONTENTS_TABLE : NID_TYPE_CONTENTS_TABLE);
    const status = { failed: false };
    // The table's rows through a pull cursor (no generator of its own per row).
    const table = await this.file.table(tnid, false, status);
    // The rows listed, one bit per row-index entry (a folder may list a million): the cursor
    // gives rows in the order of table.rowIds, skipping some. A Set of ids is built only if the
    // NBT fallback below needs one.
    const ids = table?.rowIds;
    const listed = new Uint8Array(((ids?.length ?? 0) + 7) >> 3);
    let at = 0;
    let rows = 0;
    // With `columns`, the cells of the others are not read at all; the code page columns stay
    // for the strings among the wanted ones (objectCodepageList).
    const cursor = (columns ? table?.only([...columns, ...CODEPAGE_IDS]) : table)?.listCursor();
    for (;;) {
      const n = cursor?.next();
      const row = n instanceof Promise ? await n : n;
      if (!row) break;
      rows++;
      while (at < ids!.length && ids!.at(at) !== row.rowId) at++;
      if (at < ids!.length) listed[at >> 3]! |= 1 << (at++ & 7);
      const t = nidType(row.rowId);
      if (t !== NID_TYPE_NORMAL_MESSAGE && t !== NID_TYPE_ASSOC_MESSAGE) {
        this.file.rep.report('PST-TC-ROW', { nid: tnid, field: 'PidTagLtpRowId', message: `Contents row ${hex(row.rowId)} is not a message.` });
        continue;
      }
      const cp = objectCodepageList(row.list, this.file.policy, this.cp);
      const cells = convertList(row.list, { rep: this.file.rep, nid: row.rowId, codepage: cp, named, skip });
      const ref: MessageRef = { nid: row.rowId, folderNid: this.nid, assoc: t === NID_TYPE_ASSOC_MESSAGE, row: cells };
      for (const c of cells) {
        const id = c.tag >>> 16;
        if (c.name) continue;
        if (id === 0x001a && typeof c.value === 'string') ref.messageClass = c.value;
        else if (id === 0x0037 && typeof c.value === 'string') ref.subject = c.value;
        else if (id === 0x0e08 && typeof c.value === 'number') ref.size = c.value;
      }
      yield ref;
    }
    if (table && rows < table.rowCount) status.failed = true;
    if (status.failed) {
      const listedIds = new Set<number>();
      for (let k = 0; ids && k < ids.length; k++) if (listed[k >> 3]! & (1 << (k & 7))) listedIds.add(ids.at(k));
      let found = 0;
      const type = assoc ? NID_TYPE_ASSOC_MESSAGE : NID_TYPE_NORMAL_MESSAGE;
      for await (const nid of this.file.childrenFromNbt(this.nid, [type])) {
        if (listedIds.has(nid)) continue;
        found++;
        yield { nid, folderNid: this.nid, assoc, row: [] };
      }
      this.file.rep.report('PST-CONTENTS-RECOVERED', { nid: tnid, message: `Folder ${hex(this.nid)}: ${found} message(s) found through the node B-tree.` });
    }
  }
}
