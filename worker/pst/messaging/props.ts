/**
 * Raw LTP properties → model properties (worker/mapi/types.ts): code-page choice for PT_STRING8
 * (PR_MESSAGE_CODEPAGE, then PR_INTERNET_CPID mapped to its Windows code page, then the store /
 * user default, or the user's forced choice), named-property names from the name-to-ID map
 * ([MS-PST] 2.4.7), and a finding whenever text did not fit its code page. The tag keeps the
 * stored type (PT_STRING8 stays PT_STRING8) so writers can decide.
 */
import * as T from '../../mapi/types.ts';
import type { Prop, PropertyName } from '../../mapi/types.ts';
import { codepageLabel, decodeCodepage } from '../../text/codepage.ts';
import type { Reporter } from '../codes.ts';
import type { NamedPropMap } from '../index.ts';
import type { RawList, RawProp } from '../ltp/pc.ts';
import { decodeUtf16, decodeValue, decodeValueAt } from '../ltp/values.ts';
import { le32 } from '../ndb/header.ts';

/** Windows code page used for 8-bit MAPI strings written under an Internet code page. */
export function windowsCodepageFor(cpid: number): number | undefined {
  if ((cpid >= 1250 && cpid <= 1258) || cpid === 874 || cpid === 932 || cpid === 936 || cpid === 949 || cpid === 950) return cpid;
  switch (cpid) {
    case 50220: case 50221: case 50222: case 50932: case 51932: case 20932: return 932;
    case 20127: case 28591: case 28605: return 1252;
    case 28592: return 1250;
    case 28595: case 20866: case 21866: return 1251;
    case 28597: return 1253;
    case 28599: return 1254;
    case 28598: case 38598: return 1255;
    case 28596: return 1256;
    case 28594: case 28603: return 1257;
    case 20936: case 51936: case 52936: case 54936: return 936;
    case 50225: case 51949: return 949;
    default: return undefined;
  }
}

export interface CodepagePolicy {
  /** Default code page (store / option). */
  codepage: number;
  force: boolean;
}

/** Property ids objectCodepage() reads: PR_MESSAGE_CODEPAGE, PR_INTERNET_CPID. */
export const CODEPAGE_IDS: readonly number[] = [0x3ffd, 0x3fde];

/** The code page for an object's PT_STRING8 values, from its own raw properties. */
export function objectCodepage(raw: RawProp[], policy: CodepagePolicy, inherited?: number): number {
  if (policy.force) return policy.codepage;
  let msg: number | undefined;
  let inet: number | undefined;
  for (let i = 0; i < raw.length; i++) {
    const p = raw[i]!;
    if (p.type !== T.PT_LONG || (p.id !== 0x3ffd && p.id !== 0x3fde) || p.bytes.length < 4) continue;
    const b = p.bytes;
    const v = le32(b, 0);
    if (p.id === 0x3ffd) msg = v;
    else inet = v;
  }
  return pickCodepage(msg, inet, policy, inherited);
}

/** objectCodepage() over a RawList (same choice). */
export function objectCodepageList(raw: RawList, policy: CodepagePolicy, inherited?: number): number {
  if (policy.force) return policy.codepage;
  let msg: number | undefined;
  let inet: number | undefined;
  const { loc, bufs } = raw;
  for (let i = 0; i < raw.n; i++) {
    const id = loc[4 * i]!;
    const o = loc[4 * i + 2]!;
    if (loc[4 * i + 1] !== T.PT_LONG || (id !== 0x3ffd && id !== 0x3fde) || loc[4 * i + 3]! - o < 4) continue;
    const b = bufs[i]!;
    const v = le32(b, o);
    if (id === 0x3ffd) msg = v;
    else inet = v;
  }
  return pickCodepage(msg, inet, policy, inherited);
}

function pickCodepage(msg: number | undefined, inet: number | undefined, policy: CodepagePolicy, inherited: number | undefined): number {
  if (msg !== undefined && msg !== 0 && msg !== 1200 && codepageLabel(msg)) return msg;
  if (inet !== undefined) {
    const w = windowsCodepageFor(inet);
    if (w) return w;
  }
  return inherited ?? policy.codepage;
}

export class NamedMap implements NamedPropMap {
  private readonly byId = new Map<number, PropertyName>();
  private readonly byKey = new Map<string, number>();
  static readonly empty = new NamedMap();

  add(id: number, name: PropertyName): void {
    this.byId.set(id, name);
    this.byKey.set(key(name), id);
  }
  name(id: number): PropertyName | undefined {
    return this.byId.get(id);
  }
  id(name: PropertyName): number | undefined {
    return this.byKey.get(key(name));
  }
  get size(): number {
    return this.byId.size;
  }
}

const key = (n: PropertyName) => `${n.guid.toLowerCase()}|${n.lid !== undefined ? 'i' + n.lid : 's' + n.name}`;

