/**
 * Library surface of the PST/OST writer: description format, description generator, writer and
 * mutation helper. Node only (uses node:fs and node:zlib).
 */
export type * from './description.ts';
export { generateDescription, attachmentBytes, attachmentSize, fillAttachmentBytes, walkFolders, Rng } from './description.ts';
export type * from './api.ts';
export { writePst, writePstToBytes, writePstToSink, encodeCp1252 } from './write.ts';
export { scanBlocks } from './mutate.ts';
export { demoDescription, buildDemo } from './demo.ts';
export { mutate } from './mutate.ts';
export { pstCrc } from './crc.ts';
