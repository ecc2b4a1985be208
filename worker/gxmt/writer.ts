/**
 * GXMT stream writer (shared/reference/gxmt-format.md §1-§2, §8). Output goes frame by frame into
 * a ByteSink: each frame (a folder, or a message with its recipients, attachments and embedded
 * messages) is built in memory, size-prefixed and written; nothing is kept across frames except
 * the named-property table and the set of folder ids already written.
 *
 * Property values are checked here, not trusted: anything gromox cannot read back (PT_NULL,
 * unknown types, PT_OBJECT outside attachments, malformed restrictions) is skipped with a Finding
 * instead of aborting the run as gromox-pff2mt does, and an item that breaks a size limit of §2.11
 * is skipped whole, so the stream is never corrupt. Named properties get stream ids by name and a
 * proptype-0 definition frame (objtype 250) before their first use (§1.8 recommendation).
 */
import * as T from '../mapi/types.ts';
import type { MessageContent, Prop, PropertyName } from '../mapi/types.ts';
import type { ByteSink } from '../io/sink.ts';
import type { Finding, FindingSink, Severity } from '../findings.ts';
import { WRITER_CODES, type GxmtWriterCode } from './codes.ts';
import {
  GXMT_NAMEDPROP,
  MAILBOX_FID_UNANCHORED,
  MAPI_FOLDER,
  MAPI_MESSAGE,
  MAPI_STORE,
  MAX_ATTACHMENTS,
  MAX_FRAME_BODY,
  MAX_NAME_BYTES,
  MAX_PROPS,
  NAMED_ID_FIRST,
  NAMED_ID_LAST,
  ROW_ADD,
  magicFor,
  type GxmtVersion,
} from './constants.ts';
import { FrameBuilder, pushPropArray, pushPropName, type WireProp } from './ext-push.ts';
import { Cursor, walkRestriction, walkRuleActions } from './ext-pull.ts';

export interface FolderMapEntry {
  /** Stream-local folder id (the nid of the folder's frame). */
  nid: bigint;
  /** true: create a new folder named `name` under `target`; false: splice onto `target`. */
  create: boolean;
  /** GCV of a built-in folder, or MAILBOX_FID_UNANCHORED. */
  target: bigint;
  name: string;
}

export interface GxmtHeaderInit {
  version?: GxmtVersion;
  splice: boolean;
  publicStore?: boolean;
  folderMap: FolderMapEntry[];
}

export interface GxmtWriterOptions {
  onFinding?: FindingSink;
  /**
   * How stream ids of named properties are chosen: `first-use` hands out 0x8000, 0x8001, … in
   * order of first use (as eml2mt does); `source` keeps the id the source used when it is free
   * (as pff2mt does with PST ids), else takes the next free one.
   */
  namedIds?: 'first-use' | 'source';
  /**
   * With `namedIds: 'source'`: the id the source gives a name (pff2mt: the PST's name-to-ID map),
   * used instead of the id a property happens to carry. It makes the choice a function of the
   * name alone, so messages encoded apart (parallel workers) agree with the stream's writer even
   * when the source maps one name twice.
   */
  namedIdOf?: (name: PropertyName) => number | undefined;
  /**
   * PT_STRING8 / PT_MV_STRING8 values (JS strings, decoded by the reader with the right code
   * page) are written as PT_UNICODE / PT_MV_UNICODE (`unicode`, default, as pff2mt does for
   * single values) or keep their type with UTF-8 bytes (`keep`).
   */
  string8?: 'unicode' | 'keep';
  /**
   * Hand values of at least 1 MiB (attachment data, passed by reference) to a sink that offers
   * ByteSink.lend instead of waiting for each to be written; the caller then must not reuse a
   * message's buffers before `released()` settles. Off by default.
   */
  lend?: boolean;
}

export interface AclEntry {
  /** ROW_ADD (1) unless given; gromox ignores other values. */
  flags?: number;
  props: Prop[];
}

