/**
 * Strict GXMT reader (shared/reference/gxmt-format.md §1-§3.5). It checks what gromox-import's
 * read-only mode (`gromox-import -t -p`, no `-u`) checks: signature and version, section and
 * frame sizes, every property type and structure, parent folders before their children and named
 * properties defined before use. It is the oracle of the project's tests, so where gromox only
 * warns (unknown parent, undefined named property) the reader fails by default; options relax it.
 *
 * Decoding is streaming: the header and maps first, then one frame at a time, from a ByteSource
 * (random access, sizes checked against the input length before reading) or an async iterable of
 * chunks (a pipe). A frame body is allocated only after its bytes have arrived. decodeGxmtBytes
 * is the synchronous form for streams already in memory.
 */
import type { AttachmentContent, MessageContent, Prop, PropertyName } from '../mapi/types.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';
import { GxmtError, READER_CODES, type GxmtReaderCode } from './codes.ts';
import {
  GXMT_NAMEDPROP,
  MAILBOX_FID_UNANCHORED,
  MAPI_FOLDER,
  MAPI_MESSAGE,
  NAMED_ID_FIRST,
  type GxmtVersion,
} from './constants.ts';
import { Cursor, readPropName, readTagged } from './ext-pull.ts';

export interface GxmtHeader {
  version: GxmtVersion;
  splice: boolean;
  publicStore: boolean;
  folderMap: { nid: bigint; create: boolean; target: bigint; name: string }[];
  /** Named-property definitions of the prologue map, keyed by the u32 proptag. */
  nameMap: { tag: number; name: PropertyName }[];
  /** Byte length of header and maps; the first frame starts here. */
  length: number;
}

interface FrameBase {
  /** Absolute offset of the frame's u64 size field. */
  offset: number;
  /** Byte length of the frame body. */
  size: number;
  nid: bigint;
  parentType: number;
  parent: bigint;
}
export interface FolderFrame extends FrameBase {
  kind: 'folder';
  props: Prop[];
  acls: { flags: number; props: Prop[] }[];
}
export interface DecodedMessage extends MessageContent {
  /** have_rcpts / have_atts flags: false when the list was absent (not just empty). */
  hasRecipients: boolean;
  hasAttachments: boolean;
  attachments: (AttachmentContent & { embedded?: DecodedMessage })[];
}
export interface MessageFrame extends FrameBase {
  kind: 'message';
  content: DecodedMessage;
  /** The original RFC 5322 text ("" when absent or in GXMT0003). */
  rfc5322: Uint8Array;
}
export interface NamedPropFrame extends FrameBase {
  kind: 'namedprop';
  /** The u32 proptag the definition is keyed by (= nid). */
  tag: number;
  name: PropertyName;
}
export type GxmtFrame = FolderFrame | MessageFrame | NamedPropFrame;

export interface GxmtReadOptions {
  /** Non-fatal observations (reader codes with severity warning). */
  onFinding?: FindingSink;
  /** Accepted versions; default 3, 4 and 5 (gromox 3.10 itself accepts only 5). */
  versions?: GxmtVersion[];
  /** Unknown parent folders are errors (default) or findings. */
  strictParents?: boolean;
  /** Named properties used without a definition are errors (default) or findings. */
  strictNamedProps?: boolean;
  /** Largest frame body accepted, default 4 GiB - 1. */
  maxFrameSize?: number;
}

/** State carried across frames: the name map and the folders already known. */
class StreamState {
  readonly names = new Map<number, PropertyName>();
  readonly byId = new Map<number, PropertyName>();
  readonly known = new Set<bigint>([MAILBOX_FID_UNANCHORED]);
  constructor(
    readonly version: GxmtVersion,
    readonly opts: GxmtReadOptions,
  ) {}

  finding(code: GxmtReaderCode, offset: number, detail: string): void {
    this.opts.onFinding?.({ code, severity: 'warning', message: `${READER_CODES[code]} (${detail})`, offset });
  }

