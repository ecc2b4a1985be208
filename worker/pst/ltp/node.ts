/**
 * An LTP view of one NDB node (or subnode): its heap plus lazy access to its subnodes, which is
 * everything a PC or TC needs to resolve an HNID ([MS-PST] 2.3.3.2: a HID into the node's own
 * heap, or the NID of a subnode whose data stream holds the value).
 */
import type { Reporter } from '../codes.ts';
import { type Blocks, type SubnodeEntry, isInternal } from '../ndb/blocks.ts';
import { Heap } from './heap.ts';

export class LtpNode {
  private subMap: Promise<Map<number, SubnodeEntry>> | undefined;

  private constructor(
    readonly blocks: Blocks,
    readonly rep: Reporter,
    readonly nid: number,
    readonly heap: Heap,
    readonly bidSub: number,
    /** Subnodes of the enclosing node, searched when a NID is not among ours. */
    private readonly outer?: LtpNode,
    /**
     * Structure-only mode (validator): values stored in subnodes are checked for presence, not
     * read, and come back empty. Their blocks are checked by the validator's block pass.
     */
    readonly shallow = false,
  ) {}

  /** Open a node's heap; null (with findings) when the data tree or HNHDR is unusable. */
  static async open(blocks: Blocks, rep: Reporter, nid: number, bidData: number, bidSub: number, outer?: LtpNode, shallow = outer?.shallow ?? false): Promise<LtpNode | null> {
    if (!bidData) return null;
    // Most heaps are one data block: read it directly (readTree's result for a leaf BID).
    const pages = isInternal(bidData) ? await blocks.readTree(bidData, { nid }) : [await blocks.read(bidData, { nid })];
    const heap = Heap.open(pages, blocks.L.hidBlockShift, rep, nid);
    if (!heap) return null;
    return new LtpNode(blocks, rep, nid, heap, bidSub, outer, shallow);
  }

  subnodes(): Promise<Map<number, SubnodeEntry>> {
    this.subMap ??= this.blocks.subnodes(this.bidSub, { nid: this.nid }).then((m) => (this.subMapValue = m));
    return this.subMap;
  }

  /** subnodes()'s map once settled: later lookups need no await. */
  private subMapValue: Map<number, SubnodeEntry> | undefined;

  async subnode(nid: number): Promise<SubnodeEntry | undefined> {
    const own = (this.subMapValue ?? (await this.subnodes())).get(nid);
    if (own) return own;
    return this.outer?.subnode(nid);
  }

  /** Open a subnode (attachment PC, embedded message, recipient/attachment TC) as an LtpNode. */
  async openSubnode(nid: number): Promise<LtpNode | null> {
    const e = await this.subnode(nid);
    if (!e) return null;
    return LtpNode.open(this.blocks, this.rep, nid, e.bidData, e.bidSub, this);
  }

  /** Resolve an HNID to bytes ([MS-PST] 2.3.3.2). Empty for HNID 0. */
  async hnid(hnid: number, field: string): Promise<Uint8Array | null> {
    if (hnid === 0) return new Uint8Array(0);
    if ((hnid & 0x1f) === 0) return this.heap.get(hnid);
    const e = await this.subnode(hnid);
    if (!e) {
      this.rep.report('PST-SUBNODE-MISSING', { nid: this.nid, field, message: `Subnode ${'0x' + hnid.toString(16)}.` });
      return null;
    }
    if (this.shallow) return new Uint8Array(0);
    return this.blocks.readStream(e.bidData, { nid: this.nid });
  }
}