export interface GxmtWriter {
  readonly version: GxmtVersion;
  /** Write a folder frame; resolves false when the folder was skipped (with a finding). */
  writeFolder(nid: bigint, parentFid: bigint, props: Prop[], options?: { parentType?: number; acls?: AclEntry[] }): Promise<boolean>;
  /** Write a message frame; resolves false when the message was skipped (with a finding). */
  writeMessage(nid: bigint, parentFid: bigint, content: MessageContent, rfc5322?: Uint8Array, parentType?: number): Promise<boolean>;
  /**
   * Define a named property now (a 250 frame is written before the next object) and return its
   * stream propid; `preferredId` is used when free. null when the name cannot be written.
   */
  defineNamedProp(name: PropertyName, preferredId?: number): Promise<number | null>;
  /**
   * Encode a message frame without writing it (for a writer fed by workers, see writeEncoded).
   * The chunks are valid until the next call on this writer.
   */
  encodeMessage(nid: bigint, parentFid: bigint, content: MessageContent, rfc5322?: Uint8Array, parentType?: number): EncodedMessage;
  /**
   * Write a frame from another writer's encodeMessage: its named-property definitions this stream
   * lacks first (ids checked against this stream's), then the frame. Same bytes as writeMessage.
   */
  writeEncoded(nid: bigint, parentFid: bigint, encoded: EncodedMessage): Promise<boolean>;
  /** Number of folder and message frames written so far. */
  readonly counts: { folders: number; messages: number; namedProps: number; skipped: number };
  /** Bytes written so far. */
  readonly bytesWritten: number;
  /**
   * With the `lend` option: settles once the sink has released every value lent since the last
   * call (undefined when none was lent); until then the caller must not reuse those buffers.
   */
  released(): Promise<void> | undefined;
  close(): Promise<void>;
}

/** A message frame encoded apart from the stream (encodeMessage), to be written by writeEncoded. */
export interface EncodedMessage {
  /** The frame, size field first; null when the message cannot be written (finding made). */
  chunks: Uint8Array[] | null;
  /** Named properties the encoding writer had not seen before, in order of first use. */
  names: { id: number; name: PropertyName }[];
}

const enc = new TextEncoder();
/** With the `lend` option, chunks at least this long are lent to the sink (see ByteSink.lend). */
const LEND_MIN = 1 << 20;

class SkipItem extends Error {}

/**
 * A writer that only encodes message frames (encodeMessage), for workers whose frames a
 * stream's writer takes with writeEncoded. Nothing is written; close() is a no-op.
 */
export function createGxmtEncoder(version: GxmtVersion, options: GxmtWriterOptions = {}): GxmtWriter {
  const noSink: ByteSink = {
    write() {
      throw new Error('a GXMT encoder does not write');
    },
    close() {},
  };
  return new Writer(noSink, { version, splice: false, folderMap: [] }, options);
}

/** Create a writer and write the header and both maps. */
export async function createGxmtWriter(sink: ByteSink, header: GxmtHeaderInit, options: GxmtWriterOptions = {}): Promise<GxmtWriter> {
  const w = new Writer(sink, header, options);
  await w.writeHeader();
  return w;
}

class Writer implements GxmtWriter {
  readonly version: GxmtVersion;
  readonly counts = { folders: 0, messages: 0, namedProps: 0, skipped: 0 };
  bytesWritten = 0;
  private readonly wide: boolean;
  private readonly known = new Set<bigint>([MAILBOX_FID_UNANCHORED]);
  private readonly fmNids = new Set<bigint>();
  /** name key → stream propid */
  private readonly nameIds = new Map<string, number>();
  private readonly usedIds = new Set<number>();
  private nextId = NAMED_ID_FIRST;
  private pendingNames: { id: number; name: PropertyName; nameBytes?: Uint8Array }[] = [];
  private item = '';
  private itemNid: bigint = 0n;
  private closed = false;
  /** Reused between frames: each frame is written (and awaited) before the next is built. */
  private readonly objBuilder = new FrameBuilder();
  private readonly nameBuilder = new FrameBuilder(1024);
  private forceSource = false;
  /** `released` promises of the values lent to the sink since the last released(). */
  private lent: Promise<void>[] = [];

  constructor(
    private readonly sink: ByteSink,
    private readonly header: GxmtHeaderInit,
    private readonly options: GxmtWriterOptions,
  ) {
    this.version = header.version ?? 5;
    if (![3, 4, 5].includes(this.version)) throw new RangeError(`GXMT version ${this.version} is not supported (3, 4 or 5)`);
    this.wide = this.version >= 5;
  }