  define(tag: number, name: PropertyName, offset: number): void {
    const id = tag >>> 16;
    const prev = this.byId.get(id);
    if (prev && !sameName(prev, name)) {
      if (this.opts.strictNamedProps !== false) {
        throw new GxmtError('GXMT-NAMEDPROP-REDEFINED', offset, `propid 0x${id.toString(16)} was ${nameText(prev)}, now ${nameText(name)}`);
      }
      this.finding('GXMT-NAMEDPROP-REDEFINED', offset, `propid 0x${id.toString(16)}`);
    }
    this.names.set(tag >>> 0, name);
    if (!prev) this.byId.set(id, name);
  }

  /** gromox's lookup order (§1.8): exact tag, then (propid<<16)|0; we also report type mismatches. */
  resolve(tag: number, offset: number): PropertyName | undefined {
    const exact = this.names.get(tag) ?? this.names.get((tag & 0xffff0000) >>> 0);
    if (exact) return exact;
    const any = this.byId.get(tag >>> 16);
    const hex = `0x${tag.toString(16).padStart(8, '0')}`;
    if (any) {
      this.finding('GXMT-NAMEDPROP-TYPE-MISMATCH', offset, `tag ${hex}`);
      return any;
    }
    if (this.opts.strictNamedProps !== false) throw new GxmtError('GXMT-NAMEDPROP-UNDEFINED', offset, `tag ${hex}`);
    this.finding('GXMT-NAMEDPROP-UNDEFINED', offset, `tag ${hex}`);
    return undefined;
  }
}

const sameName = (a: PropertyName, b: PropertyName) =>
  a.guid === b.guid && (a.name !== undefined ? a.name === b.name : b.name === undefined && a.lid === b.lid);
const nameText = (n: PropertyName) => `{${n.guid}, ${n.name !== undefined ? JSON.stringify(n.name) : '0x' + (n.lid ?? 0).toString(16)}}`;

function readProps(c: Cursor, st: StreamState): Prop[] {
  const n = c.count(c.u16('TPROPVAL_ARRAY count'), 4, 'property count', 2);
  const out: Prop[] = [];
  for (let i = 0; i < n; i++) {
    const at = c.offset;
    const [tag, value] = readTagged(c);
    const p: Prop = { tag, value };
    if (tag >>> 16 >= NAMED_ID_FIRST) {
      const name = st.resolve(tag, at);
      if (name) p.name = name;
    }
    out.push(p);
  }
  return out;
}

function readContent(c: Cursor, st: StreamState, depth: number): DecodedMessage {
  if (depth > 256) c.fail('GXMT-TRUNCATED', 'embedded messages nested too deeply');
  const props = readProps(c, st);
  const recipients: Prop[][] = [];
  const hasRecipients = c.u8('have_rcpts') !== 0;
  if (hasRecipients) {
    const n = c.count(c.u32('recipient count'), 2, 'recipient count');
    for (let i = 0; i < n; i++) recipients.push(readProps(c, st));
  }
  const attachments: DecodedMessage['attachments'] = [];
  const hasAttachments = c.u8('have_atts') !== 0;
  if (hasAttachments) {
    const n = c.count(c.u16('attachment count'), 3, 'attachment count', 2);
    for (let i = 0; i < n; i++) {
      const aprops = readProps(c, st);
      const a: DecodedMessage['attachments'][number] = { props: aprops };
      if (c.u8('embedded flag') !== 0) a.embedded = readContent(c, st, depth + 1);
      attachments.push(a);
    }
  }
  return { props, recipients, attachments, hasRecipients, hasAttachments };
}

const PG = {
  head: 'PG-1121',
  parent: 'PG-1116',
  propname: 'PG-1138',
  folder: 'PG-1118',
  acl: 'PG-1129',
  content: 'PG-1119',
  trailer: 'PG-1113',
  objtype: 'PG-1117',
};

