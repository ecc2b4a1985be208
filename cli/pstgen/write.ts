/**
 * Messaging layer writer ([MS-PST] 2.4) and the public writePst entry point. Walks a
 * PstDescription and emits: message store PC (0x21), name-to-ID map (0x61) with hash buckets, the
 * root folder (0x122) with IPM subtree and search root, user folders with hierarchy / contents /
 * FAI contents TCs, messages with recipient and attachment TCs, attachments by value (streamed in
 * blocks, so tens of MiB never sit in memory) and embedded messages as nested subnode scopes.
 */
import { openSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import type { AttachmentDesc, FolderDesc, MessageDesc, NamedPropDesc, PropValueDesc, PstDescription, SpecialFolder } from './description.ts';
import { attachmentSize, fillAttachmentBytes, attachmentBytes } from './description.ts';
import type { PstOutput, WriteOptions, WriteResult, WrittenItem } from './api.ts';
import type { ByteSink } from '../../worker/io/sink.ts';
import { NdbWriter, Bytes, type Geometry } from './ndb.ts';
import { NodeScope, PT, buildPc, buildTc, type RawProp, type TcColumn, type TcRow } from './ltp.ts';
import { compressRtf } from './lzfu.ts';
import { pstCrc } from './crc.ts';

// ---- NIDs ([MS-PST] 2.4.1) -------------------------------------------------------------------
const NID_MESSAGE_STORE = 0x21;
const NID_NAME_TO_ID_MAP = 0x61;
const NID_ROOT_FOLDER = 0x122;
const NID_IPM_SUBTREE = 0x8022;
const NID_SEARCH_ROOT = 0x8042;
const NID_HIERARCHY_TEMPLATE = 0x60d;
const NID_CONTENTS_TEMPLATE = 0x60e;
const NID_ASSOC_TEMPLATE = 0x60f;
const NID_SEARCH_CONTENTS_TEMPLATE = 0x610;
const NID_ATTACHMENT_TEMPLATE = 0x671;
const NID_RECIPIENT_TEMPLATE = 0x692;
const T_HIERARCHY = 0x0d;
const T_CONTENTS = 0x0e;
const T_ASSOC = 0x0f;
const NID_ATTACHMENT_TABLE = 0x671;
const NID_RECIPIENT_TABLE = 0x692;

const PS_MAPI = '00020328-0000-0000-c000-000000000046';
const PS_PUBLIC_STRINGS = '00020329-0000-0000-c000-000000000046';

// ---- value encoding ------------------------------------------------------------------------

const CP1252_HIGH: Record<number, number> = {
  0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02c6: 0x88,
  0x2030: 0x89, 0x0160: 0x8a, 0x2039: 0x8b, 0x0152: 0x8c, 0x017d: 0x8e, 0x2018: 0x91, 0x2019: 0x92, 0x201c: 0x93,
  0x201d: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02dc: 0x98, 0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b,
  0x0153: 0x9c, 0x017e: 0x9e, 0x0178: 0x9f,
};

/** Windows-1252 bytes of `s`; unmappable characters become '?'. */
export function encodeCp1252(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out.push(c);
    else out.push(CP1252_HIGH[c] ?? 0x3f);
  }
  return new Uint8Array(out);
}

function utf16(s: string): Uint8Array {
  const b = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[2 * i] = c & 0xff;
    b[2 * i + 1] = c >>> 8;
  }
  return b;
}

function filetime(iso: string): Uint8Array {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`pstgen: bad date ${iso}`);
  const ft = (BigInt(ms) + 11644473600000n) * 10000n;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, ft, true);
  return b;
}

function guidBytes(guid: string): Uint8Array {
  const h = guid.replace(/[{}-]/g, '');
  if (h.length !== 32) throw new Error(`pstgen: bad GUID ${guid}`);
  const b = new Uint8Array(16);
  const hex = (i: number) => parseInt(h.slice(i, i + 2), 16);
  // Data1 (LE u32), Data2 (LE u16), Data3 (LE u16), Data4 (8 bytes as written)
  [6, 4, 2, 0].forEach((p, i) => (b[i] = hex(p)));
  [10, 8].forEach((p, i) => (b[4 + i] = hex(p)));
  [14, 12].forEach((p, i) => (b[6 + i] = hex(p)));
  for (let i = 0; i < 8; i++) b[8 + i] = hex(16 + 2 * i);
  return b;
}