  private finding(code: GxmtWriterCode, severity: Severity, detail?: string): void {
    const f: Finding = {
      code,
      severity,
      message: WRITER_CODES[code] + (detail ? ` (${detail})` : ''),
      item: this.item,
    };
    if (this.itemNid > 0n && this.itemNid <= BigInt(Number.MAX_SAFE_INTEGER)) f.nid = Number(this.itemNid);
    this.options.onFinding?.(f);
  }

  private checkNid(nid: bigint, what: string): void {
    if (typeof nid !== 'bigint') throw new TypeError(`${what} must be a bigint`);
    if (nid === 0n || nid === MAILBOX_FID_UNANCHORED) throw new RangeError(`${what} 0x${nid.toString(16)} is reserved`);
    if (nid < 0n || nid > (this.wide ? 0xffff_ffff_ffff_fffen : 0xffff_ffffn)) throw new RangeError(`${what} 0x${nid.toString(16)} does not fit GXMT000${this.version}`);
  }

  private pushNid(b: FrameBuilder, nid: bigint): void {
    if (this.wide) b.u64(nid);
    else b.u32(Number(nid));
  }

  async writeHeader(): Promise<void> {
    const b = new FrameBuilder();
    b.bytes(enc.encode(magicFor(this.version)));
    b.u8(this.header.splice ? 1 : 0);
    b.u8(this.header.publicStore ? 1 : 0);
    const fm = new FrameBuilder();
    fm.u64(BigInt(this.header.folderMap.length));
    for (const e of this.header.folderMap) {
      this.checkNid(e.nid, 'folder map nid');
      this.fmNids.add(e.nid);
      this.known.add(e.nid);
      this.pushNid(fm, e.nid);
      fm.u8(e.create ? 1 : 0);
      fm.u64(e.target);
      fm.str(this.cleanString(e.name));
    }
    const fmChunks = fm.finish();
    b.u64(BigInt(fm.length));
    for (const c of fmChunks) b.bytes(c);
    b.u64(8n);
    b.u64(0n);
    await this.emit(b.finish());
  }

  private async emit(chunks: Uint8Array[]): Promise<void> {
    const lend = this.options.lend ? this.sink.lend?.bind(this.sink) : undefined;
    for (const c of chunks) {
      if (lend && c.length >= LEND_MIN) {
        const l = lend(c);
        this.lent.push(l.released);
        await l.accepted;
      } else {
        await this.sink.write(c);
      }
      this.bytesWritten += c.length;
    }
  }

  released(): Promise<void> | undefined {
    if (this.lent.length === 0) return undefined;
    const all = this.lent;
    this.lent = [];
    return all.length === 1 ? all[0] : Promise.all(all).then(() => undefined);
  }

  private async emitFrame(body: FrameBuilder): Promise<void> {
    await this.emit(body.finish());
  }

  /** A builder for the next frame, its size field reserved. */
  private frame(reuse: FrameBuilder): FrameBuilder {
    reuse.reset().reserveSize();
    return reuse;
  }

  private frameHead(b: FrameBuilder, type: number, nid: bigint, parentType: number, parent: bigint): void {
    b.u32(type);
    this.pushNid(b, nid);
    b.u32(parentType);
    b.u64(parent);
  }

  /** Strings are cut at the first NUL (a trailing run of NULs is cut silently); UTF-8 on output. */
  private cleanString(s: string): string {
    const nul = s.indexOf('\0');
    if (nul < 0) return s;
    if (!/^\0*$/.test(s.slice(nul))) this.finding('GXMT-STRING-NUL', 'warning');
    return s.slice(0, nul);
  }

  private nameKey(n: PropertyName): string {
    return n.name !== undefined ? `${n.guid.toLowerCase()}:s:${n.name}` : `${n.guid.toLowerCase()}:i:${n.lid}`;
  }