/** Decode one frame body (without its size field). */
function decodeFrame(body: Uint8Array, offset: number, st: StreamState): GxmtFrame {
  const c = new Cursor(body, offset + 8);
  c.onBadUtf8 = (at) => st.finding('GXMT-STRING-NOT-UTF8', at, 'string');
  const wide = st.version >= 5;
  c.pg = PG.head;
  const type = c.u32('mapi_objtype');
  const nid = wide ? c.u64('nid') : BigInt(c.u32('nid'));
  c.pg = PG.parent;
  const parentType = c.u32('parent_type');
  const parent = c.u64('parent_fid');
  const base = { offset, size: body.length, nid, parentType, parent };
  let frame: GxmtFrame;
  if (type === GXMT_NAMEDPROP) {
    c.pg = PG.propname;
    const name = readPropName(c);
    const tag = Number(nid & 0xffff_ffffn);
    st.define(tag, name, offset);
    frame = { kind: 'namedprop', ...base, tag, name };
  } else if (type === MAPI_FOLDER || type === MAPI_MESSAGE) {
    if (nid === 0n || nid === MAILBOX_FID_UNANCHORED || (!wide && nid === 0xffff_ffffn)) {
      throw new GxmtError('GXMT-NID-RESERVED', offset + 12, `nid 0x${nid.toString(16)}`);
    }
    if (type === MAPI_FOLDER) {
      c.pg = PG.folder;
      const props = readProps(c, st);
      c.pg = 'PG-1132';
      const n = Number(c.u64('acl_count'));
      c.pg = PG.acl;
      const acls: FolderFrame['acls'] = [];
      c.count(n, 3, 'acl count', 8);
      for (let i = 0; i < n; i++) acls.push({ flags: c.u8('ACL flags'), props: readProps(c, st) });
      frame = { kind: 'folder', ...base, props, acls };
    } else {
      c.pg = PG.content;
      const content = readContent(c, st, 0);
      let rfc5322 = new Uint8Array(0);
      if (st.version >= 4) {
        c.pg = PG.trailer;
        rfc5322 = c.cstrBytes('rfc5322').slice();
        c.cstrBytes('reserved');
      }
      frame = { kind: 'message', ...base, content, rfc5322 };
    }
    placement(frame, st);
  } else {
    c.pg = PG.objtype;
    return c.fail('GXMT-BAD-OBJTYPE', `mapi_objtype ${type}`, 0);
  }
  if (c.remaining !== 0) st.finding('GXMT-TRAILING-BYTES', c.offset, `${c.remaining} bytes`);
  return frame;
}

/** §1.9 placement rules: what gromox-import would do with the frame's parent. */
function placement(f: FolderFrame | MessageFrame, st: StreamState): void {
  const known = f.kind === 'folder' ? st.known.has(f.nid) || st.known.has(f.parent) : st.known.has(f.parent);
  if (!known) {
    const what = `${f.kind} 0x${f.nid.toString(16)}, parent 0x${f.parent.toString(16)}`;
    if (st.opts.strictParents !== false) throw new GxmtError('GXMT-PARENT-UNKNOWN', f.offset, what);
    st.finding('GXMT-PARENT-UNKNOWN', f.offset, what);
    return;
  }
  if (f.kind === 'folder') st.known.add(f.nid);
}

function parseMagic(b: Uint8Array, opts: GxmtReadOptions): GxmtVersion {
  const text = String.fromCharCode(...b.subarray(0, 8));
  if (!/^GXMT[0-9]{4}$/.test(text)) throw new GxmtError('GXMT-BAD-MAGIC', 0, 'GXMT file signature is missing', 'PG-1127');
  const v = Number(text.slice(4));
  const ok = opts.versions ?? [3, 4, 5];
  if (!ok.includes(v as GxmtVersion)) throw new GxmtError('GXMT-BAD-VERSION', 4, `signature "${text}", understood: ${ok.map((x) => 'GXMT000' + x).join(', ')}`, 'PG-1127');
  return v as GxmtVersion;
}

function parseFolderMap(body: Uint8Array, base: number, version: GxmtVersion): GxmtHeader['folderMap'] {
  const c = new Cursor(body, base);
  c.pg = 'PG-1101';
  const n = Number(c.u64('fm_entries'));
  c.count(n, (version >= 5 ? 8 : 4) + 1 + 8 + 1, 'fm_entries', 8);
  const out: GxmtHeader['folderMap'] = [];
  for (let i = 0; i < n; i++) {
    const nid = version >= 5 ? c.u64('fm nid') : BigInt(c.u32('fm nid'));
    const create = c.u8('fm create') !== 0;
    const target = c.u64('fm target');
    const name = c.cstr('fm name');
    out.push({ nid, create, target, name });
  }
  return out;
}