function b64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Multi-value variable-size layout ([MS-PST] 2.3.3.4.2): count, offsets, data. */
function mvVariable(items: Uint8Array[]): Uint8Array {
  const head = 4 + 4 * items.length;
  const total = head + items.reduce((a, x) => a + x.length, 0);
  const b = new Uint8Array(total);
  const w = new Bytes(b);
  w.u32(0, items.length);
  let o = head;
  items.forEach((it, i) => {
    w.u32(4 + 4 * i, o);
    b.set(it, o);
    o += it.length;
  });
  return b;
}

class Encoder {
  constructor(readonly ansi: boolean) {}
  str(id: number, s: string): RawProp {
    return this.ansi ? { id, type: PT.STRING8, bytes: encodeCp1252(s) } : { id, type: PT.UNICODE, bytes: utf16(s) };
  }
  long(id: number, v: number): RawProp {
    return { id, type: PT.LONG, inline: v >>> 0 };
  }
  bool(id: number, v: boolean): RawProp {
    return { id, type: PT.BOOLEAN, inline: v ? 1 : 0 };
  }
  time(id: number, iso: string): RawProp {
    return { id, type: PT.SYSTIME, bytes: filetime(iso) };
  }
  bin(id: number, b: Uint8Array): RawProp {
    return { id, type: PT.BINARY, bytes: b };
  }
  value(id: number, v: PropValueDesc): RawProp {
    switch (v.type) {
      case 'short':
        return { id, type: PT.SHORT, inline: v.value & 0xffff };
      case 'long':
        return this.long(id, v.value);
      case 'bool':
        return this.bool(id, v.value);
      case 'double': {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v.value, true);
        return { id, type: PT.DOUBLE, bytes: b };
      }
      case 'i8': {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigInt64(0, BigInt(v.value), true);
        return { id, type: PT.I8, bytes: b };
      }
      case 'time':
        return this.time(id, v.value);
      case 'string':
        return this.str(id, v.value);
      case 'binary':
        return this.bin(id, b64(v.value));
      case 'guid':
        return { id, type: PT.CLSID, bytes: guidBytes(v.value) };
      case 'mv-long': {
        const b = new Uint8Array(4 * v.value.length);
        v.value.forEach((x, i) => new DataView(b.buffer).setUint32(4 * i, x >>> 0, true));
        return { id, type: PT.MV_LONG, bytes: b };
      }
      case 'mv-string':
        return this.ansi
          ? { id, type: PT.MV_STRING8, bytes: mvVariable(v.value.map(encodeCp1252)) }
          : { id, type: PT.MV_UNICODE, bytes: mvVariable(v.value.map(utf16)) };
      case 'mv-binary':
        return { id, type: PT.MV_BINARY, bytes: mvVariable(v.value.map(b64)) };
    }
  }
}

// ---- name-to-ID map ([MS-PST] 2.4.7) ------------------------------------------------------------

class NameMap {
  private readonly guids: string[] = [];
  readonly entries: Array<{ guidIndex: number; lid?: number; name?: string }> = [];
  private readonly byKey = new Map<string, number>();

  constructor() {
    // Outlook's map is never empty and libpff refuses an empty entry stream: start with the
    // common reminder properties and Keywords (PSETID_Common, PS_PUBLIC_STRINGS).
    this.idFor({ guid: '00062008-0000-0000-c000-000000000046', lid: 0x8503, type: 'bool', value: false });
    this.idFor({ guid: '00062008-0000-0000-c000-000000000046', lid: 0x8501, type: 'long', value: 0 });
    this.idFor({ guid: PS_PUBLIC_STRINGS, name: 'Keywords', type: 'mv-string', value: [] });
  }

