/**
 * The validator's LTP checks of one node through the reader's own layers (LtpNode, checkPc,
 * Table.checkRows over ndb/blocks.ts, shallow): the reference behaviour that validate-ltp.ts
 * mirrors synchronously. Used where the fast path does not apply: a damaged or very large BBT or
 * NBT (blocks found through B-tree lookups, with the trailer-scan recovery), and nodes whose
 * blocks lie too far apart to gather within the fast path's budget.
 */
import { type Reporter, hex } from './codes.ts';
import { LtpNode } from './ltp/node.ts';
import { checkPc, type PcProbe } from './ltp/pc.ts';
import { Table } from './ltp/tc.ts';
import type { Blocks } from './ndb/blocks.ts';
import { MAX_EMBED_DEPTH, NID_ATTACHMENT_TABLE, NID_RECIPIENT_TABLE, isEmbeddedMethod, nidType } from './messaging/pst-file.ts';

/** Check one NBT node by its type (messages, folder and store PCs, folder tables). */
export async function checkNodeLayers(blocks: Blocks, rep: Reporter, ansi: boolean, nid: number, bidData: number, bidSub: number): Promise<void> {
  const t = nidType(nid);
  try {
    if (t === 0x04 || t === 0x08) {
      const node = await LtpNode.open(blocks, rep, nid, bidData, bidSub, undefined, true);
      if (!node) rep.report('PST-MESSAGE', { nid, message: `Message ${hex(nid)} has no readable heap.` });
      else await checkMessage(node, rep, ansi, 0);
    } else if (t === 0x02 || t === 0x03 || nid === 0x21 || nid === 0x61) {
      const node = await LtpNode.open(blocks, rep, nid, bidData, bidSub, undefined, true);
      if (node) await checkPc(node, rep);
      else rep.report('PST-FOLDER', { nid, message: `Object ${hex(nid)} has no readable heap.` });
    } else if (t === 0x0d || t === 0x0e || t === 0x0f || t === 0x10) {
      // A folder's table may be huge: its heap is paged (at most a few of its pages in memory).
      const node = await LtpNode.openPaged(blocks, rep, nid, bidData, bidSub, true, true);
      // Search contents tables may use the undocumented 0xAC table variant: not checked.
      const table = node && !(t === 0x10 && node.heap.clientSig === 0xac) ? await Table.openAny(node, rep, ansi) : null;
      if (table) await table.checkRows();
    }
  } catch (e) {
    rep.report('PST-MESSAGE', { nid, message: `Unexpected failure: ${(e as Error).message}` });
  }
}

/**
 * LTP structure of one message: its PC, recipient and attachment TCs, every attachment PC and
 * embedded messages below them ([MS-PST] 2.4.5-2.4.6). Values in subnodes are not read (the
 * block pass checked their blocks); the node is shallow.
 */
async function checkMessage(node: LtpNode, rep: Reporter, ansi: boolean, depth: number): Promise<void> {
  if (!(await checkPc(node, rep))) {
    rep.report('PST-MESSAGE', { nid: node.nid, message: `Message ${hex(node.nid)}: its property context is unreadable.` });
    return;
  }
  const subs = await node.subnodes();
  for (const tnid of [NID_RECIPIENT_TABLE, NID_ATTACHMENT_TABLE]) {
    if (!subs.has(tnid)) continue;
    const tn = await node.openSubnode(tnid);
    const table = tn ? Table.open(tn, rep, ansi) : null;
    if (!table) {
      rep.report(tnid === NID_RECIPIENT_TABLE ? 'PST-RECIPIENTS' : 'PST-ATTACHMENT', { nid: node.nid, message: `Message ${hex(node.nid)}: table ${hex(tnid)} is unreadable.` });
      continue;
    }
    if (tnid !== NID_ATTACHMENT_TABLE) {
      await table.checkRows();
      continue;
    }
    await table.checkRows(async (rowId) => {
      const an = await node.openSubnode(rowId);
      const probe: PcProbe = {};
      if (!an || !(await checkPc(an, rep, probe))) {
        rep.report('PST-ATTACHMENT', { nid: node.nid, message: `Attachment ${hex(rowId)} of message ${hex(node.nid)} is unreadable.` });
        return;
      }
      const m = probe.attachMethod;
      if (probe.objectNid !== undefined && isEmbeddedMethod(m)) {
        if (depth >= MAX_EMBED_DEPTH) {
          rep.report('PST-EMBED-DEPTH', { nid: node.nid });
          return;
        }
        const sub = await an.openSubnode(probe.objectNid);
        if (!sub) rep.report('PST-ATTACHMENT', { nid: node.nid, field: 'PidTagAttachDataObject', message: `Embedded message of attachment ${hex(rowId)} is unreadable.` });
        else await checkMessage(sub, rep, ansi, depth + 1);
      }
    });
  }
}
