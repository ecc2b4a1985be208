/**
 * The validator's block checks ([MS-PST] 2.2.2.8): a block's raw bytes in hand → BLOCKTRAILER
 * (cb, wSig, bid), dwCRC over the stored bytes, inflate of 4K compressed blocks (cbInflated ≠
 * cbStored, from the BBT entry), and the btype of internal blocks; and the decode the LTP checks
 * need (inflate, then undo the cipher on external blocks). Synchronous, on bytes the caller read
 * in large sequential runs, with no allocation per block: the block pass goes through every block
 * of the file and the LTP checks through most of them again, so a promise or buffer per block is
 * most of the cost.
 *
 * The findings are those of ndb/blocks.ts for the same block: without a NID in the block pass
 * (its readEntry in check-only mode), with the reading node's NID when the LTP checks decode
 * (its read() with CRC checking off: the block pass checked the CRC already).
 */
import { BlockCrypt, type Codecs } from '../codec/api.ts';
import { type Reporter, hex } from './codes.ts';
import type { PstEncryption } from './index.ts';
import { isInternal } from './ndb/blocks.ts';
import { computeSig, trailerBid, trailerCrc, type Layout } from './ndb/header.ts';

/** decodeBlock options, reused (the kernel reads them during the call only). */
const opts = { crypt: 0, key: 0, inflate: false, crc: false };

export class BlockCheck {
  /** Scratch output of the inflate check (cbInflated is a u16). */
  private readonly scratch = new Uint8Array(65536);
  private readonly crypt: number;
  private readonly trailerSize: number;
  private readonly alignMask: number;
  /** The last parsed BLOCKTRAILER: cb, wSig, bid, dwCRC. */
  private tcb = 0;
  private tsig = 0;
  private tbid = 0;
  private crc = 0;

  constructor(
    private readonly L: Layout,
    private readonly rep: Reporter,
    private readonly codecs: Codecs,
    encryption: PstEncryption,
    private readonly fileSize: number,
  ) {
    this.crypt = encryption === 'permute' ? BlockCrypt.PERMUTE : encryption === 'cyclic' ? BlockCrypt.CYCLIC : BlockCrypt.NONE;
    this.trailerSize = L.blockTrailerSize;
    this.alignMask = L.blockAlign - 1; // 64 or 512
  }

  /** Bytes a block occupies in the file: payload + trailer, aligned ([MS-PST] 2.2.2.8.1). */
  span(cb: number): number {
    return (cb + this.trailerSize + this.alignMask) & ~this.alignMask;
  }

  /** Whether the block lies inside the file (else the caller reports PST-BLOCK-BOUNDS via bounds()). */
  inFile(ib: number, cb: number): boolean {
    return ib >= 0 && ib + this.span(cb) <= this.fileSize;
  }

  /** PST-BLOCK-BOUNDS for a block outside the file. */
  bounds(bid: number, ib: number, cb: number, nid: number | undefined): void {
    this.rep.report('PST-BLOCK-BOUNDS', { nid, offset: ib, field: 'BBTENTRY.bref.ib', message: `Block ${hex(bid)} (${cb} bytes) at ${hex(ib)}; file size ${this.fileSize}.` });
  }

  /**
   * Parse the BLOCKTRAILER at the end of the span, which starts at buf[off] with `len` bytes in
   * hand; false when that is less than the span. (Blocks are passed as buffer and offset: a view
   * per block costs more than the checks.)
   */
  private parse(cb: number, b: Uint8Array, off: number, len: number): boolean {
    const span = this.span(cb);
    if (len < span) return false;
    const t = off + span - this.trailerSize;
    this.tcb = b[t]! | (b[t + 1]! << 8);
    this.tsig = b[t + 2]! | (b[t + 3]! << 8);
    this.tbid = trailerBid(b, t, this.L.ansi);
    this.crc = trailerCrc(b, t, this.L.ansi);
    return true;
  }

