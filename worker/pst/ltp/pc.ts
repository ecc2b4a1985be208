/**
 * Property context ([MS-PST] 2.3.3): a BTH (cbKey 2 = property id, cbEnt 6 = wPropType +
 * dwValueHnid) whose values are inline (≤ 4-byte types) or behind an HNID. Returns raw bytes per
 * property; the messaging layer decodes them once it knows the object's code page. A value that
 * does not resolve loses only that property (PST-PC-VALUE).
 */
import { type Reporter, hex } from '../codes.ts';
import { bthRecords } from './bth.ts';
import { CLIENT_PC } from './heap.ts';
import type { LtpNode } from './node.ts';
import { isInlinePcType } from './values.ts';

export interface RawProp {
  id: number;
  type: number;
  bytes: Uint8Array;
}

export async function readPc(node: LtpNode, rep: Reporter): Promise<RawProp[] | null> {
  const nid = node.nid;
  if (node.heap.clientSig !== CLIENT_PC) {
    rep.report('PST-HN-CLIENT', { nid, field: 'HNHDR.bClientSig', message: `Expected a property context (0xBC), found ${hex(node.heap.clientSig)}.` });
    return null;
  }
  const bth = bthRecords(node.heap, node.heap.hidUserRoot, rep, nid);
  if (!bth) return null;
  if (bth.header.cbKey !== 2 || bth.header.cbEnt !== 6) {
    rep.report('PST-BTH-HEADER', { nid, field: 'BTHHEADER.cbKey', message: `PC BTH has cbKey ${bth.header.cbKey}, cbEnt ${bth.header.cbEnt}.` });
    return null;
  }
  const out: RawProp[] = [];
  for (const { item: b, at } of bth.records) {
    const id = b[at]! | (b[at + 1]! << 8);
    const type = b[at + 2]! | (b[at + 3]! << 8);
    if (isInlinePcType(type)) {
      out.push({ id, type, bytes: b.slice(at + 4, at + 8) });
      continue;
    }
    const hnid = (b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24)) >>> 0;
    const bytes = await node.hnid(hnid, `PC[${hex(id)}].dwValueHnid`);
    if (!bytes) {
      rep.report('PST-PC-VALUE', { nid, field: 'PropertyContext.dwValueHnid', message: `Property ${hex(id)} type ${hex(type)} (HNID ${hex(hnid)}).` });
      continue;
    }
    out.push({ id, type, bytes });
  }
  return out;
}