  /** Property id (0x8000 + wPropIdx) for a named property. */
  idFor(p: NamedPropDesc): number {
    const guid = p.guid.toLowerCase().replace(/[{}]/g, '');
    const key = `${guid}|${p.lid ?? ''}|${p.name ?? ''}`;
    let idx = this.byKey.get(key);
    if (idx === undefined) {
      let gi: number;
      if (guid === PS_MAPI) gi = 1;
      else if (guid === PS_PUBLIC_STRINGS) gi = 2;
      else {
        let k = this.guids.indexOf(guid);
        if (k < 0) k = this.guids.push(guid) - 1;
        gi = k + 3;
      }
      idx = this.entries.length;
      if (p.name === undefined && p.lid === undefined) throw new Error('pstgen: named property needs lid or name');
      this.entries.push({ guidIndex: gi, lid: p.name === undefined ? p.lid : undefined, name: p.name });
      this.byKey.set(key, idx);
      if (idx >= 0x7fff) throw new Error('pstgen: too many named properties');
    }
    return 0x8000 + idx;
  }

  props(): RawProp[] {
    const BUCKETS = 251;
    const guidStream = new Uint8Array(16 * this.guids.length);
    this.guids.forEach((g, i) => guidStream.set(guidBytes(g), 16 * i));
    const entryStream = new Uint8Array(8 * this.entries.length);
    const strings: number[] = [];
    const buckets: Uint8Array[][] = Array.from({ length: BUCKETS }, () => []);
    this.entries.forEach((e, i) => {
      let id: number;
      let hashKey: number;
      const wGuid = (e.guidIndex << 1) | (e.name !== undefined ? 1 : 0);
      if (e.name !== undefined) {
        id = strings.length;
        const u = utf16(e.name);
        const len = new Uint8Array(4);
        new DataView(len.buffer).setUint32(0, u.length, true);
        strings.push(...len, ...u);
        while (strings.length % 4) strings.push(0);
        hashKey = pstCrc(u);
      } else {
        id = e.lid!;
        hashKey = e.lid!;
      }
      const rec = (dw: number) => {
        const b = new Uint8Array(8);
        const w = new Bytes(b);
        w.u32(0, dw);
        w.u16(4, wGuid);
        w.u16(6, i);
        return b;
      };
      entryStream.set(rec(id), 8 * i);
      buckets[((hashKey ^ wGuid) >>> 0) % BUCKETS]!.push(rec(hashKey));
    });
    const out: RawProp[] = [{ id: 0x0001, type: PT.LONG, inline: BUCKETS }];
    // The three streams are always present (libpff refuses a map without the entry stream).
    out.push({ id: 0x0002, type: PT.BINARY, bytes: guidStream });
    out.push({ id: 0x0003, type: PT.BINARY, bytes: entryStream });
    out.push({ id: 0x0004, type: PT.BINARY, bytes: new Uint8Array(strings) });
    buckets.forEach((recs, i) => {
      if (!recs.length) return;
      const b = new Uint8Array(8 * recs.length);
      recs.forEach((r, j) => b.set(r, 8 * j));
      out.push({ id: 0x1000 + i, type: PT.BINARY, bytes: b });
    });
    return out;
  }
}

// ---- table columns ([MS-PST] 2.4.4.4, 2.4.4.5, 2.4.5.3, 2.4.6.1) -------------------------------

function strType(ansi: boolean) {
  return ansi ? PT.STRING8 : PT.UNICODE;
}

function hierarchyColumns(ansi: boolean): TcColumn[] {
  return [
    { id: 0x3001, type: strType(ansi) },
    { id: 0x3602, type: PT.LONG },
    { id: 0x3603, type: PT.LONG },
    { id: 0x360a, type: PT.BOOLEAN },
    { id: 0x3613, type: strType(ansi) },
  ];
}

function contentsColumns(ansi: boolean): TcColumn[] {
  return [
    { id: 0x0017, type: PT.LONG },
    { id: 0x001a, type: strType(ansi) },
    { id: 0x0037, type: strType(ansi) },
    { id: 0x0039, type: PT.SYSTIME },
    { id: 0x0042, type: strType(ansi) },
    { id: 0x0e04, type: strType(ansi) },
    { id: 0x0e06, type: PT.SYSTIME },
    { id: 0x0e07, type: PT.LONG },
    { id: 0x0e08, type: PT.LONG },
  ];
}

function recipientColumns(ansi: boolean): TcColumn[] {
  return [
    { id: 0x0c15, type: PT.LONG },
    { id: 0x0e0f, type: PT.BOOLEAN },
    { id: 0x0ffe, type: PT.LONG },
    { id: 0x3001, type: strType(ansi) },
    { id: 0x3002, type: strType(ansi) },
    { id: 0x3003, type: strType(ansi) },
    { id: 0x3900, type: PT.LONG },
    { id: 0x39fe, type: strType(ansi) },
  ];
}