  /** Whether the parsed trailer disagrees with the BBT entry anywhere (cb, bid, wSig). */
  private bad(bid: number, ib: number, cb: number): boolean {
    const tbid = this.tbid;
    return this.tcb !== cb || tbid - (tbid % 2) !== bid - (bid % 2) || this.tsig !== computeSig(ib, bid);
  }

  /** The parsed trailer's findings, reported against `nid`. */
  private reportTrailer(bid: number, ib: number, cb: number, nid: number | undefined): void {
    const tbid = this.tbid;
    if (this.tcb !== cb) this.rep.report('PST-BLOCK-SIZE', { nid, offset: ib, field: 'BLOCKTRAILER.cb', message: `Block ${hex(bid)}: BBT says ${cb} bytes, trailer says ${this.tcb}.` });
    if (tbid - (tbid % 2) !== bid - (bid % 2)) this.rep.report('PST-BLOCK-BID', { nid, offset: ib, field: 'BLOCKTRAILER.bid', message: `Expected ${hex(bid)}, trailer says ${hex(tbid)}.` });
    if (this.tsig !== computeSig(ib, bid)) this.rep.report('PST-BLOCK-SIG', { nid, offset: ib, field: 'BLOCKTRAILER.wSig', message: `Block ${hex(bid)}.` });
  }

  /**
   * BLOCKTRAILER checks (cb, bid, wSig); false when fewer than the block's span are in hand.
   * Leaves the stored dwCRC in `this.crc`.
   */
  private trailer(bid: number, ib: number, cb: number, buf: Uint8Array, off: number, len: number, nid: number | undefined): boolean {
    if (!this.parse(cb, buf, off, len)) {
      this.rep.report('PST-BLOCK-BOUNDS', { nid, offset: ib, field: 'BBTENTRY.bref.ib' });
      return false;
    }
    if (this.bad(bid, ib, cb)) this.reportTrailer(bid, ib, cb, nid);
    return true;
  }

  /**
   * The block pass on one block: its span as read from the file is buf[off, off + len), or buf
   * is undefined when it lies outside the file. Trailer, dwCRC, inflate (4K), and the btype of
   * internal blocks.
   */
  check(bid: number, ib: number, cb: number, cbInflated: number, buf: Uint8Array | undefined, off: number, len: number): void {
    if (!buf || !this.inFile(ib, cb)) {
      this.bounds(bid, ib, cb, undefined);
      return;
    }
    if (!this.trailer(bid, ib, cb, buf, off, len, undefined)) return;
    const stored = buf.subarray(off, off + cb);
    if (this.codecs.crc32(stored) !== this.crc) this.rep.report('PST-BLOCK-CRC', { offset: ib, field: 'BLOCKTRAILER.dwCRC', message: `Block ${hex(bid)}.` });
    let data = stored;
    if (this.L.fourK && cbInflated !== cb) {
      data = this.scratch.subarray(0, cbInflated);
      const r = this.codecs.inflate(stored, data, { exact: true });
      if (r.error !== 0) {
        this.rep.report('PST-BLOCK-INFLATE', { offset: ib, field: 'BBTENTRY.cbInflated', message: `Block ${hex(bid)}: ${cb} → ${cbInflated} bytes failed (codec error ${r.error}).` });
        return;
      }
    }
    if (isInternal(bid)) {
      const t = data[0];
      if (t !== 0x01 && t !== 0x02) this.rep.report('PST-BLOCK-TYPE', { offset: ib, field: 'XBLOCK.btype', message: `Internal block ${hex(bid)} has type ${hex(t ?? 0)}.` });
    }
  }

