/**
 * JSON form of decoded GXMT frames, one object per frame (`mailferry print --json`), and the
 * text tree in the manner of `gromox-import -t -p` (shared/reference/gxmt-format.md §3.5).
 *
 * JSON conventions (stable; tests of every converter compare against them):
 * - `kind`: `header` (first line) | `folder` | `message` | `namedprop`;
 * - ids (`nid`, `parent`, folder-map `nid`/`target`) are hex strings `"0x122"` (BigInt() parses them);
 * - a property is `{tag: "0x0037001f", value}` plus `name: {guid, lid|name}` for named ones;
 * - values: PT_SHORT/LONG/FLOAT/DOUBLE/APPTIME/ERROR numbers (non-finite floats as the strings
 *   "NaN", "Infinity", "-Infinity"); PT_I8/CURRENCY/SYSTIME decimal strings (signed for I8 and
 *   CURRENCY, unsigned FILETIME for SYSTIME); PT_BOOLEAN true/false; strings as strings;
 *   PT_BINARY/OBJECT/SVREID/CLSID/SRESTRICTION/ACTIONS lower-case hex strings; multi-values arrays;
 * - messages: `props`, `recipients` (array of property arrays), `attachments` (`{props, embedded?}`,
 *   embedded messages recursively in the same shape); a non-empty RFC 5322 field as `rfc5322`
 *   (text, when it is valid UTF-8) or `rfc5322Hex`; `hasRecipients`/`hasAttachments: false` only
 *   when the stream marks the list absent.
 */
import type { Prop, PropValue } from '../mapi/types.ts';
import type { DecodedMessage, GxmtFrame, GxmtHeader } from './reader.ts';

export const hexId = (v: bigint): string => '0x' + v.toString(16);
export const tagHex = (t: number): string => '0x' + (t >>> 0).toString(16).padStart(8, '0');

export function bytesHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export function valueJson(v: PropValue): JsonValue {
  if (v === null) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return bytesHex(v);
  return (v as PropValue[]).map((x) => valueJson(x));
}

export function propJson(p: Prop): { [k: string]: JsonValue } {
  const o: { [k: string]: JsonValue } = { tag: tagHex(p.tag) };
  if (p.name) o.name = p.name.name !== undefined ? { guid: p.name.guid, name: p.name.name } : { guid: p.name.guid, lid: p.name.lid ?? 0 };
  o.value = valueJson(p.value);
  return o;
}

export function contentJson(m: DecodedMessage): { [k: string]: JsonValue } {
  const o: { [k: string]: JsonValue } = {
    props: m.props.map(propJson),
    recipients: m.recipients.map((r) => r.map(propJson)),
    attachments: m.attachments.map((a) => {
      const x: { [k: string]: JsonValue } = { props: a.props.map(propJson) };
      if (a.embedded) x.embedded = contentJson(a.embedded);
      return x;
    }),
  };
  if (!m.hasRecipients) o.hasRecipients = false;
  if (!m.hasAttachments) o.hasAttachments = false;
  return o;
}