function attachmentColumns(ansi: boolean): TcColumn[] {
  return [
    { id: 0x0e20, type: PT.LONG },
    { id: 0x3704, type: strType(ansi) },
    { id: 0x3705, type: PT.LONG },
    { id: 0x3707, type: strType(ansi) },
    { id: 0x370b, type: PT.LONG },
  ];
}

function rowFrom(rowId: number, props: RawProp[], columns: TcColumn[]): TcRow {
  const want = new Set(columns.map((c) => c.id));
  const values = new Map<number, RawProp>();
  for (const p of props) if (want.has(p.id) && columns.find((c) => c.id === p.id)!.type === p.type) values.set(p.id, p);
  return { rowId, values };
}

// ---- the writer ----------------------------------------------------------------------------------

interface MessageWritten {
  bidData: number;
  bidSub: number;
  /** Size of the PC stream (for PtypObject sizes and PidTagMessageSize estimates). */
  size: number;
  props: RawProp[];
}

class PstBuilder {
  readonly g: Geometry;
  readonly enc: Encoder;
  readonly names = new NameMap();
  readonly recordKey: Uint8Array;
  readonly items: WrittenItem[] = [];
  private nextFolderIndex = 0x403; // after 0x401 IPM subtree and 0x402 search root
  private nextMessageIndex = 0x10000;
  private nextFaiIndex = 0x8000;
  private nextEmbeddedIndex = 0x4000000;
  private readonly special = new Map<SpecialFolder, number>();

  constructor(
    readonly desc: PstDescription,
    readonly ndb: NdbWriter,
  ) {
    this.g = ndb.g;
    this.enc = new Encoder(this.g.ansi);
    this.recordKey = desc.store.recordKey
      ? new Uint8Array(Buffer.from(desc.store.recordKey, 'hex'))
      : (() => {
          const k = new Uint8Array(16);
          const s = utf16(desc.store.displayName + '/mailferry');
          for (let i = 0; i < 4; i++) new DataView(k.buffer).setUint32(4 * i, pstCrc(s, 0, s.length, 0x1234567 * (i + 1)), true);
          return k;
        })();
    if (this.recordKey.length !== 16) throw new Error('pstgen: recordKey must be 16 bytes');
  }

  entryId(nid: number): Uint8Array {
    const b = new Uint8Array(24);
    b.set(this.recordKey, 4);
    new DataView(b.buffer).setUint32(20, nid, true);
    return b;
  }

  private writePcNode(nid: number, parent: number, props: RawProp[], scope?: NodeScope) {
    const s = scope ?? new NodeScope(this.ndb);
    const heap = buildPc(this.g, s, props);
    const bidData = heap.write(this.ndb);
    this.ndb.addNode({ nid, bidData, bidSub: s.write(), nidParent: parent });
  }

  private writeTcNode(nid: number, columns: TcColumn[], rows: TcRow[]) {
    const s = new NodeScope(this.ndb);
    const heap = buildTc(this.g, s, columns, rows);
    const bidData = heap.write(this.ndb);
    this.ndb.addNode({ nid, bidData, bidSub: s.write(), nidParent: 0 });
  }