/** Build the map from the raw props of NID_NAME_TO_ID_MAP ([MS-PST] 2.4.7). */
export function buildNamedMap(raw: RawProp[], rep: Reporter): NamedMap {
  const map = new NamedMap();
  const get = (id: number) => raw.find((p) => p.id === id && p.type === T.PT_BINARY)?.bytes;
  const guids = get(0x0002) ?? new Uint8Array(0);
  const entries = get(0x0003);
  const strings = get(0x0004) ?? new Uint8Array(0);
  if (!entries) {
    rep.report('PST-NAMEID-MISSING', { nid: 0x61, field: 'PidTagNameidStreamEntry' });
    return map;
  }
  const edv = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  const sdv = new DataView(strings.buffer, strings.byteOffset, strings.byteLength);
  const nGuids = Math.floor(guids.length / 16);
  for (let at = 0; at + 8 <= entries.length; at += 8) {
    const dwPropertyID = edv.getUint32(at, true);
    const wGuid = edv.getUint16(at + 4, true);
    const wPropIdx = edv.getUint16(at + 6, true);
    const gi = wGuid >>> 1;
    let guid: string;
    if (gi === 1 || gi === 0) guid = T.PSETID.PS_MAPI;
    else if (gi === 2) guid = T.PSETID.PS_PUBLIC_STRINGS;
    else if (gi - 3 < nGuids) guid = T.guidToString(guids, (gi - 3) * 16);
    else {
      rep.report('PST-NAMEID', { nid: 0x61, field: 'NAMEID.wGuid', message: `Entry ${at / 8} names GUID index ${gi}, the stream has ${nGuids}.` });
      continue;
    }
    const id = 0x8000 + wPropIdx;
    if (wGuid & 1) {
      if (dwPropertyID + 4 > strings.length) {
        rep.report('PST-NAMEID', { nid: 0x61, field: 'NAMEID.dwPropertyID', message: `String entry ${at / 8} points outside the string stream.` });
        continue;
      }
      const len = sdv.getUint32(dwPropertyID, true);
      if (dwPropertyID + 4 + len > strings.length) {
        rep.report('PST-NAMEID', { nid: 0x61, field: 'PidTagNameidStreamString', message: `String entry ${at / 8} is longer than the string stream.` });
        continue;
      }
      map.add(id, { guid, name: decodeUtf16(strings.subarray(dwPropertyID + 4, dwPropertyID + 4 + len)) });
    } else {
      map.add(id, { guid, lid: dwPropertyID });
    }
  }
  return map;
}

export interface ConvertContext {
  rep: Reporter;
  nid: number;
  codepage: number;
  named: NamedPropMap;
  /** Properties to leave out (e.g. LTP row id/version columns). */
  skip?: (id: number) => boolean;
}

/**
 * PT_STRING8 decoding with the context's code page; the first fallback of a property list is
 * reported, once.
 */
function string8Decoder(ctx: ConvertContext): (b: Uint8Array) => string {
  let reported = false;
  return (b) => {
    const r = decodeCodepage(b, ctx.codepage);
    if (r.fallback && !reported) {
      reported = true;
      ctx.rep.report(codepageLabel(ctx.codepage) ? 'PST-STRING8-CODEPAGE' : 'PST-CODEPAGE-UNKNOWN', {
        nid: ctx.nid, field: 'PtypString8', message: `Code page ${ctx.codepage}; decoded as ${r.encoding}.`,
      });
    }
    return r.text;
  };
}

/** A model property; ids of the named range get their name from the name-to-ID map. */
function modelProp(id: number, type: number, value: T.PropValue, ctx: ConvertContext): Prop {
  const prop: Prop = { tag: T.propTag(id, type), value };
  if (id >= 0x8000) {
    const name = ctx.named.name(id);
    if (name) prop.name = name;
    else ctx.rep.report('PST-NAMEID-UNKNOWN', { nid: ctx.nid, field: 'NAMEID.wPropIdx', message: `Property id 0x${id.toString(16)}.`, severity: 'info' });
  }
  return prop;
}

/** Raw properties → model properties. Undecodable values are dropped with a finding. */
export function convertProps(raw: RawProp[], ctx: ConvertContext): Prop[] {
  const out: Prop[] = [];
  const s8 = string8Decoder(ctx);
  for (const p of raw) {
    if (ctx.skip?.(p.id)) continue;
    const value = decodeValue(p.type, p.bytes, s8);
    if (value === undefined) {
      ctx.rep.report('PST-PC-VALUE', { nid: ctx.nid, field: 'PropertyValue', message: `Property 0x${p.id.toString(16)} type 0x${p.type.toString(16)}: ${p.bytes.length} bytes do not fit the type.` });
      continue;
    }
    out.push(modelProp(p.id, p.type, value, ctx));
  }
  return out;
}

/** convertProps() over a RawList: same properties, order and findings, no view per value. */
export function convertList(raw: RawList, ctx: ConvertContext): Prop[] {
  const out: Prop[] = [];
  const s8 = string8Decoder(ctx);
  const { loc, bufs } = raw;
  const skip = ctx.skip;
  for (let i = 0; i < raw.n; i++) {
    const id = loc[4 * i]!;
    if (skip?.(id)) continue;
    const type = loc[4 * i + 1]!;
    const start = loc[4 * i + 2]!;
    const end = loc[4 * i + 3]!;
    const value = decodeValueAt(type, bufs[i]!, start, end, s8);
    if (value === undefined) {
      ctx.rep.report('PST-PC-VALUE', { nid: ctx.nid, field: 'PropertyValue', message: `Property 0x${id.toString(16)} type 0x${type.toString(16)}: ${end - start} bytes do not fit the type.` });
      continue;
    }
    out.push(modelProp(id, type, value, ctx));
  }
  return out;
}
