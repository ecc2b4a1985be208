/**
 * EXT_PUSH with EXT_FLAG_WCOUNT, the encoding half of gromox's serialisation
 * (shared/reference/gxmt-format.md §2). One FrameBuilder holds one frame body as a list of chunks:
 * scalars go into 64 KiB blocks, large binaries (attachment data) are referenced, not copied, so
 * a message with a big attachment costs its own size once. The frame size is known only at the
 * end, which is why a frame is built completely before it is handed to the sink.
 *
 * Values reaching this layer are already checked and normalised by the writer (writer.ts);
 * encoding cannot fail except on the frame-size limit, which the writer checks afterwards.
 */
import * as T from '../mapi/types.ts';

const BLOCK = 64 * 1024;
const utf8 = new TextEncoder();
const REF_THRESHOLD = 4 * 1024;

export class FrameBuilder {
  private chunks: Uint8Array[] = [];
  private first: Uint8Array;
  private block: Uint8Array;
  private view: DataView;
  private pos = 0;
  private done = 0;
  private sized = false;

  constructor(initial = BLOCK) {
    this.first = new Uint8Array(initial);
    this.block = this.first;
    this.view = new DataView(this.block.buffer);
  }

  /** Byte length of the body (excluding a reserved size field). */
  get length(): number {
    return this.done + this.pos - (this.sized ? 8 : 0);
  }

  /**
   * Start over, reusing the first block. Only call after every chunk of the previous finish()
   * has been consumed (the sink contract: a chunk may be kept until its write settles).
   */
  reset(): this {
    this.chunks = [];
    this.block = this.first;
    this.view = new DataView(this.block.buffer, this.block.byteOffset, this.block.byteLength);
    this.pos = 0;
    this.done = 0;
    this.sized = false;
    return this;
  }

  /** Reserve the u64 frame size in front of the body; finish() fills it in. */
  reserveSize(): void {
    if (this.length !== 0) throw new Error('reserveSize: builder not empty');
    this.u64(0n);
    this.sized = true;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.block.length) return;
    this.flushBlock();
    if (this.pos + n <= this.block.length) return;
    const size = Math.max(BLOCK, n);
    this.block = new Uint8Array(size);
    this.view = new DataView(this.block.buffer);
  }
  private flushBlock(): void {
    if (this.pos > 0) {
      this.chunks.push(this.block.subarray(0, this.pos));
      this.done += this.pos;
      this.block = this.block.subarray(this.pos);
      this.view = new DataView(this.block.buffer, this.block.byteOffset, this.block.byteLength);
      this.pos = 0;
    }
  }

  u8(v: number): void {
    this.ensure(1);
    this.block[this.pos++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
  }
  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    if (b.length >= REF_THRESHOLD) {
      this.flushBlock();
      this.chunks.push(b);
      this.done += b.length;
      return;
    }
    this.ensure(b.length);
    this.block.set(b, this.pos);
    this.pos += b.length;
  }
  /** C string: bytes (already free of NUL) + 0x00. */
  cstr(b: Uint8Array): void {
    this.bytes(b);
    this.u8(0);
  }
  /** UTF-8 C string of a JS string already free of NUL, encoded straight into the block. */
  str(s: string): void {
    const max = s.length * 3;
    if (max <= BLOCK) {
      this.ensure(max + 1);
      this.pos += utf8.encodeInto(s, this.block.subarray(this.pos)).written;
      this.block[this.pos++] = 0;
      return;
    }
    this.cstr(utf8.encode(s));
  }
  /** The chunks, in order (with the size field first when reserved). */
  finish(): Uint8Array[] {
    this.flushBlock();
    if (this.sized) {
      const c0 = this.chunks[0]!;
      new DataView(c0.buffer, c0.byteOffset, 8).setBigUint64(0, BigInt(this.done - 8), true);
    }
    return this.chunks;
  }
}

/** A property after the writer's checks: output tag and a value in wire-ready form. */
export interface WireProp {
  tag: number;
  /** number | bigint | string (without NUL) | Uint8Array | arrays of those. */
  value: number | bigint | string | Uint8Array | (number | bigint | string | Uint8Array)[];
}

/** TAGGED_PROPVAL value by type (§2.2). PT_SRESTRICTION/PT_ACTIONS arrive as EXT-encoded bytes. */
export function pushValue(b: FrameBuilder, type: number, v: WireProp['value']): void {
  switch (type) {
    case T.PT_SHORT:
      return b.u16(v as number);
    case T.PT_LONG:
    case T.PT_ERROR:
      return b.u32(v as number);
    case T.PT_FLOAT:
      return b.f32(v as number);
    case T.PT_DOUBLE:
    case T.PT_APPTIME:
      return b.f64(v as number);
    case T.PT_CURRENCY:
    case T.PT_I8:
    case T.PT_SYSTIME:
      return b.u64(v as bigint);
    case T.PT_BOOLEAN:
      return b.u8(v as number);
    case T.PT_STRING8:
    case T.PT_UNICODE:
      return b.str(v as string);
    case T.PT_CLSID:
      return b.bytes(v as Uint8Array);
    case T.PT_OBJECT:
    case T.PT_BINARY:
      b.u32((v as Uint8Array).length);
      return b.bytes(v as Uint8Array);
    case T.PT_SVREID: {
      const x = v as Uint8Array;
      b.u16(x.length + 1);
      b.u8(0);
      return b.bytes(x);
    }
    case T.PT_SRESTRICTION:
    case T.PT_ACTIONS:
      return b.bytes(v as Uint8Array);
    default: {
      if (type & T.MV_FLAG) {
        const arr = v as (number | bigint | string | Uint8Array)[];
        b.u32(arr.length);
        const base = type & ~T.MV_FLAG;
        for (const x of arr) pushValue(b, base, x);
        return;
      }
      throw new RangeError(`pushValue: type 0x${type.toString(16)} reached the encoder`);
    }
  }
}

export function pushPropArray(b: FrameBuilder, props: readonly WireProp[]): void {
  b.u16(props.length);
  for (const p of props) {
    b.u32(p.tag);
    pushValue(b, p.tag & 0xffff, p.value);
  }
}

/** PROPERTY_NAME (§2.6); `name` is UTF-8 without NUL, at most 254 bytes (checked by the caller). */
export function pushPropName(b: FrameBuilder, guid: Uint8Array, lid: number | undefined, name: Uint8Array | undefined): void {
  if (name) {
    b.u8(1);
    b.bytes(guid);
    b.u8(name.length + 1);
    b.cstr(name);
  } else {
    b.u8(0);
    b.bytes(guid);
    b.u32(lid! >>> 0);
  }
}
