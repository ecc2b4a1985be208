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
    return LtpNode.openAny(blocks, rep, nid, bidData, bidSub, outer, shallow);
  }

  /** open() without a promise when the node is one cached data block (the common case). */
  static openAny(blocks: Blocks, rep: Reporter, nid: number, bidData: number, bidSub: number, outer?: LtpNode, shallow = outer?.shallow ?? false): LtpNode | null | Promise<LtpNode | null> {
    if (!bidData) return null;
    const done = (pages: (Uint8Array | null)[] | null): LtpNode | null => {
      const heap = Heap.open(pages, blocks.L.hidBlockShift, rep, nid);
      return heap ? new LtpNode(blocks, rep, nid, heap, bidSub, outer, shallow) : null;
    };
    if (isInternal(bidData)) return blocks.readTree(bidData, { nid }).then(done);
    // Most heaps are one data block: read it directly (readTree's result for a leaf BID).
    const b = blocks.readAny(bidData, { nid });
    return b instanceof Promise ? b.then((v) => done([v])) : done([b]);
  }

  subnodes(): Promise<Map<number, SubnodeEntry>> {
    if (!this.subMap) {
      const m = this.subnodesAny();
      this.subMap = m instanceof Promise ? m : Promise.resolve(m);
    }
    return this.subMap;
  }

  /** The subnode map, without a promise once read or when its blocks are cached. */
  subnodesAny(): Map<number, SubnodeEntry> | Promise<Map<number, SubnodeEntry>> {
    if (this.subMapValue) return this.subMapValue;
    if (this.subMap) return this.subMap;
    const m = this.blocks.subnodesAny(this.bidSub, { nid: this.nid });
    if (m instanceof Promise) {
      this.subMap = m.then((v) => (this.subMapValue = v));
      return this.subMap;
    }
    this.subMapValue = m;
    return m;
  }

  /** subnodes()'s map once settled: later lookups need no await. */
  private subMapValue: Map<number, SubnodeEntry> | undefined;

  async subnode(nid: number): Promise<SubnodeEntry | undefined> {
    return this.subnodeAny(nid);
  }

  /** subnode() without a promise once the maps on the way are read. */
  subnodeAny(nid: number): SubnodeEntry | undefined | Promise<SubnodeEntry | undefined> {
    const m = this.subnodesAny();
    if (m instanceof Promise) return m.then((v) => v.get(nid) ?? this.outer?.subnodeAny(nid));
    return m.get(nid) ?? this.outer?.subnodeAny(nid);
  }

  /** Open a subnode (attachment PC, embedded message, recipient/attachment TC) as an LtpNode. */
  async openSubnode(nid: number): Promise<LtpNode | null> {
    return this.openSubnodeAny(nid);
  }

  /** openSubnode() without a promise when everything on the way is cached. */
  openSubnodeAny(nid: number): LtpNode | null | Promise<LtpNode | null> {
    const e = this.subnodeAny(nid);
    if (e instanceof Promise) return e.then((v) => (v ? LtpNode.openAny(this.blocks, this.rep, nid, v.bidData, v.bidSub, this) : null));
    return e ? LtpNode.openAny(this.blocks, this.rep, nid, e.bidData, e.bidSub, this) : null;
  }

  /** Resolve an HNID to bytes ([MS-PST] 2.3.3.2). Empty for HNID 0. */
  async hnid(hnid: number, field: string): Promise<Uint8Array | null> {
    return this.hnidAny(hnid, field);
  }

  /** hnid() without a promise when the value is in the heap or a cached one-block subnode. */
  hnidAny(hnid: number, field: string): Uint8Array | null | Promise<Uint8Array | null> {
    if (hnid === 0) return new Uint8Array(0);
    if ((hnid & 0x1f) === 0) return this.heap.get(hnid);
    const e = this.subnodeAny(hnid);
    return e instanceof Promise ? e.then((v) => this.subnodeValue(hnid, v, field)) : this.subnodeValue(hnid, e, field);
  }

  private subnodeValue(hnid: number, e: SubnodeEntry | undefined, field: string): Uint8Array | null | Promise<Uint8Array | null> {
    if (!e) {
      this.rep.report('PST-SUBNODE-MISSING', { nid: this.nid, field, message: `Subnode ${'0x' + hnid.toString(16)}.` });
      return null;
    }
    if (this.shallow) return new Uint8Array(0);
    return this.blocks.readStreamAny(e.bidData, { nid: this.nid });
  }
}
