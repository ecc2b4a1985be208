/**
 * An LTP view of one NDB node (or subnode): its heap plus lazy access to its subnodes, which is
 * everything a PC or TC needs to resolve an HNID ([MS-PST] 2.3.3.2: a HID into the node's own
 * heap, or the NID of a subnode whose data stream holds the value).
 */
import type { Reporter } from '../codes.ts';
import { type Blocks, type SubnodeEntry, isInternal } from '../ndb/blocks.ts';
import { Heap } from './heap.ts';

/** Heaps of more pages than this are paged by openPaged (32 pages: 256 KiB in PST files). */
export const PAGED_MIN = 32;

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
    if (isInternal(bidData)) return LtpNode.treeLater(blocks, rep, nid, bidData, bidSub, outer, shallow);
    // Most heaps are one data block: read it directly (readTree's result for a leaf BID).
    const b = blocks.readAny(bidData, { nid });
    if (b instanceof Promise) return LtpNode.blockLater(blocks, rep, nid, b, bidSub, outer, shallow);
    return LtpNode.withPages(blocks, rep, nid, [b], bidSub, outer, shallow);
  }

  // Continuations live in their own functions: a closure in a hot function would make V8
  // allocate its context on every call, taken branch or not.
  private static treeLater(blocks: Blocks, rep: Reporter, nid: number, bidData: number, bidSub: number, outer: LtpNode | undefined, shallow: boolean): Promise<LtpNode | null> {
    return blocks.readTree(bidData, { nid }).then((pages) => LtpNode.withPages(blocks, rep, nid, pages, bidSub, outer, shallow));
  }

  private static blockLater(blocks: Blocks, rep: Reporter, nid: number, b: Promise<Uint8Array | null>, bidSub: number, outer: LtpNode | undefined, shallow: boolean): Promise<LtpNode | null> {
    return b.then((v) => LtpNode.withPages(blocks, rep, nid, [v], bidSub, outer, shallow));
  }

  /**
   * open() for a node whose heap may be large (a folder's hierarchy and contents tables): a
   * heap of more than PAGED_MIN pages is paged (Heap.paged), so listing a folder of a million
   * messages holds a few of its pages instead of all of them. `recyclePages`: Heap.recyclePages,
   * for a user that keeps no view of a heap page (the validator's row checks).
   */
  static async openPaged(blocks: Blocks, rep: Reporter, nid: number, bidData: number, bidSub: number, shallow = false, recyclePages = false): Promise<LtpNode | null> {
    if (!bidData || !isInternal(bidData)) return LtpNode.open(blocks, rep, nid, bidData, bidSub, undefined, shallow);
    const tree = await blocks.dataTree(bidData, { nid });
    if (!tree) return null;
    if (tree.bids.length <= PAGED_MIN) return LtpNode.withPages(blocks, rep, nid, await blocks.readLeaves(tree, { nid }), bidSub, undefined, shallow);
    const bids = tree.bids;
    const heap = Heap.paged(await blocks.read(bids[0]!, { nid }), bids.length, (i, into) => blocks.readAny(bids[i]!, { nid }, into), blocks.L.hidBlockShift, rep, nid);
    if (heap && recyclePages) heap.recyclePages(blocks.maxDecoded);
    return heap ? new LtpNode(blocks, rep, nid, heap, bidSub, undefined, shallow) : null;
  }

  private static withPages(blocks: Blocks, rep: Reporter, nid: number, pages: (Uint8Array | null)[] | null, bidSub: number, outer: LtpNode | undefined, shallow: boolean): LtpNode | null {
    const heap = Heap.open(pages, blocks.L.hidBlockShift, rep, nid);
    return heap ? new LtpNode(blocks, rep, nid, heap, bidSub, outer, shallow) : null;
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
    if (m instanceof Promise) return (this.subMap = this.mapLater(m));
    this.subMapValue = m;
    return m;
  }

  private mapLater(m: Promise<Map<number, SubnodeEntry>>): Promise<Map<number, SubnodeEntry>> {
    return m.then((v) => (this.subMapValue = v));
  }

  /** subnodes()'s map once settled: later lookups need no await. */
  private subMapValue: Map<number, SubnodeEntry> | undefined;

  async subnode(nid: number): Promise<SubnodeEntry | undefined> {
    return this.subnodeAny(nid);
  }

  /** subnode() without a promise once the maps on the way are read. */
  subnodeAny(nid: number): SubnodeEntry | undefined | Promise<SubnodeEntry | undefined> {
    const m = this.subnodesAny();
    if (m instanceof Promise) return this.subnodeLater(m, nid);
    return m.get(nid) ?? this.outer?.subnodeAny(nid);
  }

  private subnodeLater(m: Promise<Map<number, SubnodeEntry>>, nid: number): Promise<SubnodeEntry | undefined> {
    return m.then((v) => v.get(nid) ?? this.outer?.subnodeAny(nid));
  }

  /** Open a subnode (attachment PC, embedded message, recipient/attachment TC) as an LtpNode. */
  async openSubnode(nid: number): Promise<LtpNode | null> {
    return this.openSubnodeAny(nid);
  }

  /** openSubnode() without a promise when everything on the way is cached. */
  openSubnodeAny(nid: number): LtpNode | null | Promise<LtpNode | null> {
    const e = this.subnodeAny(nid);
    if (e instanceof Promise) return this.openLater(e, nid);
    return e ? LtpNode.openAny(this.blocks, this.rep, nid, e.bidData, e.bidSub, this) : null;
  }

  private openLater(e: Promise<SubnodeEntry | undefined>, nid: number): Promise<LtpNode | null> {
    return e.then((v) => (v ? LtpNode.openAny(this.blocks, this.rep, nid, v.bidData, v.bidSub, this) : null));
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
    return e instanceof Promise ? this.valueLater(e, hnid, field) : this.subnodeValue(hnid, e, field);
  }

  private valueLater(e: Promise<SubnodeEntry | undefined>, hnid: number, field: string): Promise<Uint8Array | null> {
    return e.then((v) => this.subnodeValue(hnid, v, field));
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