  /** Stream propid for a named property, allocating (and queuing its definition) on first use. */
  private namedId(name: PropertyName, sourceId: number): number | null {
    const key = this.nameKey(name);
    const have = this.nameIds.get(key);
    if (have !== undefined) return have;
    let nameBytes: Uint8Array | undefined;
    if (name.name !== undefined) {
      nameBytes = enc.encode(name.name);
      if (nameBytes.length > MAX_NAME_BYTES || nameBytes.includes(0)) {
        this.finding('GXMT-NAMEDPROP-NAME-TOO-LONG', 'warning', `name of ${nameBytes.length} bytes`);
        return null;
      }
    } else if (typeof name.lid !== 'number' || !Number.isInteger(name.lid) || name.lid < 0 || name.lid > 0xffff_ffff) {
      this.finding('GXMT-PROP-BAD-VALUE', 'warning', 'named property without a valid LID or name');
      return null;
    }
    try {
      T.guidToBytes(name.guid);
    } catch {
      this.finding('GXMT-PROP-BAD-VALUE', 'warning', `named property GUID "${name.guid}"`);
      return null;
    }
    let id: number;
    if (this.options.namedIds === 'source' && !this.forceSource) sourceId = this.options.namedIdOf?.(name) ?? sourceId;
    if ((this.options.namedIds === 'source' || this.forceSource) && sourceId >= NAMED_ID_FIRST && sourceId <= NAMED_ID_LAST && !this.usedIds.has(sourceId)) {
      id = sourceId;
    } else {
      while (this.nextId <= NAMED_ID_LAST && this.usedIds.has(this.nextId)) this.nextId++;
      if (this.nextId > NAMED_ID_LAST) {
        this.finding('GXMT-NAMEDPROP-EXHAUSTED', 'error');
        return null;
      }
      id = this.nextId++;
    }
    this.usedIds.add(id);
    this.nameIds.set(key, id);
    this.pendingNames.push({ id, name: { ...name, guid: name.guid.toLowerCase() }, nameBytes });
    return id;
  }

  /** Check and normalise one property list. `attachment` allows PR_ATTACH_DATA_OBJ. */
  private normalise(props: readonly Prop[], where: 'folder' | 'message' | 'recipient' | 'attachment' | 'acl'): WireProp[] {
    const out: WireProp[] = [];
    const index = new Map<number, number>();
    for (const p of props) {
      const w = this.normaliseOne(p, where);
      if (!w) continue;
      const at = index.get(w.tag);
      if (at !== undefined) {
        this.finding('GXMT-PROP-DUPLICATE', 'info', `tag 0x${w.tag.toString(16).padStart(8, '0')}`);
        out[at] = w;
      } else {
        index.set(w.tag, out.length);
        out.push(w);
      }
    }
    if (out.length > MAX_PROPS) {
      this.finding('GXMT-TOO-MANY-PROPS', 'error', `${out.length} properties in a ${where} property list`);
      throw new SkipItem();
    }
    return out;
  }

  private normaliseOne(p: Prop, where: string): WireProp | null {
    const tagHex = () => `0x${(p.tag >>> 0).toString(16).padStart(8, '0')}`;
    let type = T.propType(p.tag);
    let id = T.propId(p.tag);
    if (type & T.MV_INSTANCE || type === T.PT_NULL || type === T.PT_UNSPECIFIED) {
      this.finding('GXMT-PROP-TYPE-UNSUPPORTED', 'warning', `tag ${tagHex()}`);
      return null;
    }
    if (type === T.PT_ERROR) {
      this.finding('GXMT-PROP-ERROR-VALUE', 'info', `tag ${tagHex()}`);
      return null;
    }
    if (type === T.PT_OBJECT && !(where === 'attachment' && id === 0x3701)) {
      this.finding('GXMT-PROP-OBJECT', 'warning', `tag ${tagHex()} on a ${where}`);
      return null;
    }
    const string8 = this.options.string8 ?? 'unicode';
    if (string8 === 'unicode') {
      if (type === T.PT_STRING8) type = T.PT_UNICODE;
      else if (type === T.PT_MV_STRING8) type = T.PT_MV_UNICODE;
    }
    let value: WireProp['value'] | null;
    try {
      value = this.wireValue(type, p.value);
    } catch (e) {
      if (e instanceof BadValue) {
        this.finding(e.code, 'warning', `tag ${tagHex()}: ${e.message}`);
        return null;
      }
      throw e;
    }
    if (value === null) {
      this.finding('GXMT-PROP-TYPE-UNSUPPORTED', 'warning', `tag ${tagHex()}`);
      return null;
    }
    if (id >= NAMED_ID_FIRST) {
      if (!p.name) {
        this.finding('GXMT-NAMEDPROP-NO-NAME', 'warning', `tag ${tagHex()}`);
        return null;
      }
      const sid = this.namedId(p.name, id);
      if (sid === null) return null;
      id = sid;
    }
    return { tag: T.propTag(id, type), value };
  }