export function headerJson(h: GxmtHeader): { [k: string]: JsonValue } {
  return {
    kind: 'header',
    version: h.version,
    splice: h.splice,
    publicStore: h.publicStore,
    folderMap: h.folderMap.map((e) => ({ nid: hexId(e.nid), create: e.create, target: hexId(e.target), name: e.name })),
    nameMap: h.nameMap.map((e) => ({ tag: tagHex(e.tag), name: e.name as unknown as JsonValue })),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function frameJson(f: GxmtFrame): { [k: string]: JsonValue } {
  const o: { [k: string]: JsonValue } = { kind: f.kind, nid: hexId(f.nid), parentType: f.parentType, parent: hexId(f.parent) };
  if (f.kind === 'namedprop') {
    o.name = f.name.name !== undefined ? { guid: f.name.guid, name: f.name.name } : { guid: f.name.guid, lid: f.name.lid ?? 0 };
  } else if (f.kind === 'folder') {
    o.props = f.props.map(propJson);
    if (f.acls.length) o.acls = f.acls.map((a) => ({ flags: a.flags, props: a.props.map(propJson) }));
  } else {
    Object.assign(o, contentJson(f.content));
    if (f.rfc5322.length) {
      try {
        o.rfc5322 = utf8.decode(f.rfc5322);
      } catch {
        o.rfc5322Hex = bytesHex(f.rfc5322);
      }
    }
  }
  return o;
}

/** Property value as one line of text for the tree view. */
function valueText(v: PropValue, max = 200): string {
  if (v instanceof Uint8Array) return `[${v.length} bytes] ${bytesHex(v.subarray(0, 32))}${v.length > 32 ? '…' : ''}`;
  if (typeof v === 'string') return JSON.stringify(v.length > max ? v.slice(0, max) + '…' : v);
  if (Array.isArray(v)) return '[' + (v as PropValue[]).map((x) => valueText(x, 60)).join(', ') + ']';
  return String(v);
}

function propLines(props: Prop[], indent: string): string[] {
  return props.map((p) => {
    const name = p.name ? ` {${p.name.guid} ${p.name.name !== undefined ? JSON.stringify(p.name.name) : '0x' + (p.name.lid ?? 0).toString(16)}}` : '';
    return `${indent}${tagHex(p.tag)}${name} = ${valueText(p.value)}`;
  });
}

function contentLines(m: DecodedMessage, indent: string, props: boolean): string[] {
  const out: string[] = [];
  if (props) out.push(`${indent}props(${m.props.length}):`, ...propLines(m.props, indent + '  '));
  m.recipients.forEach((r, i) => {
    out.push(`${indent}Recipient #${i}`);
    if (props) out.push(...propLines(r, indent + '  '));
  });
  m.attachments.forEach((a, i) => {
    out.push(`${indent}Attachment #${i}${a.embedded ? ' [embedded message]' : ''}`);
    if (props) out.push(...propLines(a.props, indent + '  '));
    if (a.embedded) {
      out.push(`${indent}  Embedded message`);
      out.push(...contentLines(a.embedded, indent + '    ', props));
    }
  });
  return out;
}

/** Tree lines for a frame like `gromox-import -t` (with `props` like `-p`). */
export function frameText(f: GxmtFrame, props: boolean): string[] {
  if (f.kind === 'namedprop') {
    const n = f.name;
    return props ? [`exm: Namedprop ${tagHex(f.tag)} = {${n.guid} ${n.name !== undefined ? JSON.stringify(n.name) : '0x' + (n.lid ?? 0).toString(16)}}`] : [];
  }
  if (f.kind === 'folder') {
    const out = [`exm: Folder ${f.nid.toString(16)}h (parent=${f.parent.toString(16)}h)`];
    if (props) out.push(`  props(${f.props.length}):`, ...propLines(f.props, '    '));
    return out;
  }
  return [
    `exm: Message ${f.nid.toString(16)}h (parent=${f.parent.toString(16)}h) [RFC5322: ${f.rfc5322.length} bytes]`,
    ...contentLines(f.content, '  ', props),
  ];
}

export function headerText(h: GxmtHeader, props: boolean): string[] {
  const out = [`GXMT000${h.version} splice=${h.splice ? 1 : 0} public=${h.publicStore ? 1 : 0}`];
  for (const e of h.folderMap) {
    out.push(`Folder map: ${e.nid.toString(16)}h -> ${e.create ? 'create' : 'splice'} target=${e.target.toString(16)}h${e.create ? ` name=${JSON.stringify(e.name)}` : ''}`);
  }
  if (props) for (const e of h.nameMap) out.push(`Name map: ${tagHex(e.tag)} = ${JSON.stringify(e.name)}`);
  return out;
}
