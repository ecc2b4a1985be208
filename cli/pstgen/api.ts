/**
 * Public types of the PST/OST writer (test fixtures, fuzzing, benchmarks, demo mailbox). Kept
 * separate from the implementation so the reader's tests can depend on a stable surface.
 */
import type { PstVariant } from './description.ts';

/** Byte destination of the writer. Writes may be positional (the header and AMaps are written last). */
export interface PstOutput {
  /** Write `data` at absolute file offset `position`. */
  writeAt(data: Uint8Array, position: number): void;
}

export interface WriteOptions {
  /** zlib level for 4K blocks (default 6). Blocks are stored compressed only when that is smaller. */
  compressionLevel?: number;
  /** Called every ~64 MiB with the bytes written so far. */
  onProgress?: (bytes: number) => void;
}

/** Where an item of the description ended up. */
export interface WrittenItem {
  kind: 'folder' | 'message' | 'fai';
  /** Folder names from the IPM subtree down; for messages the folder path plus the subject. */
  path: string[];
  nid: number;
}

export interface WriteResult {
  variant: PstVariant;
  size: number;
  /** Number of NBT entries (top-level nodes) and BBT entries (blocks). */
  nodes: number;
  blocks: number;
  /** 4K only: blocks stored zlib-compressed (cbStored < cbInflated). */
  compressedBlocks: number;
  /** Blocks that needed a two-level data tree (XXBLOCK). */
  xxblocks: number;
  nbtRoot: { bid: bigint; ib: number; levels: number };
  bbtRoot: { bid: bigint; ib: number; levels: number };
  items: WrittenItem[];
}

export type MutationKind = 'flip' | 'truncate' | 'zero' | 'break-btree' | 'corrupt-hnmap';

export interface MutationOptions {
  kind: MutationKind;
  /**
   * What to damage. 'header' | 'nbt' | 'bbt' (a B-tree page; leaf unless `level` given) |
   * 'node' (the first data block of `nid`, default: first message) | 'offset' (explicit range).
   * Defaults: flip → node, zero → node, break-btree → nbt, corrupt-hnmap → node, truncate → end of file.
   */
  target?: 'header' | 'nbt' | 'bbt' | 'node' | 'offset';
  nid?: number;
  /** Explicit absolute offset / length for target 'offset' and 'truncate' (new size). */
  offset?: number;
  length?: number;
  /** B-tree level for nbt/bbt targets (0 = leaf). */
  level?: number;
  /** Number of bytes to flip (default 1). */
  count?: number;
  seed?: number;
}

export interface MutationResult {
  kind: MutationKind;
  /** Absolute file offset and length of the damaged range (for truncate: new size, removed length). */
  offset: number;
  length: number;
  /** Structure that was hit. */
  structure: 'header' | 'nbt-page' | 'bbt-page' | 'block' | 'range' | 'eof';
  nid?: number;
  bid?: bigint;
  /** Page/block start (for page/block structures). */
  structureOffset?: number;
  description: string;
  /** The mutated bytes when the input was bytes. */
  bytes?: Uint8Array;
}