  /**
   * Decode one block for the LTP checks: trailer checks (reported against `nid`), inflate, undo
   * the cipher; the span is buf[off, off + len). `out` must hold the block's size (cbInflated for
   * 4K); the result is `out`, or a view of `buf` when nothing needs decoding (`out` may then be
   * omitted). Null when unusable.
   */
  decode(bid: number, ib: number, cb: number, cbInflated: number, buf: Uint8Array, off: number, len: number, nid: number, out: Uint8Array | undefined): Uint8Array | null {
    if (!this.trailer(bid, ib, cb, buf, off, len, nid)) return null;
    const stored = buf.subarray(off, off + cb);
    const inflate = this.L.fourK && cbInflated !== cb;
    const crypt = isInternal(bid) ? BlockCrypt.NONE : this.crypt;
    if (!inflate && crypt === BlockCrypt.NONE && !out) return stored;
    const dest = out ?? new Uint8Array(inflate ? cbInflated : cb);
    const fused = this.codecs.decodeBlock;
    if (fused) {
      opts.crypt = crypt;
      opts.key = bid >>> 0;
      opts.inflate = inflate;
      opts.crc = false;
      const r = fused.call(this.codecs, stored, dest, opts);
      if (r.error !== 0) {
        this.inflateFailed(bid, ib, cb, cbInflated, nid, r.error);
        return null;
      }
      return dest;
    }
    if (inflate) {
      const r = this.codecs.inflate(stored, dest, { exact: true });
      if (r.error !== 0) {
        this.inflateFailed(bid, ib, cb, cbInflated, nid, r.error);
        return null;
      }
    } else dest.set(stored);
    if (crypt === BlockCrypt.PERMUTE) this.codecs.permuteDecode(dest);
    else if (crypt === BlockCrypt.CYCLIC) this.codecs.cyclicDecode(dest, bid >>> 0);
    return dest;
  }

  /**
   * check() and decode() of one block in a single pass through wasm memory where that gives the
   * same results (an encrypted block stored uncompressed: CRC and decrypt together); otherwise
   * the two in turn. Both sets of findings are made (block pass without, LTP with the NID).
   */
  checkAndDecode(bid: number, ib: number, cb: number, cbInflated: number, buf: Uint8Array, off: number, len: number, nid: number, out: Uint8Array | undefined): Uint8Array | null {
    const fused = this.codecs.decodeBlock;
    const crypt = isInternal(bid) ? BlockCrypt.NONE : this.crypt;
    if (!fused || crypt === BlockCrypt.NONE || (this.L.fourK && cbInflated !== cb) || len < this.span(cb)) {
      this.check(bid, ib, cb, cbInflated, buf, off, len);
      return this.decode(bid, ib, cb, cbInflated, buf, off, len, nid, out);
    }
    this.parse(cb, buf, off, len);
    if (this.bad(bid, ib, cb)) {
      this.reportTrailer(bid, ib, cb, undefined);
      this.reportTrailer(bid, ib, cb, nid);
    }
    const stored = buf.subarray(off, off + cb);
    const dest = out ?? new Uint8Array(cb);
    let crc: number;
    if (this.codecs.crcDecodeInto) crc = this.codecs.crcDecodeInto(stored, dest, crypt, bid >>> 0);
    else {
      opts.crypt = crypt;
      opts.key = bid >>> 0;
      opts.inflate = false;
      opts.crc = true;
      crc = fused.call(this.codecs, stored, dest, opts).crc;
    }
    if (crc !== this.crc) this.rep.report('PST-BLOCK-CRC', { offset: ib, field: 'BLOCKTRAILER.dwCRC', message: `Block ${hex(bid)}.` });
    return dest;
  }

  /** Whether decode() would return a view of the stored bytes (no output buffer needed). */
  inPlace(bid: number, cb: number, cbInflated: number): boolean {
    return !(this.L.fourK && cbInflated !== cb) && (isInternal(bid) || this.crypt === BlockCrypt.NONE);
  }

  private inflateFailed(bid: number, ib: number, cb: number, cbInflated: number, nid: number, error: number): void {
    this.rep.report('PST-BLOCK-INFLATE', { nid, offset: ib, field: 'BBTENTRY.cbInflated', message: `Block ${hex(bid)}: ${cb} → ${cbInflated} bytes failed (codec error ${error}).` });
  }
}