  run() {
    const e = this.enc;
    // Pre-assign folder NIDs so special-folder entry ids are known when the store is written.
    const folderNids = new Map<FolderDesc, number>();
    const assign = (fs: FolderDesc[] | undefined) => {
      for (const f of fs ?? []) {
        const nid = ((this.nextFolderIndex++ << 5) | 0x02) >>> 0;
        folderNids.set(f, nid);
        if (f.special && !this.special.has(f.special)) this.special.set(f.special, nid);
        assign(f.folders);
      }
    };
    assign(this.desc.folders);

    // Folders and their contents (user data first: blocks are then in hierarchy order).
    const rootChildren: Array<{ nid: number; props: RawProp[] }> = [];
    const ipmChildren = this.desc.folders.map((f) => this.writeFolder(f, NID_IPM_SUBTREE, [], folderNids));
    // IPM subtree
    const ipmProps = [e.str(0x3001, this.g.ansi ? 'Top of Personal Folders' : 'Top of Outlook data file'), e.long(0x3602, 0), e.long(0x3603, 0), e.bool(0x360a, ipmChildren.length > 0)];
    this.folderNode(NID_IPM_SUBTREE, NID_ROOT_FOLDER, ipmProps, ipmChildren, [], []);
    rootChildren.push({ nid: NID_IPM_SUBTREE, props: ipmProps });
    const searchProps = [e.str(0x3001, 'Search Root'), e.long(0x3602, 0), e.long(0x3603, 0), e.bool(0x360a, false)];
    this.folderNode(NID_SEARCH_ROOT, NID_ROOT_FOLDER, searchProps, [], [], []);
    rootChildren.push({ nid: NID_SEARCH_ROOT, props: searchProps });
    // Root folder: its NBT parent is itself.
    const rootProps = [e.long(0x3602, 0), e.long(0x3603, 0), e.bool(0x360a, true)];
    this.folderNode(NID_ROOT_FOLDER, NID_ROOT_FOLDER, rootProps, rootChildren, [], []);

    // Table templates ([MS-PST] 2.4.8.1, 2.7.1): empty TCs defining the default columns.
    this.writeTcNode(NID_HIERARCHY_TEMPLATE, hierarchyColumns(this.g.ansi), []);
    this.writeTcNode(NID_CONTENTS_TEMPLATE, contentsColumns(this.g.ansi), []);
    this.writeTcNode(NID_ASSOC_TEMPLATE, contentsColumns(this.g.ansi), []);
    this.writeTcNode(NID_SEARCH_CONTENTS_TEMPLATE, contentsColumns(this.g.ansi), []);
    this.writeTcNode(NID_ATTACHMENT_TEMPLATE, attachmentColumns(this.g.ansi), []);
    this.writeTcNode(NID_RECIPIENT_TEMPLATE, recipientColumns(this.g.ansi), []);

    // Message store ([MS-PST] 2.4.3)
    const sp = (k: SpecialFolder) => this.special.get(k);
    const storeProps: RawProp[] = [
      e.bin(0x0ff9, this.recordKey),
      e.str(0x3001, this.desc.store.displayName),
      e.bin(0x35e0, this.entryId(NID_IPM_SUBTREE)),
      e.bin(0x35e7, this.entryId(NID_SEARCH_ROOT)),
    ];
    let mask = 0x01 | 0x80;
    if (sp('inbox')) mask |= 0x02;
    if (sp('outbox')) {
      mask |= 0x04;
      storeProps.push(e.bin(0x35e2, this.entryId(sp('outbox')!)));
    }
    if (sp('deleted')) {
      mask |= 0x08;
      storeProps.push(e.bin(0x35e3, this.entryId(sp('deleted')!)));
    }
    if (sp('sent')) {
      mask |= 0x10;
      storeProps.push(e.bin(0x35e4, this.entryId(sp('sent')!)));
    }
    storeProps.push(e.long(0x35df, mask));
    if (this.desc.store.password) storeProps.push(e.long(0x67ff, pstCrc(encodeCp1252(this.desc.store.password))));
    this.writePcNode(NID_MESSAGE_STORE, 0, storeProps);

    // Name-to-ID map last: every named property has been seen by now.
    this.writePcNode(NID_NAME_TO_ID_MAP, 0, this.names.props());
  }

  /** `contents` and `fai` are rows already (contentsColumns): a folder's messages are not kept whole. */
  private folderNode(nid: number, parent: number, props: RawProp[], children: Array<{ nid: number; props: RawProp[] }>, contents: TcRow[], fai: TcRow[]) {
    this.writePcNode(nid, parent, props);
    const base = nid & ~0x1f;
    const hc = hierarchyColumns(this.g.ansi);
    const cc = contentsColumns(this.g.ansi);
    this.writeTcNode((base | T_HIERARCHY) >>> 0, hc, children.map((c) => rowFrom(c.nid, c.props, hc)));
    this.writeTcNode((base | T_CONTENTS) >>> 0, cc, contents);
    this.writeTcNode((base | T_ASSOC) >>> 0, cc, fai);
  }