function parseNameMap(body: Uint8Array, base: number, st: StreamState): GxmtHeader['nameMap'] {
  const c = new Cursor(body, base);
  c.pg = 'PG-1109';
  const n = Number(c.u64('np_entries'));
  c.count(n, 4 + 1 + 16 + 1, 'np_entries', 8);
  const out: GxmtHeader['nameMap'] = [];
  for (let i = 0; i < n; i++) {
    const at = c.offset;
    const tag = c.u32('np proptag');
    const name = readPropName(c);
    st.define(tag, name, at);
    out.push({ tag, name });
  }
  return out;
}

/** Pulls exact byte counts from a ByteSource or a chunk iterator. */
interface Puller {
  offset: number;
  /** Exactly n bytes, or fewer at EOF. */
  take(n: number): Promise<Uint8Array>;
  /** Total size if known. */
  size?: number;
}

function sourcePuller(src: ByteSource): Puller {
  const p: Puller = {
    offset: 0,
    size: src.size,
    async take(n) {
      const want = Math.min(n, src.size - p.offset);
      const b = want > 0 ? (await src.read(p.offset, want)).slice() : new Uint8Array(0);
      p.offset += b.length;
      return b;
    },
  };
  return p;
}

function iterPuller(it: AsyncIterable<Uint8Array>): Puller {
  const iter = it[Symbol.asyncIterator]();
  let pending: Uint8Array[] = [];
  let have = 0;
  let eof = false;
  const p: Puller = {
    offset: 0,
    async take(n) {
      while (have < n && !eof) {
        const r = await iter.next();
        if (r.done) eof = true;
        else if (r.value.length) {
          pending.push(r.value.slice());
          have += r.value.length;
        }
      }
      const m = Math.min(n, have);
      const out = new Uint8Array(m);
      let at = 0;
      while (at < m) {
        const head = pending[0]!;
        const k = Math.min(head.length, m - at);
        out.set(head.subarray(0, k), at);
        at += k;
        if (k === head.length) pending.shift();
        else pending[0] = head.subarray(k);
      }
      have -= m;
      p.offset += m;
      return out;
    },
  };
  return p;
}

function syncPuller(bytes: Uint8Array): Puller & { takeSync(n: number): Uint8Array } {
  const p = {
    offset: 0,
    size: bytes.length,
    takeSync(n: number) {
      const b = bytes.subarray(p.offset, Math.min(bytes.length, p.offset + n));
      p.offset += b.length;
      return b;
    },
    async take(n: number) {
      return p.takeSync(n);
    },
  };
  return p;
}

const u64le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);

/**
 * Header steps shared by the sync and async paths. `take` returns exactly n bytes or fewer at EOF.
 * Returns null for an empty input (gromox-import exits 0 on it, §1.10).
 */
function* headerSteps(opts: GxmtReadOptions): Generator<number, { header: GxmtHeader; st: StreamState } | null, Uint8Array> {
  const magic = yield 8;
  if (magic.length === 0) return null;
  if (magic.length < 8) throw new GxmtError('GXMT-SHORT-HEADER', magic.length, 'stream ends inside the signature', 'PG-1127');
  const version = parseMagic(magic, opts);
  const st = new StreamState(version, opts);
  const flags = yield 2;
  if (flags.length < 2) throw new GxmtError('GXMT-SHORT-HEADER', 8 + flags.length, 'stream ends before the splice/public flags', 'PG-1126');
  let at = 10;
  const section = function* (code: GxmtReaderCode, pgIo: string, pgParse: string): Generator<number, Uint8Array, Uint8Array> {
    const sz = yield 8;
    if (sz.length < 8) throw new GxmtError('GXMT-SHORT-HEADER', at + sz.length, 'stream ends inside a map size', pgIo);
    const n = u64le(sz);
    if (n < 8n) throw new GxmtError(code, at, `section size ${n} < 8`, pgParse);
    if (n > BigInt(opts.maxFrameSize ?? 0xffff_ffff)) throw new GxmtError(code, at, `section size ${n} is too large`, pgParse);
    const body = yield Number(n);
    if (body.length < Number(n)) throw new GxmtError('GXMT-SHORT-HEADER', at + 8 + body.length, `stream ends inside a map of ${n} bytes`, pgIo);
    at += 8 + body.length;
    return body;
  };
  const fmAt = at + 8;
  const fmBody = yield* section('GXMT-FOLDER-MAP', 'PG-1002', 'PG-1100');
  const folderMap = parseFolderMap(fmBody, fmAt, version);
  const npAt = at + 8;
  const npBody = yield* section('GXMT-NAME-MAP', 'PG-1004', 'PG-1108');
  const nameMap = parseNameMap(npBody, npAt, st);
  for (const e of folderMap) st.known.add(e.nid);
  const header: GxmtHeader = { version, splice: flags[0] !== 0, publicStore: flags[1] !== 0, folderMap, nameMap, length: at };
  return { header, st };
}