  /** Convert a model value to its wire form; BadValue when it does not fit the type. */
  private wireValue(type: number, v: T.PropValue): WireProp['value'] | null {
    if (type & T.MV_FLAG) {
      if (!Array.isArray(v)) throw new BadValue('GXMT-PROP-BAD-VALUE', 'multi-value property without an array');
      const base = type & ~T.MV_FLAG;
      if (!MV_BASES.has(base)) return null;
      const out: (number | bigint | string | Uint8Array)[] = [];
      for (const x of v as T.PropValue[]) out.push(this.wireValue(base, x) as number | bigint | string | Uint8Array);
      return out;
    }
    switch (type) {
      case T.PT_SHORT:
        return int(v, 0xffff);
      case T.PT_LONG:
        return int(v, 0xffff_ffff);
      case T.PT_FLOAT:
      case T.PT_DOUBLE:
      case T.PT_APPTIME:
        if (typeof v !== 'number') throw new BadValue('GXMT-PROP-BAD-VALUE', 'not a number');
        return v;
      case T.PT_CURRENCY:
      case T.PT_I8:
      case T.PT_SYSTIME:
        if (typeof v === 'bigint') return BigInt.asUintN(64, v);
        if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt.asUintN(64, BigInt(v));
        throw new BadValue('GXMT-PROP-BAD-VALUE', 'not a 64-bit integer');
      case T.PT_BOOLEAN:
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'number') return v ? 1 : 0;
        throw new BadValue('GXMT-PROP-BAD-VALUE', 'not a boolean');
      case T.PT_STRING8:
      case T.PT_UNICODE:
        if (typeof v !== 'string') throw new BadValue('GXMT-PROP-BAD-VALUE', 'not a string');
        return this.cleanString(v);
      case T.PT_CLSID:
        if (typeof v === 'string') {
          try {
            return T.guidToBytes(v);
          } catch {
            throw new BadValue('GXMT-PROP-BAD-VALUE', 'not a GUID');
          }
        }
        if (!(v instanceof Uint8Array) || v.length !== 16) throw new BadValue('GXMT-PROP-BAD-VALUE', 'PT_CLSID is not 16 bytes');
        return v;
      case T.PT_BINARY:
      case T.PT_OBJECT:
        if (!(v instanceof Uint8Array)) throw new BadValue('GXMT-PROP-BAD-VALUE', 'not bytes');
        if (v.length > MAX_FRAME_BODY) throw new BadValue('GXMT-PROP-BAD-VALUE', 'binary of 4 GiB or more');
        return v;
      case T.PT_SVREID:
        if (!(v instanceof Uint8Array)) throw new BadValue('GXMT-PROP-BAD-VALUE', 'not bytes');
        if (v.length + 1 > 0xffff) throw new BadValue('GXMT-PROP-BAD-VALUE', 'SVREID longer than 65534 bytes');
        return v;
      case T.PT_SRESTRICTION:
        if (!(v instanceof Uint8Array) || !walks(v, (c) => walkRestriction(c, 0))) {
          throw new BadValue('GXMT-PROP-RESTRICTION', 'not an EXT-encoded RESTRICTION');
        }
        return v;
      case T.PT_ACTIONS:
        if (!(v instanceof Uint8Array) || !walks(v, walkRuleActions)) throw new BadValue('GXMT-PROP-ACTIONS', 'not an EXT-encoded RULE_ACTIONS');
        return v;
      default:
        return null;
    }
  }

  private begin(kind: string, nid: bigint): void {
    this.item = `${kind} 0x${nid.toString(16)}`;
    this.itemNid = nid;
  }

  /** Write queued named-property definition frames (before the frame that uses them). */
  private async flushNames(): Promise<void> {
    const pending = this.pendingNames;
    this.pendingNames = [];
    for (const n of pending) {
      const b = this.frame(this.nameBuilder);
      this.frameHead(b, GXMT_NAMEDPROP, BigInt(T.propTag(n.id, T.PT_UNSPECIFIED)), 0, 0n);
      pushPropName(b, T.guidToBytes(n.name.guid), n.name.lid, n.nameBytes);
      await this.emitFrame(b);
      this.counts.namedProps++;
    }
  }

  async defineNamedProp(name: PropertyName, preferredId = 0): Promise<number | null> {
    this.assertOpen();
    this.item = 'named property';
    this.itemNid = 0n;
    this.forceSource = preferredId !== 0;
    try {
      const id = this.namedId(name, preferredId);
      await this.flushNames();
      return id;
    } finally {
      this.forceSource = false;
    }
  }

  async writeFolder(nid: bigint, parentFid: bigint, props: Prop[], opts: { parentType?: number; acls?: AclEntry[] } = {}): Promise<boolean> {
    this.assertOpen();
    this.checkNid(nid, 'folder nid');
    this.begin('folder', nid);
    if (!this.fmNids.has(nid) && !this.known.has(parentFid)) {
      this.finding('GXMT-UNKNOWN-PARENT', 'error', `parent 0x${parentFid.toString(16)}`);
      this.counts.skipped++;
      return false;
    }
    const ok = await this.commitFrame(() => {
      const list = this.normalise(props, 'folder');
      const acls = (opts.acls ?? []).map((a) => ({ flags: a.flags ?? ROW_ADD, props: this.normalise(a.props, 'acl') }));
      const b = this.frame(this.objBuilder);
      const parentType = opts.parentType ?? (this.fmNids.has(nid) && parentFid === 0n ? MAPI_STORE : MAPI_FOLDER);
      this.frameHead(b, MAPI_FOLDER, nid, parentType, parentFid);
      pushPropArray(b, list);
      b.u64(BigInt(acls.length));
      for (const a of acls) {
        b.u8(a.flags);
        pushPropArray(b, a.props);
      }
      return b;
    });
    if (!ok) return false;
    this.known.add(nid);
    this.counts.folders++;
    return true;
  }

  /**
   * Build one frame and write it, with the named-property frames it needs first. An item that
   * cannot be written (SkipItem, its finding already made) or whose body would reach the reader's
   * 4 GiB limit is skipped as a whole: the stream never carries a partial frame.
   */
  private async commitFrame(build: () => FrameBuilder): Promise<boolean> {
    try {
      const b = this.sized(build());
      await this.flushNames();
      await this.emitFrame(b);
      return true;
    } catch (e) {
      if (e instanceof SkipItem) {
        await this.flushNames();
        this.counts.skipped++;
        return false;
      }
      throw e;
    }
  }

  /** `b`, unless its body would reach the reader's 4 GiB limit (then SkipItem, with a finding). */
  private sized(b: FrameBuilder): FrameBuilder {
    if (b.length > MAX_FRAME_BODY - 1) {
      this.finding('GXMT-FRAME-TOO-LARGE', 'error', `${b.length} bytes`);
      throw new SkipItem();
    }
    return b;
  }

  /**
   * Start a message frame: open writer, valid nid, item label for findings; false (with a
   * finding, counted as skipped) when its parent folder was not written.
   */
  private startMessage(nid: bigint, parentFid: bigint): boolean {
    this.assertOpen();
    this.checkNid(nid, 'message nid');
    this.begin('message', nid);
    if (this.known.has(parentFid)) return true;
    this.finding('GXMT-UNKNOWN-PARENT', 'error', `parent 0x${parentFid.toString(16)}`);
    this.counts.skipped++;
    return false;
  }

  private pushContent(b: FrameBuilder, m: MessageContent, depth: number): void {
    if (depth > 64) {
      this.finding('GXMT-PROP-BAD-VALUE', 'error', 'embedded messages nested more than 64 deep');
      throw new SkipItem();
    }
    pushPropArray(b, this.normalise(m.props, 'message'));
    b.u8(1);
    if (m.recipients.length > 0xffff_ffff) {
      this.finding('GXMT-TOO-MANY-RECIPIENTS', 'error');
      throw new SkipItem();
    }
    b.u32(m.recipients.length);
    for (const r of m.recipients) pushPropArray(b, this.normalise(r, 'recipient'));
    b.u8(1);
    if (m.attachments.length > MAX_ATTACHMENTS) {
      this.finding('GXMT-TOO-MANY-ATTACHMENTS', 'error', `${m.attachments.length} attachments`);
      throw new SkipItem();
    }
    b.u16(m.attachments.length);
    for (const a of m.attachments) {
      let props = a.props;
      // The embedded message is the attachment's object: it travels as ATTACHMENT_CONTENT.embedded.
      if (a.embedded) props = props.filter((p) => !(p.tag === 0x3701000d && !p.name));
      pushPropArray(b, this.normalise(props, 'attachment'));
      if (a.embedded) {
        b.u8(1);
        this.pushContent(b, a.embedded, depth + 1);
      } else {
        b.u8(0);
      }
      if (b.length > MAX_FRAME_BODY - 1) {
        this.finding('GXMT-FRAME-TOO-LARGE', 'error', `more than ${b.length} bytes`);
        throw new SkipItem();
      }
    }
  }

  async writeMessage(nid: bigint, parentFid: bigint, content: MessageContent, rfc5322?: Uint8Array, parentType = MAPI_FOLDER): Promise<boolean> {
    if (!this.startMessage(nid, parentFid)) return false;
    const ok = await this.commitFrame(() => this.buildMessage(nid, parentFid, content, rfc5322, parentType));
    if (!ok) return false;
    this.counts.messages++;
    return true;
  }

  private buildMessage(nid: bigint, parentFid: bigint, content: MessageContent, rfc5322: Uint8Array | undefined, parentType: number): FrameBuilder {
    const b = this.frame(this.objBuilder);
    this.frameHead(b, MAPI_MESSAGE, nid, parentType, parentFid);
    this.pushContent(b, content, 0);
    if (this.version >= 4) {
      let raw = rfc5322 ?? new Uint8Array(0);
      if (raw.includes(0)) {
        this.finding('GXMT-RFC5322-NUL', 'warning');
        raw = new Uint8Array(0);
      }
      b.cstr(raw);
      b.u8(0);
    } else if (rfc5322 && rfc5322.length > 0) {
      this.finding('GXMT-RFC5322-DROPPED', 'info');
    }
    return b;
  }

  encodeMessage(nid: bigint, parentFid: bigint, content: MessageContent, rfc5322?: Uint8Array, parentType = MAPI_FOLDER): EncodedMessage {
    this.assertOpen();
    this.checkNid(nid, 'message nid');
    this.begin('message', nid);
    let chunks: Uint8Array[] | null = null;
    try {
      chunks = this.sized(this.buildMessage(nid, parentFid, content, rfc5322, parentType)).finish();
    } catch (e) {
      if (!(e instanceof SkipItem)) throw e;
    }
    const names = this.pendingNames.map((n) => ({ id: n.id, name: n.name }));
    this.pendingNames = [];
    return { chunks, names };
  }

  async writeEncoded(nid: bigint, parentFid: bigint, encoded: EncodedMessage): Promise<boolean> {
    if (!this.startMessage(nid, parentFid)) return false;
    for (const { id, name } of encoded.names) {
      const key = this.nameKey(name);
      const have = this.nameIds.get(key);
      if (have === id) continue;
      if (have !== undefined || this.usedIds.has(id)) {
        this.finding('GXMT-NAMEDPROP-CONFLICT', 'error', `id 0x${id.toString(16)}${have !== undefined ? `, this stream has 0x${have.toString(16)}` : ''}`);
        await this.flushNames();
        this.counts.skipped++;
        return false;
      }
      this.usedIds.add(id);
      this.nameIds.set(key, id);
      this.pendingNames.push({ id, name, nameBytes: name.name !== undefined ? enc.encode(name.name) : undefined });
    }
    await this.flushNames();
    if (!encoded.chunks) {
      this.counts.skipped++;
      return false;
    }
    await this.emit(encoded.chunks);
    this.counts.messages++;
    return true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('GXMT writer is closed');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushNames();
    await this.sink.close();
  }
}

class BadValue extends Error {
  constructor(
    readonly code: GxmtWriterCode,
    message: string,
  ) {
    super(message);
  }
}

const MV_BASES = new Set([
  T.PT_SHORT, T.PT_LONG, T.PT_FLOAT, T.PT_DOUBLE, T.PT_CURRENCY, T.PT_APPTIME, T.PT_I8,
  T.PT_STRING8, T.PT_UNICODE, T.PT_SYSTIME, T.PT_CLSID, T.PT_BINARY,
]);

function int(v: T.PropValue, max: number): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') v = Number(BigInt.asUintN(32, v));
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new BadValue('GXMT-PROP-BAD-VALUE', 'not an integer');
  if (v < -(max + 1) / 2 || v > max) throw new BadValue('GXMT-PROP-BAD-VALUE', `integer ${v} out of range`);
  return v < 0 ? v + max + 1 : v;
}

function walks(v: Uint8Array, walk: (c: Cursor) => void): boolean {
  try {
    const c = new Cursor(v, 0);
    walk(c);
    return c.remaining === 0;
  } catch {
    return false;
  }
}