  private writeFolder(f: FolderDesc, parent: number, parentPath: string[], nids: Map<FolderDesc, number>): { nid: number; props: RawProp[] } {
    const e = this.enc;
    const nid = nids.get(f)!;
    const path = [...parentPath, f.name];
    this.items.push({ kind: 'folder', path, nid });
    const children = (f.folders ?? []).map((c) => this.writeFolder(c, nid, path, nids));
    const cc = contentsColumns(this.g.ansi);
    const contents: TcRow[] = [];
    let unread = 0;
    // Listed messages, then generated ones (a large generated mailbox is never held whole).
    for (const list of [f.messages ?? [], f.generated ?? []]) {
      for (const m of list) {
        const mnid = ((this.nextMessageIndex++ << 5) | 0x04) >>> 0;
        const w = this.writeMessage(m);
        this.ndb.addNode({ nid: mnid, bidData: w.bidData, bidSub: w.bidSub, nidParent: nid });
        this.items.push({ kind: 'message', path: [...path, m.subject], nid: mnid });
        contents.push(rowFrom(mnid, w.props, cc));
        if (!m.read) unread++;
      }
    }
    const fai: TcRow[] = [];
    for (const m of f.fai ?? []) {
      const mnid = ((this.nextFaiIndex++ << 5) | 0x08) >>> 0;
      const w = this.writeMessage(m);
      this.ndb.addNode({ nid: mnid, bidData: w.bidData, bidSub: w.bidSub, nidParent: nid });
      this.items.push({ kind: 'fai', path: [...path, m.subject], nid: mnid });
      fai.push(rowFrom(mnid, w.props, cc));
    }
    const props: RawProp[] = [
      e.str(0x3001, f.name),
      e.long(0x3602, contents.length),
      e.long(0x3603, unread),
      e.bool(0x360a, children.length > 0),
      e.long(0x3617, fai.length),
    ];
    if (f.containerClass) props.push(e.str(0x3613, f.containerClass));
    if (f.hidden) props.push(e.bool(0x10f4, true));
    if (f.special === 'inbox') {
      const ids: Array<[number, SpecialFolder]> = [
        [0x36d0, 'calendar'],
        [0x36d1, 'contacts'],
        [0x36d2, 'journal'],
        [0x36d3, 'notes'],
        [0x36d4, 'tasks'],
        [0x36d7, 'drafts'],
      ];
      for (const [id, k] of ids) {
        const n = this.special.get(k);
        if (n) props.push(e.bin(id, this.entryId(n)));
      }
    }
    this.folderNode(nid, parent, props, children, contents, fai);
    return { nid, props };
  }