function frameSize(sz: Uint8Array, offset: number, opts: GxmtReadOptions, st: StreamState, remaining?: number): number {
  if (sz.length < 8) throw new GxmtError('GXMT-SHORT-FRAME', offset + sz.length, 'stream ends inside a frame size', 'PG-1005');
  const n = u64le(sz);
  const min = st.version >= 5 ? 24 : 20;
  if (n < BigInt(min)) throw new GxmtError('GXMT-FRAME-SIZE', offset, `frame size ${n} is smaller than a frame header`, 'PG-1121');
  const max = opts.maxFrameSize ?? 0xffff_ffff;
  if (n > BigInt(max)) throw new GxmtError('GXMT-FRAME-SIZE', offset, `frame size ${n} exceeds ${max}`, 'PG-1006');
  if (remaining !== undefined && n > BigInt(remaining)) {
    throw new GxmtError('GXMT-SHORT-FRAME', offset, `frame of ${n} bytes but only ${remaining} bytes follow`, 'PG-1006');
  }
  return Number(n);
}

export interface GxmtReader {
  /** null for an empty input. */
  header: GxmtHeader | null;
  frames(): AsyncGenerator<GxmtFrame>;
}

/** Open a stream for strict, frame-by-frame decoding. Throws GxmtError on the first defect. */
export async function readGxmt(source: ByteSource | AsyncIterable<Uint8Array>, options: GxmtReadOptions = {}): Promise<GxmtReader> {
  const p = 'read' in source && 'size' in source ? sourcePuller(source) : iterPuller(source as AsyncIterable<Uint8Array>);
  const steps = headerSteps(options);
  let r = steps.next();
  while (!r.done) r = steps.next(await p.take(r.value));
  const res = r.value;
  if (!res) return { header: null, async *frames() {} };
  const { header, st } = res;
  return {
    header,
    async *frames() {
      for (;;) {
        const offset = p.offset;
        const sz = await p.take(8);
        if (sz.length === 0) return;
        const n = frameSize(sz, offset, options, st, p.size !== undefined ? p.size - p.offset : undefined);
        const body = await p.take(n);
        if (body.length < n) throw new GxmtError('GXMT-SHORT-FRAME', offset + 8 + body.length, `stream ends inside a frame of ${n} bytes`, 'PG-1006');
        yield decodeFrame(body, offset, st);
      }
    },
  };
}

/** Decode a whole stream held in memory (tests, small streams). */
export function decodeGxmtBytes(bytes: Uint8Array, options: GxmtReadOptions = {}): { header: GxmtHeader | null; frames: GxmtFrame[] } {
  const p = syncPuller(bytes);
  const steps = headerSteps(options);
  let r = steps.next();
  while (!r.done) r = steps.next(p.takeSync(r.value));
  const res = r.value;
  if (!res) return { header: null, frames: [] };
  const { header, st } = res;
  const frames: GxmtFrame[] = [];
  for (;;) {
    const offset = p.offset;
    const sz = p.takeSync(8);
    if (sz.length === 0) break;
    const n = frameSize(sz, offset, options, st, bytes.length - p.offset);
    frames.push(decodeFrame(p.takeSync(n), offset, st));
  }
  return { header, frames };
}

export { GxmtError };