  /** Write a message's subnodes and PC; the caller registers it (NBT node or subnode). */
  writeMessage(m: MessageDesc): MessageWritten {
    const e = this.enc;
    const scope = new NodeScope(this.ndb);
    const props: RawProp[] = [e.str(0x001a, m.messageClass), e.str(0x0037, m.subject), e.str(0x0070, m.subject)];
    const atts = m.attachments ?? [];
    let flags = m.read ? 0x01 : 0;
    if (atts.length) flags |= 0x10;
    props.push(e.long(0x0e07, flags));
    props.push(e.long(0x0017, m.importance ?? 1));
    let size = 0;
    if (m.bodyText !== undefined) {
      const p = e.str(0x1000, m.bodyText);
      size += p.bytes!.length;
      props.push(p);
    }
    if (m.bodyHtml !== undefined) {
      // PidTagInternetCodepage labels the HTML bytes (and, for readpst, the 8-bit plain body too):
      // UTF-8 in Unicode files, windows-1252 in ANSI files where every string is cp1252.
      const html = this.g.ansi ? encodeCp1252(m.bodyHtml) : new TextEncoder().encode(m.bodyHtml);
      size += html.length;
      props.push(e.bin(0x1013, html));
      props.push(e.long(0x3fde, this.g.ansi ? 1252 : 65001));
    }
    if (m.bodyRtf !== undefined) {
      const rtf = compressRtf(encodeCp1252(m.bodyRtf));
      size += rtf.length;
      props.push(e.bin(0x1009, rtf));
      props.push(e.bool(0x0e1f, true));
    }
    if (m.sender) {
      props.push(e.str(0x0c1a, m.sender.name), e.str(0x0c1e, 'SMTP'), e.str(0x0c1f, m.sender.email));
      props.push(e.str(0x0042, m.sender.name), e.str(0x0064, 'SMTP'), e.str(0x0065, m.sender.email));
    }
    if (m.submitTime) props.push(e.time(0x0039, m.submitTime));
    if (m.deliveryTime) props.push(e.time(0x0e06, m.deliveryTime));
    const stamp = m.deliveryTime ?? m.submitTime;
    if (stamp) props.push(e.time(0x3007, stamp), e.time(0x3008, stamp));
    if (m.messageId) props.push(e.str(0x1035, m.messageId));
    const recips = m.recipients ?? [];
    const disp = (t: string) => recips.filter((r) => r.type === t).map((r) => r.name).join('; ');
    for (const [id, t] of [[0x0e04, 'to'], [0x0e03, 'cc'], [0x0e02, 'bcc']] as const) if (disp(t)) props.push(e.str(id, disp(t)));
    for (const p of m.props ?? []) props.push(e.value(p.id, p));
    for (const p of m.named ?? []) props.push(e.value(this.names.idFor(p), p));

    // Recipient table ([MS-PST] 2.4.5.3): always present, rows carry the recipient properties.
    const rc = recipientColumns(this.g.ansi);
    const rrows = recips.map((r, i) => {
      const rp = [
        e.long(0x0c15, r.type === 'to' ? 1 : r.type === 'cc' ? 2 : 3),
        e.bool(0x0e0f, true),
        e.long(0x0ffe, 6),
        e.str(0x3001, r.name),
        e.str(0x3002, 'SMTP'),
        e.str(0x3003, r.email),
        e.long(0x3900, 0),
        e.str(0x39fe, r.email),
      ];
      return rowFrom(i, rp, rc);
    });
    {
      const s = new NodeScope(this.ndb);
      const heap = buildTc(this.g, s, rc, rrows);
      scope.add(NID_RECIPIENT_TABLE, heap.write(this.ndb), s.write());
    }

    // Attachments ([MS-PST] 2.4.6)
    if (atts.length) {
      const ac = attachmentColumns(this.g.ansi);
      const arows: TcRow[] = [];
      atts.forEach((a, i) => {
        const anid = (((0x400 + i) << 5) | 0x05) >>> 0;
        const { bidData, bidSub, props: ap, size: asz } = this.writeAttachment(a, i);
        size += asz;
        scope.add(anid, bidData, bidSub);
        arows.push(rowFrom(anid, ap, ac));
      });
      const s = new NodeScope(this.ndb);
      const heap = buildTc(this.g, s, ac, arows);
      scope.add(NID_ATTACHMENT_TABLE, heap.write(this.ndb), s.write());
    }
    props.push(e.long(0x0e08, Math.min(0x7fffffff, size + 1024)));
    const heap = buildPc(this.g, scope, props);
    const pages = heap.build();
    const bidData = this.ndb.writeStream(pages);
    return { bidData, bidSub: scope.write(), size: pages.reduce((a, p) => a + p.length, 0), props };
  }

  private writeAttachment(a: AttachmentDesc, index: number): { bidData: number; bidSub: number; props: RawProp[]; size: number } {
    const e = this.enc;
    const scope = new NodeScope(this.ndb);
    const props: RawProp[] = [e.str(0x3001, a.filename), e.str(0x3704, a.filename), e.str(0x3707, a.filename)];
    const dot = a.filename.lastIndexOf('.');
    if (dot > 0) props.push(e.str(0x3703, a.filename.slice(dot)));
    if (a.mimeType) props.push(e.str(0x370e, a.mimeType));
    if (a.contentId) props.push(e.str(0x3712, a.contentId));
    if (a.hidden) props.push(e.bool(0x7ffe, true));
    props.push(e.long(0x370b, 0xffffffff));
    let size: number;
    if (a.embedded) {
      const w = this.writeMessage(a.embedded);
      // Embedded message NIDs are unique file-wide (libpff resolves items by NID).
      const enid = ((this.nextEmbeddedIndex++ << 5) | 0x04) >>> 0;
      scope.add(enid, w.bidData, w.bidSub);
      const obj = new Uint8Array(8);
      new Bytes(obj).u32(0, enid);
      new Bytes(obj).u32(4, w.size);
      props.push(e.long(0x3705, 5), { id: 0x3701, type: PT.OBJECT, bytes: obj });
      size = w.size;
    } else if (a.content) {
      const c = a.content;
      size = attachmentSize(c);
      props.push(e.long(0x3705, 1));
      if ('size' in c && size > 3580) {
        // Stream generated content straight into blocks.
        const max = this.g.maxBlockData;
        const kind = c.kind ?? 'random';
        // one reusable buffer: writeBlock copies (or encodes a copy of) each payload
        const buf = new Uint8Array(max);
        const chunks = function* () {
          for (let off = 0; off < size; off += max) {
            const part = buf.subarray(0, Math.min(max, size - off));
            fillAttachmentBytes(c.seed, kind, off, part);
            yield part;
          }
        };
        const nid = scope.ltpNid();
        scope.add(nid, this.ndb.writeStream(chunks()), 0);
        props.push({ id: 0x3701, type: PT.BINARY, subnodeNid: nid });
      } else {
        props.push(e.bin(0x3701, attachmentBytes(c)));
      }
    } else {
      throw new Error(`pstgen: attachment ${a.filename} has neither content nor embedded message`);
    }
    props.push(e.long(0x0e20, Math.min(size, 0xffffffff)));
    const heap = buildPc(this.g, scope, props);
    const bidData = heap.write(this.ndb);
    return { bidData, bidSub: scope.write(), props, size };
  }
}

/** A file output with positional synchronous writes. */
class FileOutput implements PstOutput {
  constructor(readonly fd: number) {}
  writeAt(data: Uint8Array, position: number) {
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, position + done);
  }
}

/** A growable in-memory output. */
class MemoryOutput implements PstOutput {
  buf = new Uint8Array(1 << 20);
  size = 0;
  writeAt(data: Uint8Array, position: number) {
    const end = position + data.length;
    if (end > this.buf.length) {
      let n = this.buf.length;
      while (n < end) n *= 2;
      const b = new Uint8Array(n);
      b.set(this.buf.subarray(0, this.size));
      this.buf = b;
    }
    this.buf.set(data, position);
    this.size = Math.max(this.size, end);
  }
}

function writeTo(desc: PstDescription, out: PstOutput, options: WriteOptions): WriteResult {
  const ndb = new NdbWriter(desc.variant, desc.crypt, out, options.compressionLevel ?? 6, options.onProgress);
  const b = new PstBuilder(desc, ndb);
  b.run();
  const r = ndb.finish(desc.crypt);
  return {
    variant: desc.variant,
    size: r.size,
    nodes: r.nodes,
    blocks: r.blocks,
    compressedBlocks: ndb.stats.compressedBlocks,
    xxblocks: ndb.stats.xxblocks,
    nbtRoot: r.nbtRoot,
    bbtRoot: r.bbtRoot,
    items: b.items,
  };
}

/**
 * Write `desc` as a PST/OST file at `path` (streamed: memory stays proportional to the number of
 * blocks, not the file size) or into `output`.
 */
export async function writePst(desc: PstDescription, target: string | PstOutput, options: WriteOptions = {}): Promise<WriteResult> {
  if (typeof target !== 'string') return writeTo(desc, target, options);
  const fd = openSync(target, 'w');
  try {
    const r = writeTo(desc, new FileOutput(fd), options);
    ftruncateSync(fd, r.size);
    return r;
  } finally {
    closeSync(fd);
  }
}

/** Write `desc` into memory (small fixtures, fuzzing). */
export function writePstToBytes(desc: PstDescription, options: WriteOptions = {}): { bytes: Uint8Array; result: WriteResult } {
  const out = new MemoryOutput();
  const result = writeTo(desc, out, options);
  const bytes = new Uint8Array(result.size);
  bytes.set(out.buf.subarray(0, Math.min(out.size, result.size)));
  return { bytes, result };
}

/**
 * Write `desc` to a sequential ByteSink (worker/io/sink.ts). The header and allocation maps are
 * only known at the end, so the file is assembled in memory first: use for fixtures, not for
 * multi-GiB files (use a path there).
 */
export async function writePstToSink(desc: PstDescription, sink: ByteSink, options: WriteOptions = {}): Promise<WriteResult> {
  const { bytes, result } = writePstToBytes(desc, options);
  for (let o = 0; o < bytes.length; o += 1 << 20) await sink.write(bytes.subarray(o, Math.min(bytes.length, o + (1 << 20))));
  await sink.close();
  return result;
}
